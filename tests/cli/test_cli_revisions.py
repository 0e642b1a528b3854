"""``flow step add|remove|move``, ``flow history``, ``flow diff``, ``flow promote`` and
``flow rollback`` on the command line: output, --json, and one-line refusals that change
nothing."""

from __future__ import annotations

from flowdeck_world import EMAILS, SECRET

INTEG, GUEST = EMAILS["integrator"], EMAILS["guest"]
ORDERS, PROD = "Acme/Staging/Orders", "Acme/Production/Orders"


def test_staging_to_production_on_the_command_line(world_cli):
    cli = world_cli
    r = cli("flow", "step", "add", ORDERS, "log", user=INTEG)
    assert r.out == f"added step 4 (log) to {ORDERS}; revision 3\n"
    r = cli("flow", "step", "add", ORDERS, "http:Spare key", "--at", "3", user=INTEG)
    assert r.out == f"added step 3 (http) to {ORDERS}; revision 4\n"
    r = cli("flow", "step", "move", ORDERS, "5", "--to", "2", user=INTEG)
    assert r.out == f"moved step 5 (log) of {ORDERS} to 2; revision 5\n"
    r = cli("flow", "step", "remove", ORDERS, "4", user=INTEG)
    assert r.out == f"removed step 4 of {ORDERS}; revision 6\n"
    shown = cli("flow", "show", ORDERS, "--json", user=INTEG).json
    assert shown["revision"] == 6 and shown["queued_messages"] == 3
    assert [s["component"] for s in shown["steps"]] == ["webhook", "log", "transform", "http"]
    assert "revision:" in cli("flow", "show", ORDERS, user=INTEG).out

    history = cli("flow", "history", ORDERS, "--json", user=INTEG).json
    assert [h["revision"] for h in history] == [6, 5, 4, 3, 2, 1]
    assert set(history[0]) >= {"revision", "at", "by", "change"}
    assert history[0]["by"] == INTEG and history[-1]["change"] == "created"
    table = cli("flow", "history", ORDERS, user=GUEST).out
    assert table.splitlines()[0].split() == ["REV", "AT", "BY", "CHANGE"]
    assert "moved step 5 (log) to 2" in table

    diff = cli("flow", "diff", ORDERS, "--revision", "2", "--json", user=GUEST).json
    assert diff == [{"step": 2, "change": "added", "field": None, "before": None,
                     "after": {"component": "log", "credential": None, "settings": {}}}]
    human = cli("flow", "diff", ORDERS, "--revision", "4", "--to", "5", user=GUEST).out
    assert human == "~ step 2: moved from 5 to 2\n"

    # production: copied once, then promoted to with a dry run first
    r = cli("flow", "promote", ORDERS, "Acme/Production", "--dry-run", user=INTEG)
    assert r.out.startswith(f"dry run: promoting {ORDERS} revision 6 would create {PROD}")
    assert "+ step 1: webhook" in r.out
    assert cli("flow", "show", PROD, user=INTEG, expect=1).err.startswith("error: no flow")
    r = cli("flow", "promote", ORDERS, "Acme/Production", user=INTEG)
    assert r.out.startswith(f"promoted {ORDERS} revision 6 to {PROD} (created inactive)")
    cli("flow", "step", "set", ORDERS, "2", "colour", "x", user=INTEG, expect=1)
    cli("flow", "step", "set", ORDERS, "4", "url", "https://crm.example/v2", user=INTEG)
    r = cli("flow", "promote", ORDERS, "Acme/Production", "--dry-run", "--json", user=INTEG)
    assert r.json == [{"step": 4, "change": "changed", "field": "settings.url",
                       "before": "https://crm.example/orders", "after": "https://crm.example/v2"}]
    r = cli("flow", "diff", ORDERS, PROD, user=INTEG)
    assert r.out == '~ step 4 settings.url: "https://crm.example/v2" → "https://crm.example/orders"\n'
    r = cli("flow", "promote", ORDERS, "Acme/Production", "--json", user=INTEG)
    assert (r.json["target_revision"], r.json["source_revision"]) == (2, 7)
    assert cli("flow", "diff", ORDERS, PROD, user=INTEG).out == "no differences\n"
    events = cli("events", PROD, "--kind", "flow.promoted", "--json", user=INTEG).json
    assert [e["detail"]["revision"] for e in events] == [2, 1]

    # a rollback is a new revision equal to an earlier one
    r = cli("flow", "rollback", PROD, "1", user=INTEG)
    assert r.out == f"rolled {PROD} back to revision 1, as revision 3\n"
    assert cli("flow", "diff", PROD, "--revision", "1", "--to", "3", user=INTEG).out == \
        "no differences\n"
    everything = "".join(cli(*args, user=INTEG).out for args in [
        ("flow", "history", PROD, "--json"), ("flow", "diff", ORDERS, PROD, "--json"),
        ("events", PROD, "--json")])
    assert SECRET not in everything


def test_bad_input_gets_one_line_and_changes_nothing(world_cli):
    cli = world_cli
    before = cli("flow", "history", ORDERS, "--json", user=INTEG).json
    cases = [
        (("flow", "step", "remove", ORDERS, "1"), 1, "only trigger"),
        (("flow", "step", "move", ORDERS, "1", "--to", "2"), 1, "only trigger"),
        (("flow", "step", "move", ORDERS, "2", "--to", "1"), 1, "only trigger"),
        (("flow", "step", "add", ORDERS, "timer"), 1, "only trigger"),
        (("flow", "step", "add", ORDERS, "log", "--at", "1"), 1, "only trigger"),
        (("flow", "step", "add", ORDERS, "log", "--at", "0"), 2, ""),
        (("flow", "step", "add", ORDERS, "http:Nope"), 1, "no credential 'Nope'"),
        (("flow", "step", "move", ORDERS, "2"), 2, ""),
        (("flow", "step", "remove", ORDERS, "9"), 1, "no step 9"),
        (("flow", "diff", ORDERS, PROD, "--revision", "1"), 2, "not both"),
        (("flow", "diff", ORDERS, "--to", "1"), 2, "--revision"),
        (("flow", "diff", ORDERS, "--revision", "7"), 1, "no revision 7"),
        (("flow", "rollback", ORDERS, "2"), 1, "current revision"),
        (("flow", "rollback", ORDERS, "0"), 2, ""),
        (("flow", "promote", ORDERS, "Acme/Staging"), 1, "already in"),
        (("flow", "promote", ORDERS, "Acme/Production", "--credential", "x"), 2, "OLD=NEW"),
        (("flow", "promote", ORDERS, "Acme/Production", "--credential", "Nope=x"), 1, "no step"),
        (("flow", "promote", ORDERS, "Acme/Nowhere"), 1, "no workspace"),
    ]
    for args, code, words in cases:
        r = cli(*args, user=INTEG, expect=code)
        assert words in r.err, r
    for args in [("flow", "step", "add", ORDERS, "log"), ("flow", "rollback", ORDERS, "1"),
                 ("flow", "promote", ORDERS, "Acme/Production", "--dry-run")]:
        r = cli(*args, user=GUEST, expect=3)
        assert r.err.startswith("permission denied: ")
    assert cli("flow", "history", ORDERS, "--json", user=INTEG).json == before
    cli("flow", "step", "add", ORDERS, "http:Spare key", user=INTEG)
    r = cli("flow", "promote", ORDERS, "Acme/Production", "--dry-run", user=INTEG, expect=1)
    assert "step 4 (http) uses credential 'Spare key'" in r.err
