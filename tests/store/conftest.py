"""Fixtures of the store's tests: many fresh worlds, fast.

The world of ``flowdeck_world.build_world`` is built once per session in a
template store; every ``world_factory()`` call copies it (the file and its key
file, or on PostgreSQL a database made from it: see ``backends``) and opens the
copy with its own frozen clock at ``T0``. Closing the world lets the copy go.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import backends
import pytest
from flowdeck_world import T0, World, build_world

from store.clock import FrozenClock
from store.engine import open_store


class _CopiedWorld(World):
    def close(self) -> None:
        super().close()
        backends.drop(self.store.url)


@pytest.fixture(scope="session")
def world_factory(tmp_path_factory) -> Callable[[], World]:
    base = tmp_path_factory.mktemp("worlds")
    template = backends.store_url(base / "template.db")
    built = build_world(open_store(template, FrozenClock(T0)))
    built.store.secret_box()  # make sure the key file exists
    built.close()  # the last connection checkpoints the WAL into the file
    counter = itertools.count()

    def make() -> World:
        url = backends.clone_url(template, base / f"world-{next(counter)}.db")
        clock = FrozenClock(T0)
        return _CopiedWorld(open_store(url, clock), clock, built.request_id)

    return make


@pytest.fixture
def fresh_world(world_factory):
    """A world of its own for this test (a copy of the session's template)."""
    with world_factory() as w:
        yield w
