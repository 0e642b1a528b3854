"""Fixtures shared by every test suite: a fresh store on a frozen clock, and a small world.

``store`` is a new SQLite file in the test's temporary directory (or, with
``FLOWDECK_TEST_DB`` set, a new PostgreSQL database: see ``backends``) whose
clock reads ``T0`` until a test moves it. ``world`` fills such a store with one
user for every role of DESIGN section 3 (see ``flowdeck_world.build_world``).
"""

from __future__ import annotations

import os
from pathlib import Path

import backends
import pytest
from flowdeck_world import T0, World, build_world

from store.clock import FrozenClock
from store.engine import Store, open_store

if backends.ON_POSTGRES:  # a server store keeps no key file: every process takes it from here
    os.environ.setdefault("FLOWDECK_SECRET_KEY", backends.TEST_SECRET_KEY)


def pytest_report_header(config) -> str:
    return f"flowdeck store backend: {backends.BACKEND}"


def pytest_sessionfinish(session, exitstatus) -> None:
    backends.drop_all()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock):
    """A fresh, empty simulated-clock store (a temporary SQLite file or PostgreSQL database);
    its clock reads T0."""
    url = backends.store_url(tmp_path / "flowdeck.db")
    s = open_store(url, clock)
    yield s
    s.close()
    backends.drop(url)


@pytest.fixture
def world(store: Store) -> World:
    """``build_world`` on a fresh store."""
    return build_world(store)
