"""The README journey, through the real ``flowdeck`` script from an empty store.

Register people, make a contract with a Limited and a Full workspace, add
credentials and flows with steps, start them, watch the countdown in
``flow show --json`` as ``--now`` moves, and see the Limited flow stopped
at exactly its deadline, its lost messages in ``events --json``, while the
Full workspace's flow runs on.
"""

from __future__ import annotations

from datetime import timedelta

from flowdeck_world import T0

from store.clock import iso

ANN, BOB, CARL = "ann@example.com", "bob@example.com", "carl@example.com"
SECRET = "s3cr3t-journey-token"
H = timedelta(hours=1)


def test_journey_from_empty_store_to_auto_stop(cli):
    # people: the first user needs no caller and becomes support staff
    r = cli("user", "add", ANN, "--name", "Ann Support")
    assert "support staff" in r.out
    cli("user", "add", BOB, "--name", "Bob Builder", user=ANN)
    cli("user", "add", CARL, "--name", "Carl Coder", user=ANN)
    users = cli("user", "list", "--json", user=BOB).json
    assert [(u["email"], u["support"]) for u in users] == [(ANN, True), (BOB, False), (CARL, False)]

    # a contract, a member, two workspaces; support makes one Full
    cli("contract", "create", "Acme", user=BOB)
    cli("member", "invite", "Acme", CARL, "--role", "member", user=BOB)
    cli("workspace", "create", "Acme/Staging", user=BOB)
    cli("workspace", "create", "Acme/Production", user=BOB)
    cli("workspace", "member", "add", "Acme/Staging", CARL, "--role", "integrator", user=BOB)
    r = cli("workspace", "convert", "Acme/Production", "--to", "full", user=ANN)
    assert "Full" in r.out
    kinds = {w["path"]: w["kind"] for w in cli("workspace", "list", "Acme", "--json", user=BOB).json}
    assert kinds == {"Acme/Staging": "limited", "Acme/Production": "full"}

    # credentials and flows with steps, built by the integrator
    cli("credential", "add", "Acme/Staging/CRM", "--component", "http", "--secret", f"token={SECRET}",
        user=CARL)
    cli("credential", "add", "Acme/Production/CRM", "--component", "http", "--secret", "token=prod",
        user=BOB)
    r = cli("flow", "create", "Acme/Staging/Orders", "--step", "webhook", "--step", "transform",
            "--step", "http:CRM", user=CARL)
    assert "webhook, transform, http(CRM)" in r.out
    cli("flow", "step", "set", "Acme/Staging/Orders", "2", "expression", '{"id": order.id}', user=CARL)
    cli("flow", "step", "set", "Acme/Staging/Orders", "3", "url", "https://crm.example/orders",
        user=CARL)
    r = cli("flow", "copy", "Acme/Staging/Orders", "Acme/Production", user=BOB)
    assert "Acme/Production/Orders" in r.out

    # start both at T0 and queue some messages in the Limited one
    r = cli("flow", "start", "Acme/Staging/Orders", user=CARL)
    assert iso(T0 + 8 * H) in r.out and "8:00:00" in r.out
    r = cli("flow", "start", "Acme/Production/Orders", user=BOB)
    assert "no work-time limit" in r.out
    r = cli("message", "send", "Acme/Staging/Orders", "--count", "5", user=CARL)
    assert "5 queued" in r.out

    shown = cli("flow", "show", "Acme/Staging/Orders", "--json", user=CARL).json
    assert shown["status"] == "active" and shown["workspace_kind"] == "limited"
    assert shown["started_at"] == iso(T0) and shown["deadline"] == iso(T0 + 8 * H)
    assert shown["remaining_seconds"] == 8 * 3600 and shown["queued_messages"] == 5
    assert [(s["component"], s["credential"]) for s in shown["steps"]] == [
        ("webhook", None), ("transform", None), ("http", "CRM")]
    assert shown["steps"][0]["queued"] == 5
    assert shown["steps"][2]["settings"] == {"url": "https://crm.example/orders"}

    # the countdown as time moves on
    later = cli("flow", "show", "Acme/Staging/Orders", "--json", user=CARL,
                now=T0 + timedelta(minutes=90)).json
    assert later["remaining_seconds"] == 8 * 3600 - 90 * 60
    table = cli("flow", "list", "Acme", user=BOB, now=T0 + H + timedelta(seconds=1)).out
    assert "6:59:59" in table and "no limit" in table
    last = cli("flow", "list", "--json", user=BOB, now=T0 + 8 * H - timedelta(seconds=1)).json
    by_path = {f["path"]: f for f in last}
    assert by_path["Acme/Staging/Orders"]["remaining_seconds"] == 1
    assert by_path["Acme/Production/Orders"]["deadline"] is None
    assert by_path["Acme/Production/Orders"]["remaining_seconds"] is None

    # an hour after the deadline: stopped at the deadline, not when someone looked
    after = T0 + 9 * H
    stopped = cli("flow", "show", "Acme/Staging/Orders", "--json", user=CARL, now=after).json
    assert stopped["status"] == "stopped" and stopped["stop_reason"] == "work_time_limit"
    assert stopped["stopped_at"] == iso(T0 + 8 * H)
    assert stopped["deadline"] is None and stopped["remaining_seconds"] is None
    assert stopped["queued_messages"] == 0
    events = cli("events", "Acme/Staging/Orders", "--json", user=CARL, now=after).json
    assert events[0]["kind"] == "flow.auto_stopped"
    assert events[0]["actor"] == "system" and events[0]["at"] == iso(T0 + 8 * H)
    assert events[0]["detail"]["lost_messages"] == 5
    assert events[0]["path"] == "Acme/Staging/Orders"
    assert [e["at"] for e in events] == sorted((e["at"] for e in events), reverse=True)

    production = cli("flow", "show", "Acme/Production/Orders", "--json", user=BOB, now=after).json
    assert production["status"] == "active" and production["deadline"] is None

    # a person restarts it for a fresh eight hours; a manual stop reports what it dropped
    r = cli("flow", "restart", "Acme/Staging/Orders", user=CARL, now=after)
    assert iso(after + 8 * H) in r.out
    cli("message", "send", "Acme/Staging/Orders", "--count", "2", user=CARL, now=after)
    r = cli("flow", "stop", "Acme/Staging/Orders", user=CARL, now=after)
    assert "dropped 2 queued messages" in r.out
    r = cli("flow", "stop", "Acme/Production/Orders", user=BOB, now=after)
    assert "dropped 0 queued messages" in r.out
