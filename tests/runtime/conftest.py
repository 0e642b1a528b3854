"""Fixtures for the runtime's tests: a recording target and the world's flows pointed at it.

``running`` is the shared ``world`` (tests/flowdeck_world.py) with flow
``Acme/Staging/Orders`` (webhook → transform → http with credential
``CRM token``) mapping orders and sending them to ``target``; its three
queued messages are dropped first (a restart), so each test starts clean.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flowdeck_world import World
from runtime_helpers import ORDERS, Recorder

from store.runtime.worker import Worker

EXPRESSION = '{"order": id, "total": $sum(lines.price)}'


@dataclass
class Running:
    world: World
    target: Recorder

    @property
    def store(self):
        return self.world.store

    @property
    def clock(self):
        return self.world.clock

    def as_(self, role: str | None):
        return self.world.as_(role)

    def worker(self, **kw) -> Worker:
        return Worker(self.store, **kw)


@pytest.fixture
def target():
    recorder = Recorder()
    yield recorder
    recorder.close()


@pytest.fixture
def running(world: World, target: Recorder) -> Running:
    integ = world.as_("integrator")
    integ.set_step(ORDERS, 2, "expression", EXPRESSION)
    integ.set_step(ORDERS, 3, "url", f"{target.url}/orders")
    integ.restart_flow(ORDERS)  # drops the world's three test messages
    return Running(world, target)
