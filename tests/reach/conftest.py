"""Fixtures of the reach tests: async tests, keys, and the demo store for the tour.

``async def`` tests run in a fresh event loop (no asyncio plugin is
installed). ``keys`` makes Ed25519 key pairs whose public halves can be
written to an authorized-keys file. ``demo`` is a fresh copy of the demo
store (built once per session at ``NOW`` on a frozen clock; a SQLite file, or
with ``FLOWDECK_TEST_DB`` a PostgreSQL database: see ``backends``).
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import backends
import pytest
from reach_helpers import NOW, DemoCopy

from store.clock import FrozenClock
from store.demo.timeline import build_demo
from store.engine import open_store


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """Run ``async def`` tests in a fresh event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True)
def _quiet_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No animations, no inherited Flowdeck settings, data and config inside the test."""
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("NO_COLOR", "FLOWDECK_THEME", "FLOWDECK_STEADY", "FLOWDECK_DB", "FLOWDECK_USER",
                 "FLOWDECK_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> str:
    template = backends.store_url(tmp_path_factory.mktemp("reach-demo") / "demo.db")
    store = open_store(template, FrozenClock(NOW))
    build_demo(store)
    store.secret_box()  # the key file exists
    store.close()
    return template


@pytest.fixture
def demo(demo_template: str, tmp_path: Path):
    target = tmp_path / "demo.db"
    copy = DemoCopy(target, backends.clone_url(demo_template, target))
    yield copy
    copy.close()
    backends.drop(copy.url)
