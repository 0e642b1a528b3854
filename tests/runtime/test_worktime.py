"""The work-time rule governs the runtime: nothing of a stopped flow, nothing past a deadline."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flowdeck_world import T0
from runtime_helpers import ORDERS

from store.runtime import queue
from store.runtime.timers import Timers

DEADLINE = T0 + timedelta(hours=8)
ORDER = {"id": "SO-9", "lines": [{"price": 1}]}


def test_nothing_is_claimed_past_the_deadline_even_before_any_sweep(running):
    integ = running.as_("integrator")
    integ.send_messages(ORDERS, count=2, payload=ORDER)
    running.clock.set(DEADLINE)  # overdue, but nobody has swept: the row still says active
    assert queue.claim_next(running.store, uuid.uuid4().hex) is None
    worker = running.worker()
    assert worker.drain() == 0
    assert running.target.requests == []
    flow = integ.get_flow(ORDERS)  # a read sweeps first
    assert (flow.status, flow.stop_reason, flow.lost_messages) == ("stopped", "work_time_limit", 2)


def test_a_message_running_when_the_deadline_comes_goes_no_further(running):
    integ = running.as_("integrator")
    integ.send_messages(ORDERS, payload=ORDER)
    running.clock.set(DEADLINE - timedelta(seconds=1))
    target = running.target

    def answer_after_the_deadline(_request):
        running.clock.set(DEADLINE + timedelta(seconds=1))
        return 200, {"ok": True}

    target.answer = answer_after_the_deadline
    assert running.worker().drain() == 1
    assert len(target.requests) == 1
    flow = integ.get_flow(ORDERS)
    assert (flow.status, flow.stop_reason, flow.queued_messages) == ("stopped", "work_time_limit", 0)
    assert flow.lost_messages == 1  # the step's answer came too late: the message went with the queue
    assert sum(integ.flow_throughput(ORDERS, 5)) == 0
    assert not [e for e in integ.list_executions(ORDERS) if e.step == 3]


def test_a_flow_stopped_while_its_message_is_at_the_target_runs_nothing_more(running):
    integ = running.as_("integrator")
    integ.create_flow("Acme/Staging/Relay", [("webhook", None), ("http", "CRM token"), ("log", None)])
    integ.set_step("Acme/Staging/Relay", 2, "url", f"{running.target.url}/relay")
    integ.start_flow("Acme/Staging/Relay")
    integ.send_messages("Acme/Staging/Relay", payload={"n": 1})

    def stop_meanwhile(_request):
        running.as_("workspace_owner").stop_flow("Acme/Staging/Relay")
        return 200, {"ok": True}

    running.target.answer = stop_meanwhile
    assert running.worker().drain() == 1
    assert len(running.target.requests) == 1
    runs = integ.list_executions("Acme/Staging/Relay")
    assert runs == []  # what the trigger and the http step produced was thrown away
    assert integ.list_events("Acme/Staging/Relay", kinds=["log.written"]) == []
    flow = integ.get_flow("Acme/Staging/Relay")
    assert (flow.status, flow.stop_reason, flow.lost_messages) == ("stopped", "manual", 1)


def test_a_stopped_flow_gets_no_timer_messages_and_no_work(running):
    integ = running.as_("integrator")
    integ.create_flow("Acme/Staging/Ticker", [("timer", None), ("log", None)])
    integ.set_step("Acme/Staging/Ticker", 1, "cron", "* * * * *")
    integ.start_flow("Acme/Staging/Ticker")
    integ.stop_flow("Acme/Staging/Ticker")
    running.clock.advance(minutes=10)
    assert Timers(running.store).fire_due() == []
    assert running.worker().drain() == 0
    assert integ.get_flow("Acme/Staging/Ticker").queued_messages == 0
