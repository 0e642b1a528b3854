"""Hostile text in every free-text field (DESIGN 2d): refused with one line, or stored and
shown with its control and format characters made visible, never raw.

Hypothesis draws text full of escape sequences (``ESC [2J``, ``ESC ]0;…BEL``, a C1
CSI), bidi overrides, zero-width and combining characters, confusables and Rich
markup, and puts it in a user's name, an email, a support request's reason, a
decline's reason, step settings and a contract's name. Each answer is checked:
a refusal is one ``error:`` line with nothing raw in it; an acceptance is shown
by the listing commands (plain and ``--json``) with nothing raw in them, the
JSON giving back exactly what was stored. In process for the bulk
(``Cli.in_process``); a sample through the real console script, with text put
in the store behind the services' back (as an older release could have).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import unicodedata

import backends
import pytest
from flowdeck_world import EMAILS, T0, build_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from store.clock import FrozenClock
from store.engine import open_store

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

HOSTILE = [
    "\x1b[2J", "\x1b]0;pwned\x07", "\x1b[31mred\x1b[0m", "\x9b31m", "\x1bP+q\x1b\\", "\u202e",
    "\u2066", "\u200b", "\u200f", "\u2028", "\ufeff", "e\u0301\u0302\u0303", "Aсme", "Ａｃｍｅ",
    "[bold]x[/bold]", "[link=https://evil.example]y[/link]", "\x00", "\x7f", "\r", "\n", "\t",
    "\x08", "名字", "🙂", "ü", "ok",
]
hostile = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(
        categories=("Lu", "Ll", "Nd", "Mn", "Cc", "Cf", "Zs", "Zl")),
        max_size=4)),
    min_size=1, max_size=5).map("".join)

RAW = {"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"}


def raw_characters(shown: str) -> list[str]:
    """Characters that would reach the terminal as they are (a line break is ours)."""
    return [f"U+{ord(c):04X}" for c in shown if c != "\n" and unicodedata.category(c) in RAW]


def assert_shown_safely(r) -> None:
    assert not raw_characters(r.out + r.err), r


def squeeze(value: str) -> str:
    return " ".join(value.split())


SUPPORT, OWNER, WENDY, OUTSIDER = (EMAILS["support"], EMAILS["contract_owner"],
                                   EMAILS["workspace_owner"], EMAILS["outsider"])
HOSTILE_FLOW = "Acme/Staging/Hostile"


@pytest.fixture(scope="module")
def hostile_cli(tmp_path_factory, make_cli):
    base = tmp_path_factory.mktemp("hostile")
    url = backends.store_url(base / "flowdeck.db")
    world = build_world(open_store(url, FrozenClock(T0)))
    integ = world.as_("integrator")
    integ.create_flow(HOSTILE_FLOW, [("webhook", None), ("transform", None), ("http", None)])
    world.close()
    yield make_cli(base, url=url)
    backends.drop(url)


_n = itertools.count()


def _stored_or_refused(r, *, field: str) -> bool:
    """True when the change was made; a refusal must be one safe line that says why."""
    assert_shown_safely(r)
    if r.code == 0:
        return True
    assert r.code == 1 and r.err.startswith("error: "), r
    if field in ("a user's name", "the reason", "step setting") and "control character" in r.err:
        assert "\\x" in r.err or "\\u" in r.err, r  # it names the character, escaped
    return False


@SETTINGS
@given(value=hostile)
def test_a_users_name(hostile_cli, value):
    cli = hostile_cli
    email = f"user{next(_n)}@hostile.example"
    r = cli.in_process("user", "add", email, "--name", value, user=SUPPORT)
    if not _stored_or_refused(r, field="a user's name"):
        return
    assert_shown_safely(cli.in_process("user", "list", user=SUPPORT, expect=0))
    listed = cli.in_process("user", "list", "--json", user=SUPPORT, expect=0)
    assert_shown_safely(listed)
    assert {u["email"]: u["name"] for u in listed.json}[email] == squeeze(value)


@SETTINGS
@given(local=hostile, domain=st.sampled_from(["example.com", "exämple.com", "x", "a\x1b.com"]))
def test_an_email(hostile_cli, local, domain):
    cli = hostile_cli
    r = cli.in_process("user", "add", f"{local}@{domain}", "--name", "Someone", user=SUPPORT)
    if _stored_or_refused(r, field="email"):
        assert_shown_safely(cli.in_process("user", "list", user=SUPPORT, expect=0))


@SETTINGS
@given(reason=hostile, decision=hostile)
def test_support_request_and_decline_reasons(hostile_cli, reason, decision):
    cli = hostile_cli
    r = cli.in_process("workspace", "request-full", "Acme/Staging", "--reason", reason, user=WENDY)
    if not _stored_or_refused(r, field="the reason"):
        return
    request_id = r.out.split("support request ")[1].split()[0]
    for args in (("support", "requests"), ("events", "Acme/Staging", "--limit", "3")):
        assert_shown_safely(cli.in_process(*args, user=SUPPORT, expect=0))
    d = cli.in_process("support", "decline", request_id, "--reason", decision, user=SUPPORT)
    if not _stored_or_refused(d, field="the reason"):
        cli.in_process("support", "decline", request_id, user=SUPPORT, expect=0)
    listed = cli.in_process("support", "requests", "--json", user=SUPPORT, expect=0)
    assert_shown_safely(listed)
    mine = next(x for x in listed.json if str(x["id"]) == request_id)
    assert mine["reason"] == squeeze(reason)
    assert_shown_safely(cli.in_process("support", "requests", user=SUPPORT, expect=0))
    assert_shown_safely(cli.in_process("events", "Acme/Staging", "--limit", "3", "--json",
                                       user=SUPPORT, expect=0))


@SETTINGS
@given(value=hostile, setting=st.sampled_from([(2, "expression"), (3, "url"), (3, "method")]),
       prefix=st.sampled_from(["", "https://crm.example/", '"', "$ & "]))
def test_step_settings(hostile_cli, value, setting, prefix):
    cli = hostile_cli
    position, key = setting
    r = cli.in_process("flow", "step", "set", HOSTILE_FLOW, str(position), key, prefix + value,
                       user=EMAILS["integrator"])
    if not _stored_or_refused(r, field="step setting"):
        return
    assert_shown_safely(cli.in_process("flow", "show", HOSTILE_FLOW, user=EMAILS["integrator"],
                                       expect=0))
    shown = cli.in_process("flow", "show", HOSTILE_FLOW, "--json", user=EMAILS["integrator"],
                           expect=0)
    assert_shown_safely(shown)
    settings_ = shown.json["steps"][position - 1]["settings"]
    assert settings_[key] in (prefix + value, (prefix + value).upper())


@SETTINGS
@given(value=hostile)
def test_a_contracts_name(hostile_cli, value):
    cli = hostile_cli
    r = cli.in_process("contract", "create", value, user=OUTSIDER)
    if _stored_or_refused(r, field="contract name"):
        assert_shown_safely(cli.in_process("contract", "list", user=OUTSIDER, expect=0))


# -- through the real console script ---------------------------------------------------
NASTY = "Mallory\x1b[2J\x1b]0;owned\x07\u202eevil\x9b31m[bold]x\u2028y"


def _behind_the_services_back(url: str, db_file) -> None:
    """Hostile text already in the store (an older release, a hand-edited database)."""
    statements = [
        ("UPDATE users SET name = :v WHERE email = :e", {"v": NASTY, "e": EMAILS["guest"]}),
        ("UPDATE support_requests SET reason = :v", {"v": NASTY}),
        ("UPDATE events SET detail = :d WHERE kind = 'support.requested'",
         {"d": json.dumps({"reason": NASTY, "payload": {"x": NASTY}})}),
    ]
    if url.startswith("sqlite"):
        with sqlite3.connect(db_file) as conn:
            for sql, params in statements:
                conn.execute(sql.replace(":v", "?").replace(":e", "?").replace(":d", "?"),
                             list(params.values()))
        return
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        for sql, params in statements:
            conn.execute(text(sql), params)
    engine.dispose()


def _holds(data, value: str) -> bool:
    if isinstance(data, dict):
        return any(_holds(v, value) for v in data.values())
    if isinstance(data, list):
        return any(_holds(v, value) for v in data)
    return data == value


def test_the_real_script_shows_stored_hostile_text_escaped(world, world_cli):
    world.store.close()
    _behind_the_services_back(world_cli.url, world_cli.db)
    for args, user in ((("user", "list"), SUPPORT), (("support", "requests"), SUPPORT),
                       (("events", "Acme/Production"), SUPPORT),
                       (("member", "list", "Acme"), OWNER)):
        r = world_cli(*args, user=user)
        assert_shown_safely(r)
        assert "\\x1b[2J" in r.out and "\\u202e" in r.out and "[bold]x" in r.out, r
        j = world_cli(*args, "--json", user=user) if args[0] != "member" else None
        if j is not None:
            assert_shown_safely(j)
            assert _holds(j.json, NASTY), j  # the same text, in JSON escapes
    refused = world_cli("user", "add", "eve@hostile.example", "--name", "Eve\x1b]0;owned\x07",
                        user=SUPPORT, expect=1)
    assert_shown_safely(refused)
    assert "control character \\x1b" in refused.err
    lookalike = world_cli("contract", "create", "Aсme", user=OUTSIDER, expect=1)
    assert "scripts" in lookalike.err and "Cyrillic" in lookalike.err
    wide = world_cli("contract", "create", "Ａｃｍｅ", user=OUTSIDER, expect=1)
    assert "already" in wide.err or "exists" in wide.err, wide
