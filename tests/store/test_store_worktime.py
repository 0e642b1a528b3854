"""DESIGN section 2: work time, stops, conversions, queue caps and pruning.

The world (tests/flowdeck_world.py) has ``Acme/Staging/Orders`` active since
T0 in a limited workspace, with 3 queued messages, so its deadline is T0+8h.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flowdeck_world import T0
from store_checks import (
    add_log_entries,
    count,
    log_times,
    overdue_active,
    queued_rows,
)

from store import policy
from store.errors import Conflict, QuotaExceeded
from store.models import Event, Message

ORDERS = "Acme/Staging/Orders"
IDLE = "Acme/Staging/Idle"
EIGHT_HOURS = timedelta(hours=8)


def to_full(w, ws="Acme/Staging"):
    w.as_("support").convert_workspace(ws, "full")


def events(fd, path, kind):
    return fd.list_events(path, kinds=[kind], limit=1000)


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


# -- stops -------------------------------------------------------------------------


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


# -- queues ------------------------------------------------------------------------


def test_policy_numbers_are_the_designs():
    numbers = (policy.WORK_TIME, policy.QUEUE_CAP, policy.LOG_RETENTION,
               policy.LOG_MAX_ENTRIES["limited"])
    assert numbers == (timedelta(hours=8), {"limited": 1_000, "full": 75_000},
                       {"limited": timedelta(hours=24), "full": timedelta(days=30)}, 500)


def test_messages_go_only_into_an_active_flow(fresh_world):
    integ = fresh_world.as_("integrator")
    with pytest.raises(Conflict):
        integ.send_messages(IDLE)
    integ.stop_flow(ORDERS)
    with pytest.raises(Conflict):
        integ.send_messages(ORDERS)


def test_limited_queue_cap_refuses_the_next_message(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    flow_id = integ.get_flow(ORDERS).id
    # the cap counts every step's queue: the runtime moved the first 3 on to step 2
    w.store.run(lambda s: s.execute(
        Message.__table__.update().where(Message.flow_id == flow_id).values(step=2)), write=True)
    assert integ.send_messages(ORDERS, count=996) == 999
    with pytest.raises(QuotaExceeded):
        integ.send_messages(ORDERS, count=2)  # all or nothing
    assert integ.send_messages(ORDERS) == 1_000
    before = w.store.revision()
    with pytest.raises(QuotaExceeded) as refused:
        integ.send_messages(ORDERS)
    assert "1,000" in str(refused.value)
    assert w.store.revision() == before
    assert queued_rows(w.store, flow_id) == 1_000
    flow = integ.get_flow(ORDERS)
    assert flow.queued_messages == 1_000
    assert {s.position: s.queued for s in flow.steps} == {1: 997, 2: 3, 3: 0}


def test_full_queue_cap_refuses_the_next_message(fresh_world):
    w = fresh_world
    to_full(w)
    integ = w.as_("integrator")
    assert integ.send_messages(ORDERS, count=74_996) == 74_999
    assert integ.send_messages(ORDERS) == 75_000
    with pytest.raises(QuotaExceeded) as refused:
        integ.send_messages(ORDERS)
    assert "75,000" in str(refused.value)
    flow = integ.get_flow(ORDERS)
    assert flow.queued_messages == 75_000 and queued_rows(w.store, flow.id) == 75_000
    # a stop drops them all
    assert integ.stop_flow(ORDERS).queued_messages == 0
    assert queued_rows(w.store, flow.id) == 0
    assert events(integ, ORDERS, "flow.stopped")[0].detail["lost_messages"] == 75_000


def test_queue_cap_follows_the_workspace_kind_in_the_policy(fresh_world):
    """The cap applied is the policy's number for the flow's workspace kind."""
    w = fresh_world
    integ = w.as_("integrator")
    integ.send_messages(ORDERS, count=policy.queue_cap("limited") - 3)
    with pytest.raises(QuotaExceeded):
        integ.send_messages(ORDERS)
    to_full(w)
    assert integ.send_messages(ORDERS) == policy.queue_cap("limited") + 1


# -- the flow log and the audit trail ----------------------------------------------


def _contract_id(w):
    return w.as_("support").get_workspace("Acme/Staging").contract_id


def test_limited_flow_log_pruned_to_24_hours_and_500_entries(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    now = w.clock.now()
    orders, idle = integ.get_flow(ORDERS), integ.get_flow(IDLE)
    cid = _contract_id(w)
    # the world's message.sent is already in the log, at now; 600 more, older
    recent = [now - timedelta(minutes=i) for i in range(1, 601)]  # 10 hours' worth
    old = [now - timedelta(hours=24, seconds=1), now - timedelta(hours=30)]
    add_log_entries(w.store, orders, cid, recent + old)
    add_log_entries(w.store, idle, cid, [now - timedelta(hours=23, minutes=59, seconds=59),
                                         now - timedelta(hours=24, seconds=1)])
    result = w.as_(None).sweep()
    assert result.pruned_events == 101 + 2 + 1
    kept = log_times(w.store, orders.id)
    assert len(kept) == 500
    assert kept == [now, *recent[:499]]  # the newest 500
    assert log_times(w.store, idle.id) == [now - timedelta(hours=23, minutes=59, seconds=59)]


def test_full_flow_log_kept_30_days(fresh_world):
    w = fresh_world
    to_full(w)
    integ = w.as_("integrator")
    now = w.clock.now()
    orders = integ.get_flow(ORDERS)
    many = [now - timedelta(minutes=i) for i in range(1, 701)]  # no count cap when Full
    month = [now - timedelta(days=29, hours=23), now - timedelta(days=30, seconds=1),
             now - timedelta(days=45)]
    add_log_entries(w.store, orders, _contract_id(w), many + month)
    w.as_(None).sweep()
    assert log_times(w.store, orders.id) == [now, *many, month[0]]  # now: the world's message.sent


def test_pruning_runs_with_every_sweep(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    orders = integ.get_flow(ORDERS)
    add_log_entries(w.store, orders, _contract_id(w), [w.clock.now()])
    w.clock.advance(hours=23)
    assert w.as_(None).sweep().pruned_events == 0
    w.clock.advance(hours=1, seconds=1)
    assert w.as_(None).sweep().pruned_events == 2  # ours and the world's message.sent
    assert log_times(w.store, orders.id) == []


def test_audit_trail_never_pruned(fresh_world):
    w = fresh_world
    integ, support = w.as_("integrator"), w.as_("support")
    # starts, stops, auto-stops, reveals, conversions and membership, all recorded
    integ.start_flow(IDLE)
    integ.stop_flow(IDLE)
    integ.reveal_credential("Acme/Staging/CRM token")
    w.as_("workspace_owner").set_workspace_member_role("Acme/Staging", w.emails["guest"], "guest")
    w.clock.advance(hours=9)
    integ.get_flow(ORDERS)  # auto-stop
    support.convert_workspace("Acme/Staging", "full")
    support.convert_workspace("Acme/Staging", "limited")
    audit_before = count(w.store, Event, Event.category == "audit")
    kinds = {e.kind for e in support.list_events(limit=1000)}
    assert {"flow.started", "flow.stopped", "flow.auto_stopped", "credential.revealed",
            "workspace.converted", "workspace.member_role_changed", "member.invited"} <= kinds
    for days in (2, 40, 400):
        w.clock.set(T0 + timedelta(days=days))
        w.as_(None).sweep()
    assert count(w.store, Event, Event.category == "audit") == audit_before
    assert count(w.store, Event, Event.category == "log") == 0
    assert {e.kind for e in support.list_events(limit=1000)} >= kinds - {"message.sent"}
