"""A step that keeps failing: retried with back-off, then parked (Full workspaces) for the
operator to retry or discard, or its flow stopped (Limited workspaces). Each is in the events,
and no secret ever is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flowdeck_world import SECRET
from runtime_helpers import ORDERS

from store.errors import Conflict, NotFound, PermissionDenied
from store.policy import STEP_RETRIES, retry_delay

ORDER = {"id": "SO-7", "lines": [{"price": 10}]}


def _fail_with_500(target) -> None:
    # the target even echoes the token it got: it must not reach any event
    target.answer = lambda r: (500, {"error": f"upstream broke; token was {SECRET}"})


def _run_through_retries(running, worker) -> None:
    """Let the worker try, and wait out each back-off on the store's clock."""
    assert worker.drain() == 1
    for attempt in range(1, STEP_RETRIES + 1):
        assert worker.drain() == 0  # still waiting
        running.clock.advance(retry_delay(attempt))
        assert worker.drain() == 1


def test_a_full_workspace_parks_the_message_after_the_retries(running):
    running.as_("support").convert_workspace("Acme/Staging", "full")
    integ = running.as_("integrator")
    _fail_with_500(running.target)
    integ.send_messages(ORDERS, payload=ORDER)
    worker = running.worker()
    _run_through_retries(running, worker)
    assert len(running.target.requests) == 1 + STEP_RETRIES
    flow = integ.get_flow(ORDERS)
    assert (flow.status, flow.queued_messages) == ("active", 1)
    [parked] = integ.list_failed(ORDERS)
    assert (parked.step, parked.component, parked.attempts) == (3, "http", 1 + STEP_RETRIES)
    assert parked.error.startswith("POST http://127.0.0.1:") and "answered 500" in parked.error
    assert parked.payload == {"order": "SO-7", "total": 10}  # what step 3 was given
    assert worker.drain() == 0  # parked: no worker takes it again by itself
    runs = integ.list_executions(ORDERS)
    assert [e.outcome for e in runs[: 1 + STEP_RETRIES]] == ["parked"] + ["retrying"] * STEP_RETRIES
    assert runs[0].status == 500 and runs[0].attempt == 1 + STEP_RETRIES
    kinds = [e.kind for e in integ.list_events(ORDERS, limit=6)]  # since the message came
    assert kinds[0] == "execution.failed" and "flow.stopped" not in kinds
    everything = repr(integ.list_events(limit=1000)) + repr(integ.list_failed(ORDERS))
    assert SECRET not in everything

    # the operator retries it: a fresh set of tries, which now succeeds
    running.target.answer = lambda r: (200, {"ok": True})
    assert integ.retry_failed(ORDERS, [parked.id]) == 1
    assert integ.list_failed(ORDERS) == []
    assert worker.drain() == 1
    assert integ.get_flow(ORDERS).queued_messages == 0
    assert integ.list_events(ORDERS, limit=10, kinds=["message.retried"])[0].detail == {"count": 1}


def test_discarding_failed_messages_drops_them_for_good(running):
    running.as_("support").convert_workspace("Acme/Staging", "full")
    integ = running.as_("integrator")
    _fail_with_500(running.target)
    integ.send_messages(ORDERS, count=2, payload=ORDER)
    worker = running.worker()
    assert worker.drain() == 2
    for attempt in range(1, STEP_RETRIES + 1):
        running.clock.advance(retry_delay(attempt))
        assert worker.drain() == 2
    ids = [m.id for m in integ.list_failed(ORDERS)]
    assert len(ids) == 2
    guest = running.as_("guest")
    assert [m.id for m in guest.list_failed(ORDERS)] == ids  # guests may look
    with pytest.raises(PermissionDenied, match="retry or discard failed messages"):
        guest.discard_failed(ORDERS)
    with pytest.raises(PermissionDenied, match="read-only"):
        running.world.as_("integrator", readonly=True).retry_failed(ORDERS)
    with pytest.raises(NotFound, match="no failed message 999"):
        integ.discard_failed(ORDERS, [999])
    assert integ.discard_failed(ORDERS, [ids[0]]) == 1
    assert integ.get_flow(ORDERS).queued_messages == 1
    assert integ.discard_failed(ORDERS) == 1
    assert integ.get_flow(ORDERS).queued_messages == 0
    with pytest.raises(Conflict, match="no failed messages"):
        integ.retry_failed(ORDERS)
    discarded = integ.list_events(ORDERS, kinds=["message.discarded"])
    assert [(e.actor, e.detail["count"]) for e in discarded] == [
        (running.world.emails["integrator"], 1)] * 2


def test_a_limited_workspace_stops_the_flow_whose_step_keeps_failing(running):
    integ = running.as_("integrator")
    _fail_with_500(running.target)
    integ.send_messages(ORDERS, count=3, payload=ORDER)
    worker = running.worker()
    assert worker.drain() == 3
    for attempt in range(1, STEP_RETRIES):
        running.clock.advance(retry_delay(attempt))
        assert worker.drain() == 3
    running.clock.advance(retry_delay(STEP_RETRIES))
    assert worker.drain() == 1  # the first to run out of retries stops the flow
    flow = integ.get_flow(ORDERS)
    assert (flow.status, flow.stop_reason, flow.queued_messages) == ("stopped", "step_failed", 0)
    assert flow.lost_messages == 3
    assert worker.drain() == 0  # the rest were dropped with the queue
    stopped = integ.list_events(ORDERS, kinds=["flow.stopped"])[0]
    assert (stopped.actor, stopped.detail["reason"], stopped.detail["lost_messages"]) == (
        "system", "step_failed", 3)
    failed = integ.list_executions(ORDERS)[0]
    assert (failed.outcome, failed.step, failed.status) == ("flow_stopped", 3, 500)
    assert SECRET not in repr(integ.list_events(limit=1000))
    assert worker.counts.stopped == 1 and worker.counts.retried == 3 * (STEP_RETRIES)


def test_a_step_without_its_setting_fails_when_a_message_reaches_it(running):
    running.as_("support").convert_workspace("Acme/Staging", "full")
    integ = running.as_("integrator")
    integ.create_flow("Acme/Staging/Unfinished", [("webhook", None), ("transform", None)])
    integ.start_flow("Acme/Staging/Unfinished")  # allowed: the step's failure shows at run time
    integ.send_messages("Acme/Staging/Unfinished", payload={"a": 1})
    running.worker().drain()
    [run] = [e for e in integ.list_executions("Acme/Staging/Unfinished") if e.step == 2]
    assert run.outcome == "retrying"
    assert "step 2 (transform) has no expression" in run.error


def test_retries_wait_longer_each_time():
    delays = [retry_delay(n) for n in range(1, STEP_RETRIES + 1)]
    assert delays == sorted(delays) and len(set(delays)) == STEP_RETRIES
    assert delays[0] >= timedelta(seconds=1)
