"""Fixtures of the TUI's tests: the demo store on a frozen clock, apps over it, and waiting.

The demo (``store.demo.timeline.build_demo``) is built once per session at ``NOW`` in
a template store; every ``demo()`` call copies it (the file and its key file,
or on PostgreSQL a database made from it: see ``backends``) and opens the copy
with its own ``FrozenClock`` at ``NOW``, so each test starts from the same
deterministic demo and may change it freely.

Pilot tests are ``async def``: no asyncio plugin is installed, so the
``pytest_pyfunc_call`` hook below runs them with ``asyncio.run``. Snapshot
tests are plain ``def`` (``snap_compare`` runs the app itself).

Data loads in workers, so after each key press a test waits with
``settle(pilot)``: until no worker is pending, re-raising any error a
worker swallowed (the screens start their workers with
``exit_on_error=False``, which would otherwise hide a crash).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import backends
import pytest
from tui_helpers import NOW, OWNER, settle  # noqa: F401 - fixtures use them

from store.clock import FrozenClock
from store.demo.timeline import build_demo
from store.engine import Store, open_store
from store.services import Flowdeck
from tui.app import FlowdeckApp


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """Run ``async def`` tests in a fresh event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> None:
    """No animations (for processes started here), no inherited colour or theme settings."""
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    for name in ("NO_COLOR", "FLOWDECK_THEME", "FLOWDECK_STEADY", "FLOWDECK_DB", "FLOWDECK_USER"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class Demo:
    """One copy of the demo store, opened on its own frozen clock."""

    store: Store
    clock: FrozenClock
    path: Path

    @property
    def url(self) -> str:
        return self.store.url

    def as_(self, email: str | None) -> Flowdeck:
        return Flowdeck(self.store, email)

    def app(self, user: str = OWNER, **kwargs) -> FlowdeckApp:
        """The app over this store, steady: no blinking cursor, no animation."""
        kwargs.setdefault("steady", True)
        app = FlowdeckApp(user=user, store=self.store, **kwargs)
        # Textual reads TEXTUAL_ANIMATIONS once, when it is imported (before any fixture
        # runs), so the environment variable alone does not reach an app made here.
        app.animation_level = "none"
        return app

    def other_connection(self) -> Store:
        """A second, independent store on the same file or database: another operator's process."""
        return open_store(self.url, FrozenClock(self.clock.now()))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> str:
    """The URL of the session's demo store, which every ``demo()`` copies."""
    base = tmp_path_factory.mktemp("demo-template")
    template = backends.store_url(base / "demo.db")
    store = open_store(template, FrozenClock(NOW))
    build_demo(store)
    store.secret_box()  # make sure the key file exists
    store.close()  # the last connection checkpoints the WAL into the file
    return template


@pytest.fixture
def demo_factory(demo_template: str, tmp_path: Path) -> Iterator[Callable[[], Demo]]:
    counter = itertools.count()
    opened: list[Store] = []

    def make() -> Demo:
        target = tmp_path / f"demo-{next(counter)}.db"
        clock = FrozenClock(NOW)
        store = open_store(backends.clone_url(demo_template, target), clock)
        opened.append(store)
        return Demo(store, clock, target)

    yield make
    for store in opened:
        store.close()
        backends.drop(store.url)


@pytest.fixture
def demo(demo_factory) -> Demo:
    """A fresh copy of the demo store at ``NOW``."""
    return demo_factory()
