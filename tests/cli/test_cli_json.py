"""``--json``: one array per listing, one object per ``show``, with DESIGN section 4's keys."""

from __future__ import annotations

from flowdeck_world import EMAILS, SECRET, T0

from store.clock import iso

OWNER, INTEG, SUPPORT = EMAILS["contract_owner"], EMAILS["integrator"], EMAILS["support"]

CONTRACT_KEYS = {"id", "name", "status", "role"}
WORKSPACE_KEYS = {"id", "path", "name", "contract", "kind", "role"}
FLOW_KEYS = {"id", "path", "name", "workspace_kind", "status", "type", "started_at", "deadline",
             "remaining_seconds", "stopped_at", "stop_reason", "queued_messages", "steps"}
CREDENTIAL_KEYS = {"id", "path", "name", "component", "fields"}
EVENT_KEYS = {"at", "actor", "kind", "path", "detail"}


def test_listing_and_show_json_shapes(world_cli):
    cli = world_cli
    contracts = cli("contract", "list", "--json", user=OWNER).json
    assert isinstance(contracts, list) and contracts
    assert all(set(c) >= CONTRACT_KEYS for c in contracts)
    assert [(c["name"], c["status"], c["role"]) for c in contracts] == [("Acme", "active", "owner")]
    shown = cli("contract", "show", "Acme", "--json", user=OWNER).json
    assert set(shown) >= CONTRACT_KEYS and shown["name"] == "Acme"

    workspaces = cli("workspace", "list", "--json", user=INTEG).json
    assert all(set(w) >= WORKSPACE_KEYS for w in workspaces)
    assert {(w["path"], w["contract"], w["kind"], w["role"]) for w in workspaces} == {
        ("Acme/Staging", "Acme", "limited", "integrator"),
        ("Acme/Production", "Acme", "limited", "integrator")}
    ws = cli("workspace", "show", "Acme/Staging", "--json", user=OWNER).json
    assert set(ws) >= WORKSPACE_KEYS and ws["role"] is None and ws["name"] == "Staging"

    flows = cli("flow", "list", "Acme/Staging", "--json", user=INTEG).json
    assert [f["name"] for f in flows] == ["Idle", "Orders"]
    assert all(set(f) >= FLOW_KEYS for f in flows)
    idle = flows[0]
    assert (idle["status"], idle["started_at"], idle["deadline"], idle["remaining_seconds"],
            idle["stop_reason"]) == ("inactive", None, None, None, None)
    active = cli("flow", "list", "--status", "active", "--json", user=INTEG).json
    assert [f["path"] for f in active] == ["Acme/Staging/Orders"]
    flow = cli("flow", "show", "Acme/Staging/Orders", "--json", user=INTEG).json
    assert set(flow) >= FLOW_KEYS
    assert (flow["workspace_kind"], flow["status"], flow["type"]) == ("limited", "active", "ordinary")
    assert flow["deadline"] == iso(T0.replace(hour=17)) and flow["remaining_seconds"] == 8 * 3600
    assert flow["queued_messages"] == 3
    assert [set(s) >= {"component", "credential", "settings", "queued"} for s in flow["steps"]] == [True] * 3
    assert flow["steps"][2]["credential"] == "CRM token"

    creds = cli("credential", "list", "Acme/Staging", "--json", user=INTEG)
    assert SECRET not in creds.out
    assert all(set(c) >= CREDENTIAL_KEYS for c in creds.json)
    assert {c["name"]: c["fields"] for c in creds.json} == {
        "CRM token": ["token"], "Spare key": ["password", "username"]}
    cred = cli("credential", "show", "Acme/Staging/CRM token", "--json", user=INTEG)
    assert SECRET not in cred.out and cred.json["component"] == "http"

    events = cli("events", "--json", "--limit", "5", user=OWNER).json
    assert len(events) == 5 and all(set(e) >= EVENT_KEYS for e in events)
    assert all(isinstance(e["detail"], dict) for e in events)
    assert all(e["at"].endswith("Z") for e in events)
    kinds = cli("events", "Acme/Staging/Orders", "--kind", "flow.started", "--json", user=INTEG).json
    assert [(e["kind"], e["actor"], e["path"]) for e in kinds] == [
        ("flow.started", INTEG, "Acme/Staging/Orders")]
    assert kinds[0]["detail"]["deadline"] == iso(T0.replace(hour=17))

    members = cli("member", "list", "Acme", "--json", user=OWNER).json
    assert {m["email"]: m["role"] for m in members}[OWNER] == "owner"
    ws_members = cli("workspace", "member", "list", "Acme/Staging", "--json", user=INTEG).json
    assert {m["email"]: m["role"] for m in ws_members}[INTEG] == "integrator"
    requests = cli("support", "requests", "--json", user=SUPPORT).json
    assert [(r["path"], r["status"]) for r in requests] == [("Acme/Production", "open")]
    users = cli("user", "list", "--json", user=SUPPORT).json
    assert {u["email"] for u in users} >= {OWNER, INTEG, SUPPORT}


def test_empty_listings_are_empty_arrays_and_a_note_on_stderr(world_cli):
    cli = world_cli
    outsider = EMAILS["outsider"]
    assert cli("flow", "list", "--json", user=outsider).json == []
    r = cli("flow", "list", user=outsider)
    assert r.out == "" and r.err == "no flows\n"


def test_human_tables_are_aligned_plain_text(world_cli):
    r = world_cli("flow", "list", "Acme", user=INTEG)
    header, *rows = r.lines
    assert header.split()[:3] == ["FLOW", "KIND", "STATUS"]
    assert "\x1b[" not in r.out
    start = header.index("STATUS")
    assert {row[start:start + 8].strip() for row in rows} == {"inactive", "active"}
    orders = next(row for row in rows if "Orders" in row)
    assert "Limited" in orders and "8:00:00" in orders
