"""Exit codes and the one-line refusals: 1 ``error: …``, 2 usage, 3 ``permission denied: …``.

``Cli`` itself checks on every run that no traceback reaches the user and
that a refusal is exactly one line with its prefix.
"""

from __future__ import annotations

import pytest
from flowdeck_world import EMAILS

GUEST, INTEG, OUTSIDER = EMAILS["guest"], EMAILS["integrator"], EMAILS["outsider"]
OWNER, SUPPORT = EMAILS["contract_owner"], EMAILS["support"]


def test_refusals_have_their_exit_code_and_one_line(world_cli):
    cli = world_cli
    r = cli("flow", "start", "Acme/Staging/Idle", user=GUEST, expect=3)
    assert r.err.startswith("permission denied: to start and stop flows in Acme/Staging")
    r = cli("flow", "show", "Acme/Staging/Orders", user=OUTSIDER, expect=1)
    assert r.err == "error: no contract 'Acme'\n"
    r = cli("flow", "start", "Acme/Staging/Orders", user=INTEG, expect=1)
    assert "already active" in r.err
    r = cli("member", "remove", "Acme", OWNER, user=OWNER, expect=1)
    assert "last owner" in r.err
    r = cli("contract", "suspend", "Acme", user=OWNER, expect=3)
    assert r.err.startswith("permission denied: only platform support staff")
    r = cli("flow", "show", "Acme/Staging", user=INTEG, expect=1)
    assert "CONTRACT/WORKSPACE/NAME" in r.err
    r = cli("contract", "list", user="ghost@nowhere.example", expect=1)
    assert "no registered user 'ghost@nowhere.example'" in r.err
    r = cli("message", "send", "Acme/Staging/Idle", user=INTEG, expect=1)
    assert "inactive" in r.err
    r = cli("message", "send", "Acme/Staging/Orders", "--payload", "{not json", user=INTEG, expect=1)
    assert r.err.startswith("error: --payload is not JSON")


@pytest.mark.parametrize(("args", "words"), [
    (["--now", "notadate", "flow", "list"], "'--now'"),
    (["--speed", "-1", "flow", "list"], "'--speed'"),
    (["--speed", "nan", "flow", "list"], "'--speed'"),
    (["message", "send", "Acme/Staging/Orders", "--count", "0"], "'--count'"),
    (["events", "--limit", "abc"], "'--limit'"),
    (["events", "--limit", "0"], "'--limit'"),
    (["flow", "step", "set", "Acme/Staging/Orders", "0", "url", "https://x.example"], "'N'"),
    (["flow", "list", "--status", "sleeping"], "'--status'"),
    (["flow", "copy", "Acme/Staging/Orders", "Acme/Production", "--credential", "nope"],
     "'--credential'"),
    (["enforce", "--once", "--interval", "3"], "--once"),
    (["flow", "start"], "Missing argument"),
    (["nosuch"], "No such command"),
    (["user", "add", "x@y.example"], "Missing option '--name'"),
])
def test_usage_errors_exit_2_with_one_clear_line(cli, args, words):
    r = cli(*args, now=None, user="anyone@example.com", expect=2)
    assert r.err.startswith("error: ") and words in r.err
    assert r.out == ""


def test_a_group_without_its_command_shows_help_and_exits_2(cli):
    r = cli("flow", now=None, expect=2)
    assert "start" in r.out + r.err and "Traceback" not in r.out


def test_help_and_version_need_no_store(bare_cli):
    cli = bare_cli
    r = cli("--help", now=None)
    assert "workspace" in r.out and "--readonly" in r.out
    r = cli("--version", now=None)
    assert r.out.startswith("flowdeck ")
    assert not cli.db.exists()


def test_readonly_session_reads_but_refuses_every_change(world_cli):
    cli = world_cli
    flows = cli("--readonly", "flow", "list", "--json", user=INTEG).json
    assert {f["path"] for f in flows} >= {"Acme/Staging/Orders"}
    for args in (["flow", "stop", "Acme/Staging/Orders"], ["contract", "create", "Other"],
                 ["credential", "reveal", "Acme/Staging/CRM token"], ["enforce", "--once"]):
        r = cli("--readonly", *args, user=INTEG, expect=3)
        assert r.err.startswith("permission denied: ") and "read-only" in r.err
    assert cli("flow", "show", "Acme/Staging/Orders", "--json", user=INTEG).json["status"] == "active"


def test_a_damaged_or_foreign_store_is_one_error_line(cli, tmp_path):
    cli.db.write_bytes(b"this is not a database at all" * 100)
    r = cli("--db", str(cli.db), "contract", "list", user="a@b.example", expect=1)
    assert r.err.startswith("error: ") and "damaged" in r.err
    other = tmp_path / "dir.db"
    other.mkdir()
    r = cli("--db", str(other), "contract", "list", user="a@b.example", expect=1)
    assert "is a directory" in r.err
    r = cli("--db", "nosuchdriver://x/y", "contract", "list", user="a@b.example", expect=1)
    assert r.err.startswith("error: cannot use the store")


def test_config_file_sets_db_and_user_and_options_win(world_cli, tmp_path):
    cli = world_cli
    db = cli.db if cli.url.startswith("sqlite") else cli.url  # a plain file path, or the server's URL
    cli.config.write_text(f'user = "{INTEG}"\ndb = "{db}"\ntheme = "dark"\n[keys]\nquit = "q"\n')
    env = {"FLOWDECK_DB": ""}
    flows = cli("flow", "list", "Acme/Staging", "--json", env=env).json
    assert {f["name"] for f in flows} == {"Orders", "Idle"}
    r = cli("flow", "start", "Acme/Staging/Idle", env={**env, "FLOWDECK_USER": GUEST}, expect=3)
    assert "you are guest" in r.err
    r = cli("flow", "start", "Acme/Staging/Idle", user=GUEST, env=env, expect=3)
    other = tmp_path / "other.db"
    r = cli("--db", str(other), "contract", "list", env=env, expect=1)
    assert r.err == f"error: no Flowdeck store at {other}; create one with 'flowdeck init'\n"
    assert not other.exists()


@pytest.mark.parametrize("text", ['db = [1\n', 'user = 3\n', 'keys = "q"\n', '[keys]\nquit = 1\n'])
def test_a_broken_config_file_is_one_error_line(cli, text):
    cli.config.write_text(text)
    r = cli("contract", "list", user="a@b.example", expect=1)
    assert r.err.startswith(f"error: config file {cli.config}")


def test_suspended_contract_stops_flows_and_refuses_changes(world_cli):
    cli = world_cli
    r = cli("contract", "suspend", "Acme", user=SUPPORT)
    assert "stopped 1 flow" in r.out and "dropped 3 queued messages" in r.out
    flow = cli("flow", "show", "Acme/Staging/Orders", "--json", user=INTEG).json
    assert (flow["status"], flow["stop_reason"]) == ("stopped", "contract_suspended")
    r = cli("flow", "start", "Acme/Staging/Orders", user=INTEG, expect=1)
    assert "suspended" in r.err
    cli("contract", "resume", "Acme", user=SUPPORT)
    cli("flow", "start", "Acme/Staging/Orders", user=INTEG)
