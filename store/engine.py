"""Opening a store: the engine, its pragmas, migrations and transactions.

SQLite (the default) runs in WAL mode with foreign keys on and a busy
timeout, and every write transaction begins IMMEDIATE, so several processes
can share one file without "database is locked" reaching anyone. Any other
SQLAlchemy URL (PostgreSQL) works the same way.

A store is made on purpose (``init_store``, ``flowdeck init``); ``open_store``
refuses a place that holds none, and creates nothing there. Opening reads what
the store is (``store.storemeta``): a real-clock store refuses a caller's clock
that is not real time, and takes its time from one source, the machine's for
SQLite and the database server's for PostgreSQL (``ServerClock``, and
``Store.now(session)`` inside a transaction). Then the process's secret key is
checked against the store before anything else is read or written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from .clock import Clock, utc
from .connect import (
    NoStore,
    create_engine_for,
    place_of,
    set_wal,
    shown_url,
    sqlite_file,
    translate_db_error,
)
from .errors import FlowdeckError, StoreError
from .paths import DB_ENV, default_data_dir, default_url, resolve_url  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from .secrets import SecretBox

T = TypeVar("T")

_TRANSIENT_RETRIES = 8


def _is_transient(exc: BaseException) -> bool:
    text_ = str(getattr(exc, "orig", exc)).lower()
    return any(
        marker in text_
        for marker in ("database is locked", "database is busy", "deadlock detected",
                       "could not serialize", "serialization failure")
    )


def _is_unique_race(exc: BaseException) -> bool:
    """A unique key that another transaction committed between our check and our insert.

    SQLite serialises writers, so this happens only on a server (PostgreSQL in READ
    COMMITTED): run the transaction again, and its own check then refuses by name.
    """
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "23505"


class ServerClock(Clock):
    """Real time as the database server tells it (a real-clock PostgreSQL store): every
    process on every machine reads the same clock, however its own is set."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine

    def _exact(self) -> datetime:
        with self._engine.connect() as conn:
            at: datetime = conn.execute(text("SELECT CURRENT_TIMESTAMP")).scalar_one()
            return at

    def describe(self) -> str:
        return "real time"


class Store:
    """One open store: engine, clock and the key to its secrets."""

    def __init__(self, engine: Engine, clock: Clock, url: str, *, clock_kind: str = "simulated",
                 key: bytes | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.url = url
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.clock_kind = clock_kind
        self._key = key
        self._box: SecretBox | None = None
        self._box_lock = threading.Lock()
        # SQLite takes one writer at a time. Threads of this process queue here for it rather
        # than in SQLite's busy handler, which sleeps in steps of milliseconds between tries
        # (it made four worker threads slower than one); other processes still meet the
        # busy timeout.
        self._writer = threading.RLock() if self.is_sqlite else None

    def now(self, s: Session | None = None) -> datetime:
        """The instant of a decision: inside a transaction on a real-clock PostgreSQL store,
        the server's time of that transaction; everywhere else, the store's clock."""
        if s is not None and isinstance(self.clock, ServerClock):
            return utc(s.execute(text("SELECT CURRENT_TIMESTAMP")).scalar_one())
        return self.clock.now()

    # -- secrets ---------------------------------------------------------
    @property
    def db_file(self) -> Path | None:
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database)

    @property
    def key(self) -> bytes:
        """The secret key, checked against the store when it was opened."""
        if self._key is None:
            from .storemeta import verify_key

            self._key = verify_key(self)
        return self._key

    def secret_box(self) -> SecretBox:
        from .secrets import SecretBox

        with self._box_lock:
            if self._box is None:
                self._box = SecretBox(self.key)
            return self._box

    def sealing_box(self, s: Session) -> SecretBox:
        """The box for sealing a secret in ``s``'s transaction, once the key is checked
        again there (a rotation may have happened since this process opened the store)."""
        from .storemeta import check_key_in

        check_key_in(s, self.key, not self.is_sqlite)
        return self.secret_box()

    # -- transactions ----------------------------------------------------
    @contextmanager
    def _session(self, write: bool) -> Iterator[Session]:
        options = {"flowdeck_begin": "IMMEDIATE" if write else "DEFERRED"}
        with Session(self.engine, expire_on_commit=False) as session:
            session.connection(execution_options=options)
            yield session

    @contextmanager
    def _writing(self, write: bool) -> Iterator[None]:
        if not write or self._writer is None:
            yield
            return
        with self._writer:
            yield

    def run(self, fn: Callable[[Session], T], *, write: bool) -> T:
        """Run ``fn`` in one transaction, retrying when the database is briefly busy.

        A write transaction moves the change marker before it commits.
        Any exception rolls everything back: a refusal leaves no trace.
        """
        delay = 0.02
        for attempt in range(_TRANSIENT_RETRIES + 1):
            try:
                with self._writing(write), self._session(write) as session:
                    result = fn(session)
                    if write:
                        session.flush()
                        if session.info.get("flowdeck_changed", True):
                            session.execute(
                                text("UPDATE store_revision SET value = value + 1 WHERE id = 1")
                            )
                        session.commit()
                    else:
                        session.rollback()
                    return result
            except FlowdeckError:
                raise
            except (OperationalError, DBAPIError) as exc:
                if attempt < 2 and _is_unique_race(exc):
                    continue
                if attempt < _TRANSIENT_RETRIES and _is_transient(exc):
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                raise translate_db_error(exc, self.url) from None
        raise AssertionError("unreachable")

    def revision(self) -> int:
        """The change marker: moves with every committed change, by anyone."""
        def read(session: Session) -> int:
            value: int = session.execute(
                text("SELECT value FROM store_revision WHERE id = 1")
            ).scalar_one()
            return value

        return self.run(read, write=False)

    def close(self) -> None:
        self.engine.dispose()


