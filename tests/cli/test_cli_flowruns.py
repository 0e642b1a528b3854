"""The morning round on the command line (DESIGN section 2c): restart what the limit stopped
in one command, all or none, then list what stops next."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flowdeck_world import EMAILS, T0

from store.clock import iso

INTEG, WOWNER = EMAILS["integrator"], EMAILS["workspace_owner"]
H = timedelta(hours=1)


def _overnight(world):
    """Nightly A and B run out with Orders (3 queued) at T0 + 8 h; Manual is stopped by hand;
    Acme/Private holds Guarded, which also runs out, where ivan is only a guest."""
    integ = world.as_("integrator")
    for name in ("Nightly A", "Nightly B", "Manual"):
        integ.create_flow(f"Acme/Staging/{name}")
        integ.start_flow(f"Acme/Staging/{name}")
    integ.stop_flow("Acme/Staging/Manual")
    wowner = world.as_("workspace_owner")
    wowner.create_workspace("Acme/Private")
    wowner.add_workspace_member("Acme/Private", INTEG, "guest")
    wowner.create_flow("Acme/Private/Guarded")
    wowner.start_flow("Acme/Private/Guarded")


def test_restart_everything_the_limit_stopped_in_one_command(world, world_cli):
    cli = world_cli
    _overnight(world)
    morning = T0 + 9 * H
    r = cli("flow", "restart", "--in", "Acme/Staging", "--stop-reason", "work_time_limit",
            user=INTEG, now=morning)
    fresh = iso(morning + 8 * H)
    assert r.lines == [
        f"restarted Acme/Staging/{name}; it stops at {fresh} (8:00:00 from now) unless "
        "restarted; dropped 0 queued messages" for name in ("Nightly A", "Nightly B", "Orders")
    ] + ["restarted 3 flows; dropped 0 queued messages in all"]
    listed = {f["path"]: f for f in cli("flow", "list", "Acme", "--json", user=INTEG,
                                        now=morning).json}
    for name in ("Nightly A", "Nightly B", "Orders"):
        f = listed[f"Acme/Staging/{name}"]
        assert (f["status"], f["started_at"], f["deadline"]) == ("active", iso(morning), fresh)
        assert f["remaining_seconds"] == 8 * 3600
    assert (listed["Acme/Staging/Manual"]["status"],
            listed["Acme/Staging/Manual"]["stop_reason"]) == ("stopped", "manual")
    assert listed["Acme/Staging/Idle"]["status"] == "inactive"
    assert listed["Acme/Private/Guarded"]["status"] == "stopped"
    # nothing left to restart: an answer, not an error
    r = cli("flow", "restart", "--in", "Acme/Staging", "--stop-reason", "work_time_limit",
            user=INTEG, now=morning)
    assert r.out == "restarted 0 flows; dropped 0 queued messages in all\n"
    assert "nothing changed" in r.err


def test_a_bulk_request_with_one_forbidden_flow_changes_nothing_and_names_it(world, world_cli):
    cli = world_cli
    _overnight(world)
    morning = T0 + 9 * H
    before = cli("events", "--json", "--limit", "100", user=WOWNER, now=morning).json
    r = cli("flow", "restart", "Acme/Staging/Nightly A", "Acme/Private/Guarded",
            "Acme/Staging/Nightly B", user=INTEG, now=morning, expect=3)
    assert r.err.startswith("permission denied: Acme/Private/Guarded: to start and stop flows")
    r = cli("flow", "restart", "--in", "Acme", "--stop-reason", "work_time_limit", user=INTEG,
            now=morning, expect=3)
    assert "Acme/Private/Guarded" in r.err
    r = cli("flow", "stop", "Acme/Staging/Manual", "Acme/Staging/Nightly A", user=INTEG,
            now=morning, expect=1)
    assert r.err == "error: flow Acme/Staging/Manual is not active; it is stopped (manual)\n"
    assert cli("events", "--json", "--limit", "100", user=WOWNER, now=morning).json == before
    for name in ("Nightly A", "Nightly B"):
        f = cli("flow", "show", f"Acme/Staging/{name}", "--json", user=INTEG, now=morning).json
        assert (f["status"], f["stop_reason"]) == ("stopped", "work_time_limit")


def test_stop_and_restart_many_say_what_each_dropped(world, world_cli):
    cli = world_cli
    integ = world.as_("integrator")
    integ.create_flow("Acme/Staging/Second")
    integ.start_flow("Acme/Staging/Second")
    integ.send_messages("Acme/Staging/Second", count=2)
    r = cli("flow", "restart", "Acme/Staging/Orders", "Acme/Staging/Second", "--json", user=INTEG)
    done = r.json
    assert (done["action"], done["changed"], done["lost_messages"]) == ("restart", 2, 5)
    assert [(f["path"], f["before"], f["status"], f["lost_messages"], f["deadline"])
            for f in done["flows"]] == [
        ("Acme/Staging/Orders", "active", "active", 3, iso(T0 + 8 * H)),
        ("Acme/Staging/Second", "active", "active", 2, iso(T0 + 8 * H))]
    cli("message", "send", "Acme/Staging/Second", "--count", "4", user=INTEG)
    r = cli("flow", "restart", "Acme/Staging/Second", user=INTEG)
    assert r.out.endswith("; dropped 4 queued messages\n") and len(r.lines) == 1
    cli("message", "send", "Acme/Staging/Orders", "--count", "1", user=INTEG)
    r = cli("flow", "stop", "--in", "Acme/Staging", user=INTEG)
    assert r.lines == ["stopped Acme/Staging/Orders; dropped 1 queued message",
                       "stopped Acme/Staging/Second; dropped 0 queued messages",
                       "stopped 2 flows; dropped 1 queued message in all"]
    events = cli("events", "Acme/Staging/Second", "--json", user=INTEG).json
    assert [(e["kind"], e["detail"].get("lost_messages")) for e in events[:3]] == [
        ("flow.stopped", 0), ("flow.started", None), ("flow.stopped", 4)]


def test_what_stops_next(world, world_cli):
    cli = world_cli
    integ = world.as_("integrator")
    world.clock.advance(hours=1)
    integ.create_flow("Acme/Production/Later")
    integ.start_flow("Acme/Production/Later")  # stops at T0 + 9 h; Orders at T0 + 8 h
    outsider = world.as_("outsider")
    outsider.create_flow("Globex/Lab/Unseen")
    outsider.start_flow("Globex/Lab/Unseen")
    at = T0 + 7 * H + 30 * timedelta(minutes=1)
    r = cli("flow", "list", "--within", "1h", user=INTEG, now=at)
    assert [ln.split()[0] for ln in r.lines[1:]] == ["Acme/Staging/Orders"]
    assert "0:30:00" in r.out
    listed = cli("flow", "list", "--within", "1h30m", "--json", user=INTEG, now=at).json
    assert [(f["path"], f["remaining_seconds"]) for f in listed] == [
        ("Acme/Staging/Orders", 1800), ("Acme/Production/Later", 5400)]
    r = cli("flow", "list", "--within", "10m", user=INTEG, now=at)
    assert r.out == "" and "no active Limited flow stops within 10m" in r.err
    ordered = cli("flow", "list", "Acme", "--sort", "remaining", "--json", user=INTEG, now=at).json
    assert [f["path"] for f in ordered][:2] == ["Acme/Staging/Orders", "Acme/Production/Later"]
    assert all(f["path"] != "Globex/Lab/Unseen" for f in ordered + listed)


@pytest.mark.parametrize(("args", "words"), [
    (["flow", "list", "--within", "1x"], "'--within'"),
    (["flow", "list", "--within", "0m"], "'--within'"),
    (["flow", "list", "--within", ""], "'--within'"),
    (["flow", "list", "--within", "1h", "--status", "stopped"], "'--status'"),
    (["flow", "list", "--sort", "colour"], "'--sort'"),
    (["flow", "restart", "Acme/Staging/Orders", "--in", "Acme"], "'--in'"),
    (["flow", "stop", "--status", "active"], "'--in'"),
    (["flow", "restart", "--in", "Acme", "--stop-reason", "sleepy"], "'--stop-reason'"),
    (["flow", "start", "--in", "Acme", "--kind", "huge"], "'--kind'"),
    (["flow", "restart"], "Missing argument"),
])
def test_usage_errors(cli, args, words):
    r = cli(*args, now=None, user="anyone@example.com", expect=2)
    assert r.err.startswith("error: ") and words in r.err and r.out == ""
