"""DESIGN section 2c: several flows started, stopped or restarted as one change, and the
time-left list (every active Limited flow the caller can see, soonest deadline first)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flowdeck_world import EMAILS, T0

from store.clock import iso
from store.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from store.policy import WORK_TIME
from store.services.timeleft import parse_duration

H = timedelta(hours=1)


def _night(w):
    """Staging: Orders (3 queued) and Nightly A/B/C run out overnight, Manual is stopped by
    hand, Fresh is started in the morning; Production: Prod Job runs out too."""
    integ = w.as_("integrator")
    for name in ("Nightly A", "Nightly B", "Nightly C", "Manual", "Fresh"):
        integ.create_flow(f"Acme/Staging/{name}")
    integ.create_flow("Acme/Production/Prod Job")
    for name in ("Nightly A", "Nightly B", "Nightly C", "Manual"):
        integ.start_flow(f"Acme/Staging/{name}")
    integ.start_flow("Acme/Production/Prod Job")
    integ.stop_flow("Acme/Staging/Manual")
    w.clock.advance(hours=9)
    integ.start_flow("Acme/Staging/Fresh")
    return integ


def _events(w, path, kinds=("flow.stopped", "flow.started")):
    return [(e.kind, e.detail) for e in reversed(w.as_("integrator").list_events(path, limit=20))
            if e.kind in kinds]


def test_restart_what_the_limit_stopped_in_one_change(fresh_world):
    w = fresh_world
    integ = _night(w)
    now = w.clock.now()
    done = integ.run_flows("restart", scope="Acme/Staging", stop_reason="work_time_limit")
    assert [r.path for r in done.flows] == [
        "Acme/Staging/Nightly A", "Acme/Staging/Nightly B", "Acme/Staging/Nightly C",
        "Acme/Staging/Orders"]
    assert done.changed == 4 and done.lost_messages == 0 and done.done
    assert {(r.before, r.status, r.outcome) for r in done.flows} == {
        ("stopped", "active", "restarted")}
    for r in done.flows:
        f = integ.get_flow(r.path)
        assert (f.status, f.started_at, f.deadline) == ("active", now, now + WORK_TIME)
        assert r.deadline == now + WORK_TIME and r.remaining_seconds == 8 * 3600
    assert integ.get_flow("Acme/Staging/Manual").status == "stopped"
    assert integ.get_flow("Acme/Staging/Fresh").started_at == now  # untouched
    assert integ.get_flow("Acme/Production/Prod Job").status == "stopped"
    # a stopped flow's restart only starts it: one flow.started, nothing dropped again
    assert _events(w, "Acme/Staging/Nightly A")[-1] == (
        "flow.started", {"deadline": iso(now + WORK_TIME), "workspace_kind": "limited"})
    # the whole contract, stopped by the limit, limited workspaces only
    done = integ.run_flows("restart", scope="Acme", status="stopped",
                           stop_reason="work_time_limit", kind="limited")
    assert [r.path for r in done.flows] == ["Acme/Production/Prod Job"]


def test_restart_of_active_flows_reports_what_each_dropped(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    integ.create_flow("Acme/Staging/Second")
    integ.start_flow("Acme/Staging/Second")
    integ.send_messages("Acme/Staging/Second", count=2)
    w.clock.advance(minutes=30)
    plan = integ.plan_flows("restart", ["Acme/Staging/Orders", "Acme/Staging/Second"])
    before = w.store.revision()
    assert (plan.changed, plan.lost_messages, plan.done) == (2, 5, False)
    assert w.store.revision() == before
    done = integ.run_flows("restart", ["Acme/Staging/Orders", "Acme/Staging/Second"])
    assert [(r.path, r.lost_messages) for r in done.flows] == [
        ("Acme/Staging/Orders", 3), ("Acme/Staging/Second", 2)]
    assert (done.changed, done.lost_messages) == (2, 5)
    assert _events(w, "Acme/Staging/Second")[-2:] == [
        ("flow.stopped", {"lost_messages": 2, "reason": "manual"}),
        ("flow.started", {"deadline": iso(T0 + 30 * timedelta(minutes=1) + WORK_TIME),
                          "workspace_kind": "limited"})]
    f = integ.get_flow("Acme/Staging/Second")
    assert f.queued_messages == 0 and f.deadline == w.clock.now() + WORK_TIME
    # the single restart says what it dropped, too
    integ.send_messages("Acme/Staging/Orders", count=4)
    assert integ.restart_flow("Acme/Staging/Orders").lost_messages == 4
    stopped = integ.run_flows("stop", ids=[f.id, integ.get_flow("Acme/Staging/Orders").id])
    assert stopped.changed == 2 and {r.status for r in stopped.flows} == {"stopped"}


def test_a_refusal_names_its_flow_and_changes_nothing(fresh_world):
    w = fresh_world
    integ = _night(w)
    wowner = w.as_("workspace_owner")
    wowner.create_workspace("Acme/Private")  # ivan has no role there
    wowner.create_flow("Acme/Private/Secretive")
    before = w.store.revision()
    owner = w.as_("contract_owner")  # sees every workspace, runs flows in none
    with pytest.raises(PermissionDenied) as refused:
        owner.run_flows("restart", scope="Acme", stop_reason="work_time_limit")
    assert str(refused.value).startswith("Acme/Production/Prod Job: to start and stop flows")
    guest = w.as_("guest")
    # each refusal names the flow (pytest.raises' match searches the message)
    with pytest.raises(PermissionDenied, match="Acme/Staging/Nightly A"):
        guest.run_flows("restart", ["Acme/Staging/Nightly A", "Acme/Staging/Nightly B"])
    with pytest.raises(NotFound, match="Acme/Private"):
        integ.run_flows("start", ["Acme/Staging/Nightly A", "Acme/Private/Secretive"])
    with pytest.raises(Conflict, match="Acme/Staging/Fresh is already active"):
        integ.run_flows("start", ["Acme/Staging/Nightly A", "Acme/Staging/Fresh"])
    manual = re.escape("Acme/Staging/Manual is not active; it is stopped (manual)")
    with pytest.raises(Conflict, match=manual):
        integ.run_flows("stop", ["Acme/Staging/Fresh", "Acme/Staging/Manual"])
    assert w.store.revision() == before
    assert integ.get_flow("Acme/Staging/Nightly A").status == "stopped"
    # a suspended contract refuses too, naming the flow
    w.as_("support").suspend_contract("Acme")
    with pytest.raises(Conflict, match="Acme/Staging/Fresh: contract Acme is suspended"):
        integ.run_flows("restart", scope="Acme/Staging")
    with pytest.raises(PermissionDenied, match="read-only"):
        w.as_("integrator", readonly=True).run_flows("restart", ["Acme/Staging/Fresh"])


def test_filters_pick_what_each_action_can_do(fresh_world):
    w = fresh_world
    integ = _night(w)
    # start picks the flows that are not active; stop the active ones
    assert [r.path for r in integ.plan_flows("start", scope="Acme/Staging").flows] == [
        "Acme/Staging/Idle", "Acme/Staging/Manual", "Acme/Staging/Nightly A",
        "Acme/Staging/Nightly B", "Acme/Staging/Nightly C", "Acme/Staging/Orders"]
    assert [r.path for r in integ.plan_flows("stop", scope="Acme").flows] == ["Acme/Staging/Fresh"]
    assert integ.run_flows("restart", scope="Acme/Staging", kind="full").changed == 0
    for action, kw, words in [
        ("start", {"status": "active"}, "already started"),
        ("stop", {"stop_reason": "manual"}, "only active flows"),
        ("restart", {"status": "active", "stop_reason": "manual"}, "stop reason"),
        ("restart", {"status": "asleep"}, "status 'asleep'"),
        ("restart", {"kind": "huge"}, "workspace kind"),
        ("launch", {}, "start, stop or restart"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            integ.run_flows(action, scope="Acme/Staging", **kw)
    with pytest.raises(InvalidInput, match="not both"):
        integ.run_flows("start", ["Acme/Staging/Idle"], scope="Acme/Staging")
    with pytest.raises(InvalidInput, match="name the flows"):
        integ.run_flows("start")


def test_time_left_soonest_first_across_contracts_and_only_what_one_sees(fresh_world):
    w = fresh_world
    e = EMAILS
    outsider = w.as_("outsider")
    outsider.invite_member("Globex", e["integrator"], "member")
    outsider.create_workspace("Globex/Hidden")  # ivan is not in it
    outsider.add_workspace_member("Globex/Lab", e["integrator"], "integrator")
    outsider.create_flow("Globex/Lab/Early")
    outsider.create_flow("Globex/Hidden/Earliest")
    integ = w.as_("integrator")
    integ.create_flow("Acme/Production/Later")
    integ.create_flow("Acme/Staging/Latest")
    outsider.start_flow("Globex/Hidden/Earliest")  # T0: the soonest, but not ivan's to see
    w.clock.advance(minutes=10)
    outsider.start_flow("Globex/Lab/Early")  # stops at T0 + 8:10
    w.clock.advance(minutes=10)
    integ.start_flow("Acme/Production/Later")  # T0 + 8:20
    w.clock.advance(minutes=5)
    w.as_("support").convert_workspace("Acme/Staging", "full")
    w.as_("support").convert_workspace("Acme/Staging", "limited")  # Orders: T0 + 8:25
    w.clock.advance(minutes=10)
    integ.start_flow("Acme/Staging/Latest")  # T0 + 8:35
    count, flows = integ.time_left_page()
    assert count == 4
    assert [f.path for f in flows] == ["Globex/Lab/Early", "Acme/Production/Later",
                                       "Acme/Staging/Orders", "Acme/Staging/Latest"]
    assert [f.remaining_seconds for f in flows] == [
        8 * 3600 - 25 * 60, 8 * 3600 - 15 * 60, 8 * 3600 - 10 * 60, 8 * 3600]
    assert "Globex/Hidden/Earliest" in [f.path for f in w.as_("support").time_left_page()[1]]
    # paged, narrowed to what stops within a duration, filtered on the path
    assert integ.time_left_page(offset=1, limit=2) == (4, flows[1:3])
    w.clock.advance(hours=7, minutes=30)  # T0 + 8:05
    assert [f.path for f in integ.time_left_page(within="10m")[1]] == ["Globex/Lab/Early"]
    assert integ.time_left_page(within=timedelta(minutes=25))[0] == 3
    assert integ.time_left_page("Acme", within="25m")[0] == 2
    assert integ.time_left_page("Acme/Staging", within=1800)[0] == 2
    assert [f.path for f in integ.time_left_page(search="prod")[1]] == ["Acme/Production/Later"]
    assert integ.time_left_page(search="prod")[0] == 1
    found = integ.time_left_page(search="STAGING/lat")
    assert (found[0], [f.path for f in found[1]]) == (1, ["Acme/Staging/Latest"])
    assert [f.path for f in integ.time_left_page(search="globex")[1]] == ["Globex/Lab/Early"]
    assert integ.time_left_page(search="ord")[0] == 1 and integ.time_left_page(search="zz")[0] == 0
    # a flow that stops leaves the list
    w.clock.advance(minutes=11)
    assert [f.path for f in integ.time_left_page()[1]][0] == "Acme/Production/Later"
    with pytest.raises(NotFound):
        integ.time_left_page("Globex/Hidden")


@pytest.mark.parametrize(("text", "seconds"), [
    ("1h", 3600), ("30m", 1800), ("90s", 90), ("1h30m", 5400), ("2d", 172800), (" 1H ", 3600)])
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "1", "h", "30 m", "1m1h", "-1h", "0m", "1.5h",
                                  "99999999999s", "1h 30m"])
def test_bad_durations(text):
    with pytest.raises(InvalidInput):
        parse_duration(text)
