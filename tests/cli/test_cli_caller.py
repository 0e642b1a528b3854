"""Who a command acts as: --user, FLOWDECK_USER, or the OS login name; none for the first user."""

from __future__ import annotations

from flowdeck_world import EMAILS

INTEG, SUPPORT = EMAILS["integrator"], EMAILS["support"]


def login(name: str) -> dict[str, str]:
    return {"LOGNAME": name, "USER": name}


def test_first_user_needs_no_caller_and_becomes_support(cli):
    r = cli("contract", "list", expect=1)
    assert "no users yet" in r.err and "flowdeck user add" in r.err
    r = cli("user", "add", "First@Example.com", "--name", "First Person",
            env={"FLOWDECK_USER": "whoever@example.com"})
    assert r.out == "registered first@example.com (First Person) (support staff)\n"
    r = cli("user", "add", "second@example.com", "--name", "Second", env=login("nobody"), expect=1)
    assert "pass --user" in r.err
    cli("user", "add", "second@example.com", "--name", "Second", env=login("first"))
    users = cli("user", "list", "--json", user="second@example.com").json
    assert [(u["email"], u["support"]) for u in users] == [
        ("first@example.com", True), ("second@example.com", False)]
    r = cli("user", "add", "third@example.com", "--name", "Third", user="second@example.com", expect=3)
    assert r.err == "permission denied: only platform support staff may register users\n"


def test_the_caller_is_the_user_named_by_the_login(world_cli):
    cli = world_cli
    flows = cli("flow", "list", "Acme/Staging", "--json", env=login("ivan")).json
    assert {f["role"] for f in flows} == {"integrator"}
    r = cli("flow", "list", env=login("root-or-someone"), expect=1)
    assert "no registered user's email starts with 'root-or-someone@'" in r.err
    assert "--user" in r.err
    cli("user", "add", "ivan@elsewhere.example", "--name", "Other Ivan", user=SUPPORT)
    r = cli("flow", "list", env=login("ivan"), expect=1)
    assert "several registered users" in r.err and "--user" in r.err
    flows = cli("flow", "list", "--json", env={**login("ivan"), "FLOWDECK_USER": INTEG}).json
    assert flows
    r = cli("contract", "list", "--json", env=login("ivan"), user=EMAILS["outsider"])
    assert [c["name"] for c in r.json] == ["Globex"]
