"""At-least-once: a worker killed with SIGKILL in the middle of a step loses no message of an
active flow. The message it held goes back to the queue when its claim's lease lapses, and the
next worker delivers it; every message reaches the target at least once."""

from __future__ import annotations

import signal
from datetime import timedelta

from flowdeck_world import T0
from runtime_helpers import start_worker, started_port, stop_process, wait_for
from sqlalchemy import func, select

from store.models import Message
from store.policy import CLAIM_LEASE

CRASHY = "Acme/Staging/Crashy"
COUNT = 120


def _queued(store) -> int:
    return store.run(lambda s: s.scalar(select(func.count()).select_from(Message)), write=False)


def test_a_worker_killed_mid_step_loses_no_message(running, tmp_path):
    integ = running.as_("integrator")
    integ.stop_flow("Acme/Staging/Orders")
    integ.create_flow(CRASHY, [("webhook", None), ("transform", None), ("http", "CRM token")])
    integ.set_step(CRASHY, 2, "expression", '{"seq": seq}')
    integ.set_step(CRASHY, 3, "url", f"{running.target.url}/crashy")
    integ.start_flow(CRASHY)
    integ.send_messages(CRASHY, count=COUNT)
    target = running.target
    target.hold(25)  # the 25th delivery waits at the target: its worker is mid-step

    first = start_worker(tmp_path, running.store.url, T0 + timedelta(seconds=1),
                         "--concurrency", "2")
    try:
        started_port(first)
        assert target.holding.wait(30), "the worker never reached the target"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        stop_process(first)
    target.release()
    held = target.requests[24].body["seq"]
    assert first.returncode == -signal.SIGKILL
    # nothing was lost: whatever did not finish is still queued, the held message among them
    delivered = {b["seq"] for b in target.bodies()}
    left = _queued(running.store)
    assert left >= COUNT - len(delivered) and left > 0
    assert integ.get_flow(CRASHY).queued_messages == left

    # a new worker, once the dead one's claims have lapsed, finishes every message
    later = T0 + timedelta(seconds=5) + CLAIM_LEASE
    second = start_worker(tmp_path, running.store.url, later, "--concurrency", "2")
    try:
        started_port(second)
        assert wait_for(lambda: _queued(running.store) == 0, timeout=40)
        second.send_signal(signal.SIGTERM)
        out, err = second.communicate(timeout=20)
    finally:
        stop_process(second)
    assert second.returncode == 0, err
    seqs = [b["seq"] for b in target.bodies()]
    assert set(seqs) == set(range(1, COUNT + 1))
    assert seqs.count(held) >= 2  # delivered again: at-least-once
    flow = integ.get_flow(CRASHY)
    assert (flow.status, flow.queued_messages) == ("active", 0)
    running.clock.set(later + timedelta(seconds=30))
    assert sum(integ.flow_throughput(CRASHY, 5)) == COUNT  # each message counted once
