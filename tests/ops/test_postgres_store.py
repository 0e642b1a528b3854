"""A PostgreSQL store: what tests/store/test_store_schema.py and test_store_secrets.py check
on SQLite files, checked on a server database; and the races only a server has.

Runs only with ``FLOWDECK_TEST_DB`` set (the second half of ``.ci/run``).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import backends
import pytest
from flowdeck_world import SECRET, T0
from sqlalchemy import inspect, text

from store import migrate
from store.clock import FrozenClock
from store.engine import init_store, open_store
from store.errors import Conflict, StoreError
from store.services import Flowdeck

pytestmark = pytest.mark.skipif(
    not backends.ON_POSTGRES,
    reason="PostgreSQL only (set FLOWDECK_TEST_DB): the SQLite counterparts are in tests/store")


@pytest.fixture
def empty_url(tmp_path):
    url = backends.store_url(tmp_path / "x.db", empty=True)
    yield url
    backends.drop(url)


def _sql(store, sql: str, **params):
    return store.run(lambda s: s.execute(text(sql), params).all(), write=False)


def test_init_makes_the_head_revision_in_an_empty_database_and_it_reopens(empty_url):
    store = init_store(empty_url, FrozenClock(T0), simulated_clock=True)
    Flowdeck(store, None).add_user("root@example.com", "Root")
    assert _sql(store, "SELECT version_num FROM alembic_version") == [(migrate.HEAD,)]
    store.close()
    again = open_store(empty_url, FrozenClock(T0))
    assert [u.email for u in Flowdeck(again, None).list_users()] == ["root@example.com"]
    assert again.db_file is None and not again.is_sqlite
    again.close()


def test_two_processes_making_a_store_in_one_database_at_once_make_it_once(empty_url):
    script = ("import sys; from store.engine import init_store; from store.errors import StoreError\n"
              "try:\n    init_store(sys.argv[1]).close(); print('made')\n"
              "except StoreError as e:\n    print('refused', e)")
    procs = [subprocess.Popen([sys.executable, "-c", script, empty_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    assert sorted(out.split()[0] for out, _ in results) == ["made", "refused", "refused"], results
    store = open_store(empty_url)
    assert _sql(store, "SELECT version_num FROM alembic_version") == [(migrate.HEAD,)]
    store.close()


def test_a_store_newer_than_the_code_is_refused_and_left_alone(empty_url):
    store = init_store(empty_url, FrozenClock(T0), simulated_clock=True)
    store.run(lambda s: s.execute(text("UPDATE alembic_version SET version_num = '9999_future'")),
              write=True)
    store.close()
    with pytest.raises(StoreError) as refused:
        open_store(empty_url, FrozenClock(T0))
    assert "9999_future" in str(refused.value) and "newer" in str(refused.value)
    store = open_store(empty_url, FrozenClock(T0), migrate=False)
    assert _sql(store, "SELECT version_num FROM alembic_version") == [("9999_future",)]
    store.close()


def test_a_database_that_is_not_a_flowdeck_store_is_refused_untouched(empty_url):
    foreign = open_store(empty_url, FrozenClock(T0), migrate=False)
    with foreign.engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id serial PRIMARY KEY, total real)"))
    with pytest.raises(StoreError) as refused:
        open_store(empty_url, FrozenClock(T0))
    assert "not a Flowdeck store" in str(refused.value)
    with foreign.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"invoices"}
    foreign.close()


def test_times_are_kept_to_the_whole_second_without_an_offset(store):
    store.clock = clock = FrozenClock(datetime(2026, 3, 2, 11, 0, 5, 987_654,
                                               tzinfo=timezone(timedelta(hours=2))))
    Flowdeck(store, None).add_user("root@example.com", "Root")
    root = Flowdeck(store, "root@example.com")
    root.create_contract("Acme")
    root.create_workspace("Acme/Staging")
    root.create_flow("Acme/Staging/Orders")
    clock.advance(seconds=1.7)
    flow = root.start_flow("Acme/Staging/Orders")
    assert flow.started_at == datetime(2026, 3, 2, 9, 0, 6, tzinfo=UTC)
    started, deadline = _sql(store, "SELECT started_at, deadline FROM flows")[0]
    times = [r[0] for r in _sql(store, "SELECT at FROM events")] + [started, deadline]
    for value in times:
        assert value.microsecond == 0 and value.tzinfo is None, value
    assert (started, deadline) == (datetime(2026, 3, 2, 9, 0, 6), datetime(2026, 3, 2, 17, 0, 6))


def test_no_row_of_any_table_holds_a_secret_in_clear(world):
    w = world
    integ = w.as_("integrator")
    integ.add_credential("Acme/Staging/Second", "http", {"token": "n3w-S3KRIT-value-0042"})
    assert integ.reveal_credential("Acme/Staging/CRM token")["token"] == SECRET

    def every_row(s) -> str:
        names = inspect(s.connection()).get_table_names()
        return "\n".join(str(row[0]) for n in names
                         for row in s.execute(text(f'SELECT t::text FROM "{n}" t')))

    dump = w.store.run(every_row, write=False)
    assert "Acme/Staging/CRM token" in dump  # the dump does hold the store's rows
    for secret in (SECRET, "n3w-S3KRIT-value-0042"):
        assert secret not in dump


def test_a_server_store_without_a_secret_key_says_so_in_one_line(world, monkeypatch):
    monkeypatch.delenv("FLOWDECK_SECRET_KEY")
    with pytest.raises(StoreError) as refused:  # refused on opening, before anything is read
        open_store(world.store.url, FrozenClock(T0))
    message = str(refused.value)
    assert message.startswith("the secret key does not match this store")
    assert "FLOWDECK_SECRET_KEY is not set" in message and "\n" not in message


def test_an_unreachable_server_is_one_error_line(tmp_path):
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError) as refused:
        open_store(f"postgresql+psycopg://nobody:pw@127.0.0.1:{port}/flowdeck", FrozenClock(T0))
    message = str(refused.value)
    assert message.startswith("cannot reach the store") and "pw" not in message


def test_a_name_taken_by_a_concurrent_transaction_is_a_conflict_not_a_crash(world):
    """Between its check and its insert, another transaction commits the same name."""
    other = open_store(world.store.url, FrozenClock(T0))
    holding = threading.Event()
    release = threading.Event()

    def hold_the_name(s):
        s.execute(text(
            "INSERT INTO flows (workspace_id, name, name_key, type, status, queued, lost_messages, "
            "created_at) SELECT workspace_id, 'Twin', 'twin', 'ordinary', 'inactive', 0, 0, created_at "
            "FROM flows WHERE name = 'Orders'"))
        holding.set()
        release.wait(10)

    holder = threading.Thread(target=lambda: other.run(hold_the_name, write=True))
    holder.start()
    try:
        assert holding.wait(10)
        outcome: list[BaseException | None] = []

        def create():
            try:
                world.as_("integrator").create_flow("Acme/Staging/Twin")
                outcome.append(None)
            except BaseException as exc:  # noqa: BLE001 - the test looks at it
                outcome.append(exc)

        creator = threading.Thread(target=create)
        creator.start()
        time.sleep(0.5)  # the creator has checked the name and waits on the unique index
        release.set()
        creator.join(20)
    finally:
        release.set()
        holder.join(20)
        other.close()
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    assert "already has a flow named" in str(outcome[0])
