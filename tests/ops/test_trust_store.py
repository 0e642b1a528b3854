"""The store's own clock and key (DESIGN 2d), tried as a hostile or careless user would,
through the real ``flowdeck`` script, on SQLite and (with FLOWDECK_TEST_DB) PostgreSQL.

- nobody moves a real-clock store's clock: ``--now``/``--speed`` are refused in one line
  before anything is read or written, and every flow, queue and event stays as it was;
- workers whose machines' clocks disagree stop a flow at its deadline once (PostgreSQL:
  the server's clock decides);
- a place with no store gets one line and nothing is created there;
- a wrong or missing secret key is refused; ``key rotate`` leaves the old key refused;
- a store from before this change (schema 0003, with data) upgrades and keeps working.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import backends
import pytest
from flowdeck_world import EMAILS, SECRET, build_world
from processes import FLOWDECK, env_for
from sqlalchemy import text

from store import migrate
from store.engine import open_store
from store.secrets import KEY_ENV, key_check, key_file_for, new_key

INTEG, OUTSIDER, OWNER = EMAILS["integrator"], EMAILS["outsider"], EMAILS["workspace_owner"]
REFUSED_CLOCK = ("error: this store keeps real time: --now and --speed work only on a store made "
                 "with 'flowdeck init --simulated-clock'\n")
MISMATCH = "error: the secret key does not match this store"
SKEWED = Path(__file__).with_name("skewed_flowdeck.py")


def flowdeck(env: dict[str, str], *args: str, expect: int | None = 0,
             skew: float | None = None) -> subprocess.CompletedProcess:
    argv = [str(FLOWDECK), *args] if skew is None else [sys.executable, str(SKEWED), str(skew), *args]
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert "Traceback" not in r.stderr, r
    if expect is not None:
        assert r.returncode == expect, r
    if r.returncode in (1, 3):
        assert r.stderr.count("\n") == 1, r
    return r


def _sql(url: str, sql: str, **params) -> list:
    store = open_store(url, migrate=False)
    try:
        return store.run(lambda s: [tuple(r) for r in s.execute(text(sql), params)], write=False)
    finally:
        store.close()


def _everything(url: str) -> dict[str, list]:
    return {
        "flows": _sql(url, "SELECT id, status, started_at, deadline, stopped_at, stop_reason, queued "
                           "FROM flows ORDER BY id"),
        "messages": _sql(url, "SELECT id, flow_id, enqueued_at FROM messages ORDER BY id"),
        "events": _sql(url, "SELECT id, at, kind, actor_id FROM events ORDER BY id"),
        "credentials": _sql(url, "SELECT id, secret, updated_at FROM credentials ORDER BY id"),
    }


@pytest.fixture
def real_world(store, clock):
    """The shared world, made now (its Limited flows have hours left), then switched to a
    real-clock store, as a store in use is."""
    clock.set(datetime.now(UTC))
    world = build_world(store)
    store.run(lambda s: s.execute(text("UPDATE store_meta SET value = 'real' WHERE name = 'clock'")),
              write=True)
    return world


# -- the clock -------------------------------------------------------------------------
ATTACKS = [
    (OUTSIDER, ["--now", "2030-01-01T00:00:00Z", "contract", "list"]),
    (OUTSIDER, ["--readonly", "--now", "2030-01-01T00:00:00Z", "flow", "list"]),
    (OUTSIDER, ["--speed", "100000", "enforce", "--once"]),
    (INTEG, ["--now", "2099-01-01T00:00:00Z", "flow", "start", "Acme/Staging/Idle"]),
    (INTEG, ["--now", "2001-01-01T00:00:00Z", "credential", "reveal", "Acme/Staging/CRM token"]),
    (INTEG, ["--speed", "3600", "--now", "2030-01-01T00:00:00Z", "flow", "restart",
             "Acme/Staging/Orders"]),
    (INTEG, ["--speed", "0", "message", "send", "Acme/Staging/Orders"]),
    (None, ["--now", "2030-01-01T00:00:00Z", "enforce", "--once"]),
    (None, ["--now", "2030-01-01T00:00:00Z", "info"]),
]


def test_nobody_moves_the_clock_of_a_real_clock_store(real_world, tmp_path):
    url = real_world.store.url
    env = env_for(url, tmp_path)
    real_world.store.close()
    before = _everything(url)
    assert any(f[1] == "active" for f in before["flows"]) and before["messages"]
    for user, args in ATTACKS:
        who = ["--user", user] if user else []
        r = flowdeck(env, *who, *args, expect=1)
        assert r.stderr == REFUSED_CLOCK and r.stdout == "", r
    assert _everything(url) == before
    # the store works on its own clock: a read as the outsider changes nothing either
    flowdeck(env, "--user", OUTSIDER, "contract", "list")
    assert _everything(url) == before
    assert "clock:           real" in flowdeck(env, "info").stdout


def test_a_simulated_clock_store_takes_now_and_speed(store, tmp_path):
    env = env_for(store.url, tmp_path)
    store.close()
    flowdeck(env, "--now", "2030-01-01T00:00:00Z", "--speed", "0", "user", "add", "a@b.example",
             "--name", "A")
    [(created,)] = _sql(store.url, "SELECT created_at FROM users")
    assert str(created).startswith("2030-01-01 00:00:00"), created
    assert "clock:           simulated" in flowdeck(env, "info").stdout


@pytest.mark.skipif(not backends.ON_POSTGRES, reason="PostgreSQL only: on SQLite the clock is "
                    "the one machine's, so two processes cannot disagree about it")
def test_workers_whose_clocks_differ_stop_a_flow_at_its_deadline_once(real_world, tmp_path):
    url = real_world.store.url
    env = env_for(url, tmp_path)
    real_world.store.close()
    due = ("UPDATE flows SET deadline = date_trunc('second', now() AT TIME ZONE 'UTC') "
           "+ make_interval(secs => :ahead), started_at = date_trunc('second', now() AT TIME ZONE "
           "'UTC') + make_interval(secs => :ahead) - interval '8 hours' WHERE name = 'Orders'")
    store = open_store(url, migrate=False)
    store.run(lambda s: s.execute(text(due), {"ahead": 1800}), write=True)
    store.close()
    # half an hour left: a machine two hours ahead must not stop it, nor one behind
    for skew in (7200, -7200):
        flowdeck(env, "enforce", "--once", skew=skew)
        flowdeck(env, "--user", INTEG, "flow", "list", "--json", skew=skew)
    assert _sql(url, "SELECT status FROM flows WHERE name = 'Orders'") == [("active",)]
    # one second overdue: both sweep at once, one from two hours behind
    store = open_store(url, migrate=False)
    store.run(lambda s: s.execute(text(due), {"ahead": -1}), write=True)
    store.close()
    [(deadline,)] = _sql(url, "SELECT deadline FROM flows WHERE name = 'Orders'")
    procs = [subprocess.Popen([sys.executable, str(SKEWED), str(skew), "enforce", "--once"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for skew in (-7200, 7200, -7200)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0], [p.communicate() for p in procs]
    rows = _sql(url, "SELECT status, stopped_at, stop_reason, queued FROM flows WHERE name = 'Orders'")
    assert rows == [("stopped", deadline, "work_time_limit", 0)]
    stops = _sql(url, "SELECT e.kind FROM events e JOIN flows f ON f.id = e.flow_id "
                      "WHERE f.name = 'Orders' AND e.kind = 'flow.auto_stopped'")
    assert stops == [("flow.auto_stopped",)]


# -- a place with no store ---------------------------------------------------------------
NO_STORE_COMMANDS = [
    ["contract", "list"], ["--user", "a@b.example", "flow", "list"], ["user", "add", "a@b.example",
    "--name", "A"], ["enforce", "--once"], ["info"], ["key", "rotate"], ["events"],
    ["--now", "2030-01-01T00:00:00Z", "contract", "list"],
]


@backends.sqlite_only("a mistyped SQLite path; the next test tries an empty PostgreSQL database")
def test_commands_on_a_missing_sqlite_path_say_so_and_create_nothing(tmp_path):
    where = tmp_path / "typo" / "deeper" / "flowdeck.db"
    env = env_for(f"sqlite:///{where}", tmp_path)
    for args in NO_STORE_COMMANDS:
        r = flowdeck(env, *args, expect=1)
        assert r.stderr == f"error: no Flowdeck store at {where}; create one with 'flowdeck init'\n"
    assert not (tmp_path / "typo").exists()
    tmp_path.joinpath("empty.db").touch()  # an empty file is no store either, and stays empty
    r = flowdeck(env_for(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path), "contract", "list", expect=1)
    assert "no Flowdeck store at" in r.stderr and tmp_path.joinpath("empty.db").stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


@pytest.mark.skipif(not backends.ON_POSTGRES, reason="PostgreSQL only (FLOWDECK_TEST_DB)")
def test_commands_on_an_empty_postgres_database_say_so_and_create_nothing(tmp_path):
    url = backends.store_url(tmp_path / "x.db", empty=True)
    env = env_for(url, tmp_path)
    from store.connect import place_of

    for args in NO_STORE_COMMANDS:
        r = flowdeck(env, *args, expect=1)
        assert r.stderr == f"error: no Flowdeck store at {place_of(url)}; create one with 'flowdeck init'\n"
    assert _sql(url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'") \
        == [(0,)]
    flowdeck(env, "init")
    r = flowdeck(env, "init", expect=1)
    assert "already holds a Flowdeck store" in r.stderr


def test_init_makes_a_store_once_and_refuses_now_without_simulated_clock(tmp_path):
    url = backends.store_url(tmp_path / "new" / "flowdeck.db", empty=True)
    env = env_for(url, tmp_path)
    r = flowdeck(env, "--now", "2030-01-01T00:00:00Z", "init", expect=1)
    assert r.stderr == REFUSED_CLOCK
    flowdeck(env, "init")
    if not backends.ON_POSTGRES:
        key = key_file_for(tmp_path / "new" / "flowdeck.db")
        assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert "already holds a Flowdeck store" in flowdeck(env, "init", expect=1).stderr
    flowdeck(env, "user", "add", "a@b.example", "--name", "A")
    assert _sql(url, "SELECT value FROM store_meta WHERE name = 'clock'") == [("real",)]


# -- the secret key ------------------------------------------------------------------------
def _reveal(env: dict[str, str], expect: int = 0):
    return flowdeck(env, "--user", INTEG, "credential", "reveal", "Acme/Staging/CRM token",
                    expect=expect)


def test_a_wrong_key_is_refused_before_anything_is_written(world, tmp_path):
    url = world.store.url
    world.store.close()
    env = env_for(url, tmp_path)
    before = _everything(url)
    wrong = {**env, KEY_ENV: new_key().decode()}
    for args in (["credential", "add", "Acme/Staging/New one", "--component", "http", "--secret",
                  "token=x"], ["credential", "reveal", "Acme/Staging/CRM token"],
                 ["flow", "list"], ["enforce", "--once"]):
        r = flowdeck(wrong, "--user", INTEG, *args, expect=1)
        assert r.stderr == MISMATCH + "\n", r
    assert _everything(url) == before
    assert "secret key:      does not match" in flowdeck(wrong, "info").stdout
    assert SECRET in _reveal(env).stdout


def test_a_missing_key_is_refused_never_replaced(world, tmp_path):
    url = world.store.url
    world.store.close()
    env = {k: v for k, v in env_for(url, tmp_path).items() if k != KEY_ENV}
    if not backends.ON_POSTGRES:
        key = key_file_for(Path(world.store.db_file))
        kept = key.read_bytes()
        key.unlink()
    r = _reveal(env, expect=1)
    assert r.stderr.startswith(MISMATCH + " (") and r.stderr.count("\n") == 1
    assert ("is missing" in r.stderr) if not backends.ON_POSTGRES else (KEY_ENV in r.stderr)
    if not backends.ON_POSTGRES:
        assert not key.exists()  # never given a fresh key
        key.write_bytes(kept)
        assert SECRET in _reveal(env).stdout


def test_key_rotate_re_encrypts_every_secret_and_the_old_key_is_refused(world, tmp_path):
    from cryptography.fernet import Fernet, InvalidToken

    url = world.store.url
    old = world.store.key
    world.store.close()
    env = env_for(url, tmp_path)
    fresh = new_key()
    if backends.ON_POSTGRES:
        r = flowdeck(env, "key", "rotate", expect=1)
        assert "FLOWDECK_NEW_SECRET_KEY" in r.stderr
        r = flowdeck({**env, "FLOWDECK_NEW_SECRET_KEY": fresh.decode()}, "key", "rotate")
        new_env = {**env, KEY_ENV: fresh.decode()}
    else:
        r = flowdeck(env, "key", "rotate")
        fresh = key_file_for(Path(world.store.db_file)).read_bytes().strip()
        new_env = env
        assert (key_file_for(Path(world.store.db_file)).stat().st_mode & 0o777) == 0o600
    tokens = [row[1] for row in _sql(url, "SELECT id, secret FROM credentials")]
    assert len(tokens) >= 2 and f"re-encrypted {len(tokens)} credentials" in r.stdout
    for token in tokens:
        Fernet(fresh).decrypt(token.encode())
        with pytest.raises(InvalidToken):
            Fernet(old).decrypt(token.encode())
    assert SECRET in _reveal(new_env).stdout
    r = flowdeck({**env, KEY_ENV: old.decode()}, "--user", INTEG, "flow", "list", expect=1)
    assert r.stderr == MISMATCH + "\n"
    assert _sql(url, "SELECT value FROM store_meta WHERE name = 'key_check'") == [(key_check(fresh),)]
    assert _sql(url, "SELECT count(*) FROM events WHERE kind = 'store.key_rotated'") == [(1,)]


@backends.sqlite_only("the key file's crash ordering; a server store's key is in the environment")
def test_a_rotation_that_crashed_after_its_commit_is_finished_by_the_next_open(world, monkeypatch):
    from store import keyring

    store = world.store
    real_replace = os.replace

    def crash(src, dst):
        if str(dst).endswith(".key"):  # step 3: the rename over the key file
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(keyring.os, "replace", crash)
    with pytest.raises(Exception, match="the new key is in"):
        keyring.rotate_key(store)
    monkeypatch.setattr(keyring.os, "replace", real_replace)
    store.close()
    again = open_store(store.url, world.clock)  # finds .key.new is the key now in force
    assert not Path(f"{store.db_file}.key.new").exists()
    from store.services import Flowdeck

    assert Flowdeck(again, INTEG).reveal_credential("Acme/Staging/CRM token")["token"] == SECRET
    again.close()


# -- a store from before this change ----------------------------------------------------------
def _downgrade_to_0003(url: str) -> None:
    from alembic import command

    store = open_store(url, migrate=False)
    with store.engine.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "0003")
    store.close()


def test_a_store_from_schema_0003_with_data_upgrades_and_keeps_working(world, tmp_path):
    url = world.store.url
    world.store.close()
    _downgrade_to_0003(url)
    before = _everything(url)
    env = env_for(url, tmp_path)
    wrong = {**env, KEY_ENV: new_key().decode()}
    assert flowdeck(wrong, "--user", INTEG, "flow", "list", expect=1).stderr.startswith(MISMATCH)
    assert flowdeck(env, "--now", "2030-01-01T00:00:00Z", "info", expect=1).stderr == REFUSED_CLOCK
    assert _sql(url, "SELECT version_num FROM alembic_version") == [("0003",)]
    r = flowdeck(env, "info", "--json")
    import json

    found = json.loads(r.stdout)
    assert (found["schema"], found["clock"], found["key_matches"]) == (migrate.HEAD, "real", True)
    assert found["flows"] == len(before["flows"]) and found["queued_messages"] == len(
        before["messages"])
    assert SECRET in _reveal(env).stdout
    recorded = _sql(url, "SELECT name, value FROM store_meta ORDER BY name")
    assert recorded == [("clock", "real"), ("key_check", key_check(world.store.key))]
    assert flowdeck(wrong, "--user", INTEG, "flow", "list", expect=1).stderr == MISMATCH + "\n"


def test_the_tui_header_says_simulated_clock_only_on_such_a_store(real_world):
    from tui.app import FlowdeckApp

    url = real_world.store.url
    simulated = FlowdeckApp(store=real_world.store, user=INTEG, clock=real_world.clock)
    assert "simulated clock frozen at" in simulated.who  # the store object was opened simulated
    real_world.store.close()
    real = open_store(url)
    try:
        app = FlowdeckApp(store=real, user=INTEG)
        assert app.who == INTEG and "clock" not in app.who
    finally:
        real.close()
