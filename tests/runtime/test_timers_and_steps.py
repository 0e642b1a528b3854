"""Timer triggers on their cron schedule, the log step, GET and basic auth, and several worker
threads sharing one queue without running a message twice."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from flowdeck_world import T0
from runtime_helpers import ORDERS
from sqlalchemy import update

from store.clock import iso
from store.errors import InvalidInput
from store.models import FlowStep
from store.policy import THROUGHPUT_RATE_MINUTES
from store.runtime.timers import Timers

TICKER = "Acme/Staging/Ticker"


def test_a_timer_fires_on_its_schedule_once_per_instant_and_the_log_step_writes_it(running):
    integ = running.as_("integrator")
    integ.create_flow(TICKER, [("timer", None), ("log", None)])
    integ.set_step(TICKER, 1, "cron", "*/5 * * * *")
    integ.start_flow(TICKER)  # at 09:00:00
    timers, other = Timers(running.store), Timers(running.store)  # two workers' timers
    assert timers.fire_due() == []  # 09:00 is the start itself, not after it
    running.clock.advance(minutes=4, seconds=59)
    assert timers.fire_due() == []
    running.clock.advance(seconds=1)  # 09:05
    assert timers.fire_due() == [(TICKER, f"fired {iso(T0 + timedelta(minutes=5))}")]
    assert other.fire_due() == [] and timers.fire_due() == []
    running.clock.advance(minutes=17)  # 09:22: a worker that was away fires the latest once
    assert other.fire_due() == [(TICKER, f"fired {iso(T0 + timedelta(minutes=20))}")]
    assert running.worker().drain() == 2
    logged = integ.list_events(TICKER, kinds=["log.written"])
    assert [e.detail["payload"] for e in logged] == [
        {"fired_at": iso(T0 + timedelta(minutes=m)), "schedule": "*/5 * * * *"} for m in (20, 5)]
    assert all(e.actor == "system" and e.category == "log" for e in logged)


def test_a_schedule_or_expression_that_does_not_parse_is_refused_when_set(running):
    integ = running.as_("integrator")
    integ.create_flow(TICKER, [("timer", None), ("transform", None)])
    with pytest.raises(InvalidInput, match="not a schedule"):
        integ.set_step(TICKER, 1, "cron", "99 * * * *")
    with pytest.raises(InvalidInput, match="not JSONata"):
        integ.set_step(TICKER, 2, "expression", '{"id": ')


def test_a_stored_schedule_croniter_refuses_is_reported_once(running):
    integ = running.as_("integrator")
    integ.create_flow(TICKER, [("timer", None), ("log", None)])
    integ.start_flow(TICKER)

    def corrupt(s) -> None:  # as if an older Flowdeck had let it in
        s.execute(update(FlowStep).where(FlowStep.position == 1, FlowStep.component == "timer")
                  .values(settings={"cron": "99 * * * *"}))

    running.store.run(corrupt, write=True)
    timers = Timers(running.store)
    running.clock.advance(minutes=2)
    [(path, what)] = timers.fire_due()
    assert path == TICKER and what.startswith("invalid schedule '99 * * * *'")
    assert timers.fire_due() == []
    assert [e.kind for e in integ.list_events(TICKER, limit=1)] == ["timer.invalid"]


def test_get_with_basic_auth_passes_the_answer_on(running):
    integ = running.as_("integrator")
    target = running.target
    target.answer = lambda r: (200, {"sku": "NW-1", "onHand": 9, "reserved": 2})
    integ.create_flow("Acme/Staging/Stock", [("timer", None), ("http", "Spare key"),
                                             ("transform", None), ("log", None)])
    integ.set_step("Acme/Staging/Stock", 2, "url", f"{target.url}/stock?site=1")
    integ.set_step("Acme/Staging/Stock", 2, "method", "get")
    integ.set_step("Acme/Staging/Stock", 3, "expression", '{"sku": sku, "free": onHand - reserved}')
    integ.start_flow("Acme/Staging/Stock")
    integ.send_messages("Acme/Staging/Stock", payload={"tick": 1})
    assert running.worker().drain() == 1
    [got] = target.requests
    assert (got.method, got.path, got.body) == ("GET", "/stock?site=1", None)
    assert got.headers["Authorization"] == "Basic " + base64.b64encode(b"svc:pw-spare").decode()
    [logged] = integ.list_events("Acme/Staging/Stock", kinds=["log.written"])
    assert logged.detail["payload"] == {"sku": "NW-1", "free": 7}
    assert "pw-spare" not in repr(integ.list_events(limit=1000))


def test_several_threads_share_the_queue_and_run_each_message_once(running):
    integ = running.as_("integrator")
    integ.set_step(ORDERS, 2, "expression", '{"seq": seq}')
    integ.send_messages(ORDERS, count=200)
    worker = running.worker(concurrency=4)
    worker.start()
    try:
        from runtime_helpers import wait_for

        assert wait_for(lambda: integ.get_flow(ORDERS).queued_messages == 0, timeout=30)
    finally:
        worker.stop()
        worker.join(10)
    seqs = sorted(b["seq"] for b in running.target.bodies())
    assert seqs == list(range(1, 201))
    assert worker.counts.processed == 200
    assert sum(integ.flow_throughput(ORDERS, 1)) == 200
    rate = integ.throughput_rates("Acme/Staging")[integ.get_flow(ORDERS).id]
    assert rate == 200 / THROUGHPUT_RATE_MINUTES


def test_throughput_rates_of_a_page_of_flows_only_and_only_those_the_caller_sees(running):
    integ = running.as_("integrator")
    integ.send_messages(ORDERS, count=5)
    running.worker().drain()
    orders = integ.get_flow(ORDERS).id
    idle = integ.get_flow("Acme/Staging/Idle").id
    assert integ.throughput_rates("Acme/Staging", ids=[orders]) == {
        orders: 5 / THROUGHPUT_RATE_MINUTES}
    assert integ.throughput_rates("Acme/Staging", ids=[idle, orders, 99999]) == {
        idle: 0.0, orders: 5 / THROUGHPUT_RATE_MINUTES}
    assert integ.throughput_rates(ids=[]) == {}
    assert running.as_("outsider").throughput_rates(ids=[orders]) == {}
