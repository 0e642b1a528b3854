"""Opening stores (schema versions, foreign or damaged files) and the clock's times."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from backends import sqlite_only
from flowdeck_world import T0, sqlite_url

from store import migrate
from store.clock import Clock, FrozenClock, iso, parse_instant
from store.engine import init_store, open_store
from store.errors import StoreError
from store.services import Flowdeck


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@sqlite_only("a new SQLite file in WAL mode; tests/ops/test_postgres_store.py opens a new database")
def test_a_new_store_is_created_at_the_head_revision_and_reopens(tmp_path):
    db = tmp_path / "new.db"
    store = init_store(sqlite_url(db), FrozenClock(T0), simulated_clock=True)
    Flowdeck(store, None).add_user("root@example.com", "Root")
    store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrate.HEAD,)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = open_store(sqlite_url(db), FrozenClock(T0))
    assert [u.email for u in Flowdeck(again, None).list_users()] == ["root@example.com"]
    again.close()


@sqlite_only("edits a SQLite file; tests/ops/test_postgres_store.py does the same to a database")
def test_a_store_newer_than_the_code_is_refused(tmp_path):
    db = tmp_path / "newer.db"
    init_store(sqlite_url(db), FrozenClock(T0), simulated_clock=True).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreError) as refused:
        open_store(sqlite_url(db), FrozenClock(T0))
    message = str(refused.value)
    assert "9999_from_the_future" in message and "newer" in message
    assert refused.value.exit_code == 1 and "\n" not in message
    with sqlite3.connect(db) as conn:  # left as it was
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "9999_from_the_future"


@sqlite_only("a foreign SQLite file; tests/ops/test_postgres_store.py tries a foreign database")
def test_a_database_that_is_not_a_flowdeck_store_is_refused(tmp_path):
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    with pytest.raises(StoreError) as refused:
        open_store(sqlite_url(db), FrozenClock(T0))
    assert "not a Flowdeck store" in str(refused.value)
    assert _tables(db) == {"invoices"}  # nothing was added to someone else's database
    with sqlite3.connect(db) as conn:  # nor its journal mode changed
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@sqlite_only("SQLite's journal mode")
def test_a_store_taken_out_of_wal_mode_is_put_back_when_opened(tmp_path):
    db = tmp_path / "journal.db"
    init_store(sqlite_url(db), FrozenClock(T0), simulated_clock=True).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    open_store(sqlite_url(db), FrozenClock(T0)).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@sqlite_only("a file that is not a SQLite database")
def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    db = tmp_path / "notes.db"
    db.write_bytes(b"these are my notes, not a database\n" * 200)
    before = db.read_bytes()
    with pytest.raises(StoreError) as refused:
        open_store(sqlite_url(db), FrozenClock(T0))
    assert str(db) in str(refused.value) or "not a database" in str(refused.value)
    assert db.read_bytes() == before


def test_a_directory_or_a_bad_url_is_refused(tmp_path):
    with pytest.raises(StoreError):
        open_store(sqlite_url(tmp_path), FrozenClock(T0))
    with pytest.raises(StoreError):
        open_store("no-such-scheme://nowhere", FrozenClock(T0))
    with pytest.raises(StoreError):
        open_store("not a url at all", FrozenClock(T0))


def test_store_error_is_a_one_line_refusal_with_exit_code_1():
    error = StoreError("the store is\n damaged")
    assert error.exit_code == 1 and error.line() == "error: the store is damaged"


# -- times -------------------------------------------------------------------------


def test_clock_times_are_utc_truncated_to_seconds():
    cest = timezone(timedelta(hours=2))
    frozen = FrozenClock(datetime(2026, 3, 2, 11, 0, 5, 987_654, tzinfo=cest))
    assert frozen.now() == datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    assert frozen.now().tzinfo == UTC
    frozen.advance(seconds=0.6)
    assert frozen.now() == datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    frozen.advance(seconds=0.6)
    assert frozen.now() == datetime(2026, 3, 2, 9, 0, 6, tzinfo=UTC)
    running = Clock(start=datetime(2026, 3, 2, 11, 0, 5, 500_000, tzinfo=cest))
    now = running.now()
    assert now.microsecond == 0 and now.tzinfo == UTC
    assert timedelta(0) <= now - datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC) < timedelta(seconds=5)
    assert Clock().now().microsecond == 0
    assert parse_instant("2026-03-02T11:00:05.9+02:00") == datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    assert parse_instant("2026-03-02T09:00:05") == datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    assert iso(datetime(2026, 3, 2, 11, 0, 5, 999_999, tzinfo=cest)) == "2026-03-02T09:00:05Z"


@sqlite_only("reads stored times with sqlite3; tests/ops/test_postgres_store.py reads a database")
def test_times_are_kept_and_shown_to_the_whole_second_in_utc(tmp_path):
    clock = FrozenClock(datetime(2026, 3, 2, 11, 0, 5, 987_654, tzinfo=timezone(timedelta(hours=2))))
    store = init_store(sqlite_url(tmp_path / "t.db"), clock, simulated_clock=True)
    Flowdeck(store, None).add_user("root@example.com", "Root")
    root = Flowdeck(store, "root@example.com")
    root.create_contract("Acme")
    root.create_workspace("Acme/Staging")
    root.create_flow("Acme/Staging/Orders")
    clock.advance(seconds=1.7)  # 09:00:06.7 (the start was truncated to 09:00:05)
    flow = root.start_flow("Acme/Staging/Orders")
    assert flow.started_at == datetime(2026, 3, 2, 9, 0, 6, tzinfo=UTC)
    assert flow.deadline == datetime(2026, 3, 2, 17, 0, 6, tzinfo=UTC)
    shown = flow.to_json()
    assert (shown["started_at"], shown["deadline"]) == ("2026-03-02T09:00:06Z", "2026-03-02T17:00:06Z")
    events = root.list_events(limit=100)
    assert all(e.at.microsecond == 0 and e.at.tzinfo == UTC for e in events)
    assert all(e.to_json()["at"].endswith("Z") and "." not in e.to_json()["at"] for e in events)
    started = next(e for e in events if e.kind == "flow.started")
    assert started.detail["deadline"] == "2026-03-02T17:00:06Z"
    store.close()
    with sqlite3.connect(tmp_path / "t.db") as conn:  # kept without fractions or offsets
        stored = conn.execute("SELECT started_at, deadline, created_at FROM flows").fetchone()
        times = [r[0] for r in conn.execute("SELECT at FROM events")] + list(stored)
    for value in times:
        parsed = datetime.fromisoformat(value)
        assert parsed.microsecond == 0 and parsed.tzinfo is None, value
    assert datetime.fromisoformat(stored[0]) == datetime(2026, 3, 2, 9, 0, 6)


# -- the JSON shape of views (DESIGN section 4) -------------------------------------


def test_view_json_has_the_documented_keys(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    contract = integ.get_contract("Acme").to_json()
    assert {"id", "name", "status", "role"} <= set(contract)
    assert (contract["status"], contract["role"]) == ("active", "member")
    ws = integ.get_workspace("Acme/Staging").to_json()
    assert {"id", "path", "name", "contract", "kind", "role"} <= set(ws)
    assert (ws["path"], ws["contract"], ws["kind"], ws["role"]) == (
        "Acme/Staging", "Acme", "limited", "integrator")
    flow = integ.get_flow("Acme/Staging/Orders").to_json()
    assert {"id", "path", "name", "workspace_kind", "status", "type", "started_at", "deadline",
            "remaining_seconds", "stopped_at", "stop_reason", "queued_messages", "steps"} <= set(flow)
    assert (flow["status"], flow["type"], flow["remaining_seconds"], flow["queued_messages"]) == (
        "active", "ordinary", 8 * 3600, 3)
    assert (flow["started_at"], flow["deadline"]) == ("2026-03-02T09:00:00Z", "2026-03-02T17:00:00Z")
    for step in flow["steps"]:
        assert {"component", "credential", "settings", "queued"} <= set(step)
    assert flow["steps"][2]["credential"] == "CRM token"
    assert flow["steps"][2]["settings"] == {"url": "https://crm.example/orders"}
    assert [s["queued"] for s in flow["steps"]] == [3, 0, 0]
    cred = integ.get_credential("Acme/Staging/Spare key").to_json()
    assert {"id", "path", "name", "component", "fields"} <= set(cred)
    assert cred["fields"] == ["password", "username"]
    event = integ.list_events("Acme/Staging/Orders", limit=1)[0].to_json()
    assert {"at", "actor", "kind", "path", "detail"} <= set(event)
    assert isinstance(event["detail"], dict) and event["at"].endswith("Z")
    json.dumps([contract, ws, flow, cred, event])  # plain JSON all through
