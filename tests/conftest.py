"""Fixtures shared by every test suite: a fresh store on a frozen clock, and a small world.

``store`` is a new SQLite file in the test's temporary directory whose clock
reads ``T0`` until a test moves it. ``world`` fills such a store with one
user for every role of DESIGN section 3 (see ``flowdeck_world.build_world``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flowdeck_world import T0, World, build_world, sqlite_url

from store.clock import FrozenClock
from store.engine import Store, open_store


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock):
    """A fresh, empty store in a temporary SQLite file; its clock reads T0."""
    s = open_store(sqlite_url(tmp_path / "flowdeck.db"), clock)
    yield s
    s.close()


@pytest.fixture
def world(store: Store) -> World:
    """``build_world`` on a fresh store."""
    return build_world(store)
