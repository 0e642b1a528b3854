"""DESIGN section 2: pruning the flow log (Limited and Full), never the audit trail."""

from __future__ import annotations

from datetime import timedelta

from flowdeck_world import IDLE, ORDERS, T0
from store_checks import add_log_entries, count, log_times, to_full

from store.models import Event


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
