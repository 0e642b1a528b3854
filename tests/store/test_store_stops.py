"""DESIGN section 2: stopping and restarting a flow (the queue dropped, the reasons recorded)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flowdeck_world import IDLE, ORDERS, T0
from store_checks import events, queued_rows

from store.errors import Conflict

EIGHT_HOURS = timedelta(hours=8)


def test_manual_stop_discards_queue_and_records_lost_messages(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    w.clock.advance(hours=1, seconds=30)
    flow = integ.stop_flow(ORDERS)
    assert flow.status == "stopped" and flow.stop_reason == "manual"
    assert flow.stopped_at == T0 + timedelta(hours=1, seconds=30)
    assert flow.deadline is None and flow.remaining_seconds is None
    assert flow.queued_messages == 0 and queued_rows(w.store, flow.id) == 0
    (stop,) = events(integ, ORDERS, "flow.stopped")
    assert stop.actor == w.emails["integrator"]
    assert stop.detail["lost_messages"] == 3
    # stopping a stopped flow is refused and records nothing
    with pytest.raises(Conflict):
        integ.stop_flow(ORDERS)
    assert len(events(integ, ORDERS, "flow.stopped")) == 1
    # and it is never auto-stopped afterwards
    w.clock.advance(days=2)
    assert events(integ, ORDERS, "flow.auto_stopped") == []


def test_stop_reasons_are_manual_work_time_limit_and_contract_suspended(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    integ.start_flow(IDLE)
    w.clock.advance(hours=1)
    assert integ.stop_flow(IDLE).stop_reason == "manual"
    integ.start_flow(IDLE)  # deadline T0+9h
    w.clock.advance(hours=7, minutes=30)  # T0+8h30: Orders is overdue, Idle is not
    assert integ.get_flow(ORDERS).stop_reason == "work_time_limit"
    w.as_("support").suspend_contract("Acme")
    idle = integ.get_flow(IDLE)
    assert (idle.status, idle.stop_reason) == ("stopped", "contract_suspended")
    assert idle.stopped_at == T0 + timedelta(hours=8, minutes=30)


def test_starting_an_active_flow_is_refused_and_keeps_deadline(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    w.clock.advance(hours=5)
    before = w.store.revision()
    with pytest.raises(Conflict) as refused:
        integ.start_flow(ORDERS)
    assert "already active" in str(refused.value)
    assert w.store.revision() == before
    flow = integ.get_flow(ORDERS)
    assert flow.started_at == T0 and flow.deadline == T0 + EIGHT_HOURS
    assert flow.queued_messages == 3
    assert len(events(integ, ORDERS, "flow.started")) == 1


def test_restart_drops_queue_records_stop_then_start_and_gives_fresh_eight_hours(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    w.clock.advance(hours=6)
    flow = integ.restart_flow(ORDERS)
    assert flow.status == "active"
    assert flow.started_at == T0 + timedelta(hours=6)
    assert flow.deadline == T0 + timedelta(hours=14)
    assert flow.queued_messages == 0 and queued_rows(w.store, flow.id) == 0
    newest_first = [e for e in integ.list_events(ORDERS, limit=10)
                    if e.kind in ("flow.stopped", "flow.started")]
    assert [e.kind for e in newest_first[:2]] == ["flow.started", "flow.stopped"]
    assert newest_first[1].detail["lost_messages"] == 3
    assert newest_first[0].at == newest_first[1].at == T0 + timedelta(hours=6)
    # the old deadline no longer applies
    w.clock.set(T0 + timedelta(hours=13, minutes=59, seconds=59))
    assert integ.get_flow(ORDERS).status == "active"
    w.clock.advance(seconds=1)
    assert integ.get_flow(ORDERS).stopped_at == T0 + timedelta(hours=14)


def test_restarting_an_overdue_flow_records_the_auto_stop_then_the_start(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    w.clock.advance(hours=9)
    flow = integ.restart_flow(ORDERS)
    assert flow.deadline == T0 + timedelta(hours=17)
    kinds = [e.kind for e in integ.list_events(ORDERS, limit=10)]
    assert kinds[:2] == ["flow.started", "flow.auto_stopped"]
    assert "flow.stopped" not in kinds


def test_stopped_flow_never_restarts_by_itself(fresh_world):
    w = fresh_world
    integ, support = w.as_("integrator"), w.as_("support")
    integ.start_flow(IDLE)
    integ.stop_flow(IDLE)
    w.clock.advance(hours=9)  # Orders auto-stops
    for _ in range(3):
        w.clock.advance(days=3)
        w.as_(None).sweep()
        integ.list_flows("Acme/Staging")
    support.convert_workspace("Acme/Staging", "full")
    support.convert_workspace("Acme/Staging", "limited")
    support.suspend_contract("Acme")
    support.resume_contract("Acme")
    w.clock.advance(days=30)
    w.as_(None).sweep()
    flows = {f.path: f for f in integ.list_flows("Acme/Staging")}
    assert flows[ORDERS].status == "stopped" and flows[ORDERS].stop_reason == "work_time_limit"
    assert flows[IDLE].status == "stopped" and flows[IDLE].stop_reason == "manual"
    assert len(events(integ, ORDERS, "flow.started")) == 1
    assert len(events(integ, IDLE, "flow.started")) == 1
