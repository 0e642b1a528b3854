"""Fixtures of the store's tests: many fresh worlds, fast.

The world of ``flowdeck_world.build_world`` is built once per session in a
template file; every ``world_factory()`` call copies that file (and its key
file) and opens the copy with its own frozen clock at ``T0``.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable

import pytest
from flowdeck_world import T0, World, build_world, sqlite_url

from store.clock import FrozenClock
from store.engine import open_store


@pytest.fixture(scope="session")
def world_factory(tmp_path_factory) -> Callable[[], World]:
    base = tmp_path_factory.mktemp("worlds")
    template = base / "template.db"
    built = build_world(open_store(sqlite_url(template), FrozenClock(T0)))
    built.store.secret_box()  # make sure the key file exists
    built.close()  # the last connection checkpoints the WAL into the file
    key = template.with_name(template.name + ".key")
    counter = itertools.count()

    def make() -> World:
        target = base / f"world-{next(counter)}.db"
        shutil.copyfile(template, target)
        shutil.copy(key, target.with_name(target.name + ".key"))  # keeps its mode 0600
        clock = FrozenClock(T0)
        world = World(open_store(sqlite_url(target), clock), clock, built.request_id)
        return world

    return make


@pytest.fixture
def fresh_world(world_factory):
    """A world of its own for this test (a copy of the session's template)."""
    with world_factory() as w:
        yield w
