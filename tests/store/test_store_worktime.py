"""DESIGN section 2: work time (a flow's life, its deadline, stopped at it whoever looks)
and converting a workspace between Limited and Full.

The world (tests/flowdeck_world.py) has ``Acme/Staging/Orders`` active since
T0 in a limited workspace, with 3 queued messages, so its deadline is T0+8h.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flowdeck_world import IDLE, ORDERS, T0
from store_checks import events, overdue_active, queued_rows, to_full

EIGHT_HOURS = timedelta(hours=8)


# -- the life of a flow ------------------------------------------------------------


def test_a_flow_is_inactive_until_first_started_then_active_or_stopped(fresh_world):
    integ = fresh_world.as_("integrator")
    idle = integ.get_flow(IDLE)
    assert (idle.status, idle.started_at, idle.deadline, idle.stopped_at) == ("inactive", None, None, None)
    assert integ.start_flow(IDLE).status == "active"
    assert integ.stop_flow(IDLE).status == "stopped"
    assert integ.start_flow(IDLE).status == "active"


def test_starting_a_limited_flow_sets_deadline_eight_hours_later(fresh_world):
    w = fresh_world
    w.clock.advance(minutes=7, seconds=13)
    flow = w.as_("integrator").start_flow(IDLE)
    assert flow.workspace_kind == "limited"
    assert flow.started_at == T0 + timedelta(minutes=7, seconds=13)
    assert flow.deadline == flow.started_at + timedelta(hours=8)
    assert flow.remaining_seconds == 8 * 3600
    w.clock.advance(hours=3)
    assert w.as_("guest").get_flow(IDLE).remaining_seconds == 5 * 3600


def test_a_full_flow_has_no_deadline(fresh_world):
    w = fresh_world
    to_full(w)
    flow = w.as_("integrator").start_flow(IDLE)
    assert flow.status == "active" and flow.workspace_kind == "full"
    assert flow.deadline is None and flow.remaining_seconds is None
    w.clock.advance(days=40)
    assert w.as_("integrator").get_flow(IDLE).status == "active"


def test_overdue_flow_stopped_at_its_deadline_not_when_noticed(fresh_world):
    w = fresh_world
    w.clock.advance(hours=11, minutes=17, seconds=5)  # nobody looked for 3h17m
    flow = w.as_("guest").get_flow(ORDERS)
    assert flow.status == "stopped"
    assert flow.stop_reason == "work_time_limit"
    assert flow.stopped_at == T0 + EIGHT_HOURS
    # a stopped flow has no deadline and no remaining time
    assert flow.deadline is None and flow.remaining_seconds is None


def test_flow_is_active_one_second_before_its_deadline_and_stopped_at_it(fresh_world):
    w = fresh_world
    w.clock.set(T0 + EIGHT_HOURS - timedelta(seconds=1))
    flow = w.as_("guest").get_flow(ORDERS)
    assert flow.status == "active" and flow.remaining_seconds == 1
    w.clock.advance(seconds=1)
    flow = w.as_("guest").get_flow(ORDERS)
    assert flow.status == "stopped" and flow.stopped_at == T0 + EIGHT_HOURS


@pytest.mark.parametrize("trigger", ["read by a guest", "write by the workspace owner",
                                     "sweep by the system", "read by support staff"])
def test_auto_stop_discards_queue_and_records_lost_messages_as_system(fresh_world, trigger):
    w = fresh_world
    flow_id = w.as_("guest").get_flow(ORDERS).id
    assert queued_rows(w.store, flow_id) == 3
    w.clock.advance(hours=9)
    if trigger == "read by a guest":
        w.as_("guest").list_flows("Acme/Staging")
    elif trigger == "write by the workspace owner":
        w.as_("workspace_owner").rename_workspace("Acme/Staging", "Sandbox")
        w.as_("workspace_owner").rename_workspace("Acme/Sandbox", "Staging")
    elif trigger == "sweep by the system":
        result = w.as_(None).sweep()
        assert (result.stopped, result.lost_messages, result.flows) == (1, 3, [ORDERS])
    else:
        w.as_("support").get_flow(ORDERS)
    assert queued_rows(w.store, flow_id) == 0
    flow = w.as_("integrator").get_flow(ORDERS)
    assert flow.queued_messages == 0 and all(s.queued == 0 for s in flow.steps)
    stops = events(w.as_("integrator"), ORDERS, "flow.auto_stopped")
    assert len(stops) == 1
    (stop,) = stops
    assert stop.actor == "system"
    assert stop.detail["lost_messages"] == 3
    assert stop.at == T0 + EIGHT_HOURS
    assert stop.path == ORDERS
    # nothing else stopped it, and noticing it again records nothing more
    assert events(w.as_("integrator"), ORDERS, "flow.stopped") == []
    w.as_(None).sweep()
    w.as_("guest").get_flow(ORDERS)
    assert len(events(w.as_("integrator"), ORDERS, "flow.auto_stopped")) == 1


def test_enforcement_sweep_is_idempotent(fresh_world):
    w = fresh_world
    w.clock.advance(hours=8)
    first = w.as_(None).sweep()
    before = w.store.revision()
    second = w.as_(None).sweep()
    assert (first.stopped, second.stopped) == (1, 0)
    assert w.store.revision() == before  # a sweep with nothing to do changes nothing
    assert len(events(w.as_("support"), ORDERS, "flow.auto_stopped")) == 1


def test_sweep_alone_stops_overdue_flows_with_no_reader(fresh_world):
    """(c): the `flowdeck enforce` worker stops flows on time with no TUI open."""
    w = fresh_world
    w.clock.advance(hours=8, seconds=1)
    assert overdue_active(w.store, w.clock.now()) == 1  # nobody has looked yet
    w.as_(None).sweep()
    assert overdue_active(w.store, w.clock.now()) == 0


def test_no_observer_sees_overdue_flow_active(fresh_world):
    w = fresh_world
    orders_id = w.as_("guest").get_flow(ORDERS).id
    w.clock.set(T0 + EIGHT_HOURS)  # exactly the deadline; no sweep has run
    for role in ("integrator", "guest", "contract_owner", "support"):
        fd = w.as_(role)
        assert fd.get_flow(ORDERS).status == "stopped", role
        assert {f.path: f.status for f in fd.list_flows("Acme/Staging")}[ORDERS] == "stopped"
        assert ORDERS not in {f.path for f in fd.list_flows(status="active")}
        assert fd.count_flows("Acme/Staging", status="active") == 0
        assert fd.flow_views_by_id([orders_id])[orders_id].status == "stopped"
        assert fd.get_workspace("Acme/Staging").active_flows == 0
        assert all(v.active_flows == 0 for v in fd.list_workspaces("Acme") if v.name == "Staging")
    assert w.as_("contract_owner").workspace_deletion_plan("Acme/Staging").active_flows == 0
    # a read-only session and the system see it stopped too
    assert w.as_("guest", readonly=True).get_flow(ORDERS).status == "stopped"
    assert w.as_(None).get_flow(ORDERS).status == "stopped"
    assert len(events(w.as_("support"), ORDERS, "flow.auto_stopped")) == 1


def test_readonly_session_still_enforces_work_time(fresh_world):
    w = fresh_world
    w.clock.advance(hours=10)
    viewer = w.as_("integrator", readonly=True)
    flow = viewer.get_flow(ORDERS)
    assert flow.status == "stopped" and flow.stopped_at == T0 + EIGHT_HOURS
    assert overdue_active(w.store, w.clock.now()) == 0


# -- conversions -------------------------------------------------------------------


def test_converting_to_full_clears_deadlines(fresh_world):
    w = fresh_world
    w.clock.advance(hours=7)
    view = w.as_("support").convert_workspace("Acme/Staging", "full")
    assert view.kind == "full"
    flow = w.as_("integrator").get_flow(ORDERS)
    assert flow.status == "active" and flow.deadline is None and flow.remaining_seconds is None
    assert flow.started_at == T0
    assert flow.queued_messages == 3  # converting drops nothing
    w.clock.advance(days=10)
    w.as_(None).sweep()
    assert w.as_("integrator").get_flow(ORDERS).status == "active"
    (conv,) = events(w.as_("integrator"), "Acme/Staging", "workspace.converted")
    assert conv.detail["from"] == "limited" and conv.detail["to"] == "full"
    assert conv.actor == w.emails["support"]


def test_converting_to_limited_gives_fresh_deadline_from_conversion_time(fresh_world):
    w = fresh_world
    to_full(w)
    integ = w.as_("integrator")
    integ.start_flow(IDLE)  # at T0, no deadline
    w.clock.advance(hours=30, minutes=10)
    w.as_("support").convert_workspace("Acme/Staging", "limited")
    for path in (ORDERS, IDLE):
        flow = integ.get_flow(path)
        assert flow.status == "active"
        assert flow.deadline == T0 + timedelta(hours=38, minutes=10)  # not started_at + 8 h
        assert flow.remaining_seconds == 8 * 3600
    w.clock.set(T0 + timedelta(hours=38, minutes=10))
    assert integ.get_flow(IDLE).stopped_at == T0 + timedelta(hours=38, minutes=10)


def test_converting_an_overdue_flow_stops_it_at_its_deadline_first(fresh_world):
    w = fresh_world
    w.clock.advance(hours=9)  # Orders is overdue, nobody noticed
    w.as_("support").convert_workspace("Acme/Staging", "full")
    flow = w.as_("integrator").get_flow(ORDERS)
    assert flow.status == "stopped" and flow.stopped_at == T0 + EIGHT_HOURS
    assert flow.stop_reason == "work_time_limit"


def test_converting_leaves_inactive_and_stopped_flows_alone(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    integ.stop_flow(ORDERS)
    to_full(w)
    w.as_("support").convert_workspace("Acme/Staging", "limited")
    assert integ.get_flow(ORDERS).status == "stopped"
    assert integ.get_flow(IDLE).status == "inactive"
    assert integ.get_flow(IDLE).deadline is None