def _guarded(url: str, engine: Engine, fn: Callable[[], T]) -> T:
    """Run ``fn``; on any failure dispose of ``engine`` and raise one StoreError."""
    try:
        return fn()
    except FlowdeckError:
        engine.dispose()
        raise
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise translate_db_error(exc, url) from None
    except Exception as exc:  # noqa: BLE001 - e.g. a missing driver module
        engine.dispose()
        raise StoreError(f"cannot open the store {shown_url(url)}: {exc}") from None


def _refuse_set_clock(clock: Clock | None) -> None:
    """A real-time store takes no --now or --speed."""
    if clock is not None and not clock.is_real:
        raise StoreError("this store keeps real time: --now and --speed work only on a store "
                         "made with 'flowdeck init --simulated-clock'")


def _clock_for(kind: str, clock: Clock | None, engine: Engine) -> Clock:
    if kind == "simulated":
        return clock or Clock()
    _refuse_set_clock(clock)
    return ServerClock(engine) if engine.dialect.name == "postgresql" else Clock()


def open_store(url: str | None = None, clock: Clock | None = None, *, migrate: bool = True,
               check_key: bool = True) -> Store:
    """Open (upgrading it as needed) the store at ``url``; refuse a place that holds none.

    Before anything else is read or written: a real-clock store refuses a clock that
    is not real time, and the process's secret key must be the store's.
    ``migrate=False`` opens the database as it is, with none of these checks (tests);
    ``check_key=False`` leaves the key to be checked on first use (``flowdeck info``).
    """
    from .migrate import BEFORE_META, HEAD, ensure_schema, kind_of, read_store

    url = resolve_url(url)
    engine = create_engine_for(url)
    if not migrate:
        return Store(engine, clock or Clock(), url)

    def opening() -> Store:
        found = read_store(engine)  # one connection: revision, store_meta, journal mode
        current = found.revision
        if current is None:
            raise NoStore(url)
        kind = kind_of(found)
        chosen = _clock_for(kind, clock, engine)
        store = Store(engine, chosen, url, clock_kind=kind)
        if check_key and current in BEFORE_META:  # the key must open its secrets before any upgrade
            from .storemeta import check_old_store_key

            check_old_store_key(store)
        if found.journal_mode not in (None, "wal", "memory"):
            set_wal(engine)
        ensure_schema(engine, url, current)
        if check_key:
            if current == HEAD:  # the key's check value as read above (no upgrade since)
                from .storemeta import verify_key

                store._key = verify_key(store, found.meta.get("key_check"))
            else:
                store.key  # noqa: B018 - checked now, before any command reads or writes
        return store

    return _guarded(url, engine, opening)


def init_store(url: str | None = None, clock: Clock | None = None, *,
               simulated_clock: bool = False) -> Store:
    """Make a new store at ``url`` (a SQLite file, or the schema in an empty database) with
    its secret key, and open it. Refused where a store (or any table) already is."""
    from .migrate import create_schema, current_revision
    from .secrets import KEY_ENV, key_file_for, new_key, read_key, write_key_file
    from .storemeta import record_new_store

    url = resolve_url(url)
    if not simulated_clock:
        _refuse_set_clock(clock)  # before anything is made
    db_file = sqlite_file(url)
    engine = create_engine_for(url, make_dir=True)
    memory = engine.dialect.name == "sqlite" and db_file is None
    existed = db_file is not None and db_file.exists()
    wrote: list[Path] = []
    kind = "simulated" if simulated_clock else "real"

    def making() -> Store:
        chosen = _clock_for(kind, clock, engine)  # a real-clock store refuses --now up front
        if current_revision(engine) is not None:
            raise StoreError(f"{place_of(url)} already holds a Flowdeck store; "
                             "'flowdeck init' makes a new one only where there is none")
        key, _ = read_key(db_file)
        if key is None and not memory and db_file is None:
            raise StoreError(f"{KEY_ENV} is not set: a server store keeps its secret key there; "
                             f"make one with 'flowdeck key generate', keep it safe, set "
                             f"{KEY_ENV} to it for every Flowdeck process, then run init again")
        if key is None:
            key = new_key()
            if db_file is not None:
                write_key_file(key_file_for(db_file), key)
                wrote.append(key_file_for(db_file))
        if engine.dialect.name == "sqlite" and not memory:
            set_wal(engine)
        create_schema(engine, url, lambda conn: record_new_store(
            conn, simulated=simulated_clock, key=key))
        return Store(engine, chosen, url, clock_kind=kind, key=key)

    try:
        return _guarded(url, engine, making)
    except FlowdeckError:
        for path in wrote:  # a store that was not made keeps no key
            path.unlink(missing_ok=True)
        if db_file is not None and not existed:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        raise
