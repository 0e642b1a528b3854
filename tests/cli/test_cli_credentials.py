"""Secrets come out only through ``credential reveal``; deletions say what would go first."""

from __future__ import annotations

from flowdeck_world import EMAILS, SECRET

INTEG, GUEST, WOWNER = EMAILS["integrator"], EMAILS["guest"], EMAILS["workspace_owner"]
SUPPORT, OWNER = EMAILS["support"], EMAILS["contract_owner"]
NEW_SECRET = "n3w-V4lue-N0T-TO-LEAK"


def test_secrets_are_printed_only_by_reveal(world_cli):
    cli = world_cli
    runs = [
        cli("credential", "add", "Acme/Staging/Backup", "--component", "http",
            "--secret", f"token={NEW_SECRET}", user=INTEG),
        cli("credential", "add", "Acme/Staging/Bad", "--component", "http",
            "--secret", NEW_SECRET, user=INTEG, expect=1),
        cli("credential", "add", "Acme/Staging/Worse", "--component", "log",
            "--secret", f"token={NEW_SECRET}", user=INTEG, expect=1),
        cli("credential", "list", "Acme/Staging", user=INTEG),
        cli("credential", "list", "Acme/Staging", "--json", user=INTEG),
        cli("credential", "show", "Acme/Staging/CRM token", user=INTEG),
        cli("flow", "show", "Acme/Staging/Orders", "--json", user=INTEG),
        cli("credential", "set", "Acme/Staging/Backup", "--secret", f"token={NEW_SECRET}x", user=INTEG),
        cli("credential", "reveal", "Acme/Staging/CRM token", user=GUEST, expect=3),
    ]
    for r in runs:
        assert SECRET not in r.out + r.err and NEW_SECRET not in r.out + r.err, r
    assert "no '='" in runs[1].err

    r = cli("credential", "reveal", "Acme/Staging/CRM token", user=INTEG)
    assert r.out == f"token: {SECRET}\n"
    assert cli("credential", "reveal", "Acme/Staging/Backup", "--json", user=INTEG).json == {
        "token": f"{NEW_SECRET}x"}
    events = cli("events", "Acme/Staging", "--json", "--limit", "100", user=WOWNER)
    assert SECRET not in events.out and NEW_SECRET not in events.out
    revealed = [e for e in events.json if e["kind"] == "credential.revealed"]
    assert [(e["actor"], e["path"]) for e in revealed] == [
        (INTEG, "Acme/Staging/Backup"), (INTEG, "Acme/Staging/CRM token")]


def test_credential_delete_needs_yes_and_not_while_in_use(world_cli):
    cli = world_cli
    r = cli("credential", "delete", "Acme/Staging/Spare key", user=INTEG, expect=1)
    assert "Acme/Staging/Spare key" in r.err and "--yes" in r.err
    assert len(cli("credential", "list", "Acme/Staging", "--json", user=INTEG).json) == 2
    r = cli("credential", "delete", "Acme/Staging/CRM token", "--yes", user=INTEG, expect=1)
    assert "active flow Orders" in r.err
    r = cli("credential", "delete", "Acme/Staging/Spare key", "--yes", user=INTEG)
    assert r.out == "deleted credential Acme/Staging/Spare key\n"


def test_workspace_delete_names_what_goes_and_asks_for_yes_or_the_name(world_cli):
    cli = world_cli
    r = cli("workspace", "delete", "Acme/Staging", user=WOWNER, expect=1)
    assert "2 flows (1 active)" in r.err and "2 credentials" in r.err
    assert "3 queued messages" in r.err and "pass --yes" in r.err
    cli("workspace", "convert", "Acme/Production", "--to", "full", user=SUPPORT)
    r = cli("workspace", "delete", "Acme/Production", "--yes", user=WOWNER, expect=1)
    assert "Full workspace" in r.err and "--confirm 'Production'" in r.err
    r = cli("workspace", "delete", "Acme/Production", "--confirm", "Prod", user=WOWNER, expect=1)
    assert "does not match" in r.err and "--confirm 'Production'" in r.err
    r = cli("workspace", "delete", "Acme/Production", "--confirm", "Production", user=WOWNER)
    assert r.out.startswith("deleted workspace Acme/Production")
    r = cli("workspace", "delete", "Acme/Staging", user=EMAILS["guest"], expect=3)
    r = cli("workspace", "delete", "Acme/Staging", "--yes", user=OWNER)
    assert [w["path"] for w in cli("workspace", "list", "--json", user=OWNER).json] == []
