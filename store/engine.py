"""Opening a store: the engine, its pragmas, migrations and transactions.

SQLite (the default) runs in WAL mode with foreign keys on and a busy
timeout, and every write transaction begins IMMEDIATE, so several processes
can share one file without "database is locked" reaching anyone. Any other
SQLAlchemy URL (PostgreSQL) works the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from .clock import Clock
from .errors import FlowdeckError, StoreError
from .paths import DB_ENV, default_data_dir, default_url, resolve_url  # noqa: F401 - re-exported

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
_TRANSIENT_RETRIES = 8


def shown_url(url: str) -> str:
    """The URL for messages, without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url


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


class Store:
    """One open store: engine, clock and the key to its secrets."""

    def __init__(self, engine: Engine, clock: Clock, url: str) -> None:
        self.engine = engine
        self.clock = clock
        self.url = url
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._box = None
        self._box_lock = threading.Lock()
        # SQLite takes one writer at a time. Threads of this process queue here for it rather
        # than in SQLite's busy handler, which sleeps in steps of milliseconds between tries
        # (it made four worker threads slower than one); other processes still meet the
        # busy timeout.
        self._writer = threading.RLock() if self.is_sqlite else None

    # -- secrets ---------------------------------------------------------
    @property
    def db_file(self) -> Path | None:
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database)

    def secret_box(self):
        from .secrets import SecretBox, load_key

        with self._box_lock:
            if self._box is None:
                memory = self.is_sqlite and self.db_file is None
                key = load_key(self.db_file, shown_url(self.url), memory)
                self._box = SecretBox(key)
            return self._box

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
            return session.execute(
                text("SELECT value FROM store_revision WHERE id = 1")
            ).scalar_one()

        return self.run(read, write=False)

    def close(self) -> None:
        self.engine.dispose()


def translate_db_error(exc: BaseException, url: str) -> StoreError:
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    lowered = reason.lower()
    where = shown_url(url)
    if "file is not a database" in lowered or "malformed" in lowered:
        return StoreError(f"the store {where} is damaged or not a Flowdeck store ({reason})")
    if "unable to open" in lowered or "could not connect" in lowered or "connection" in lowered:
        return StoreError(f"cannot reach the store {where} ({reason})")
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(f"the store {where} cannot be written ({reason})")
    return StoreError(f"the store {where} failed: {reason}")


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - driver glue
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover - driver glue
        mode = conn.get_execution_options().get("flowdeck_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def create_engine_for(url: str) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        raise StoreError(f"{url!r} is not a database URL (try sqlite:///path/to/file.db)") from None
    backend = parsed.get_backend_name()
    kwargs: dict = {}
    if backend == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            path = Path(database)
            if path.is_dir():
                raise StoreError(f"the store {path} is a directory, not a database file")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {path.parent}: {exc.strerror}") from None
            kwargs.update(connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
    elif backend == "postgresql":
        kwargs.update(pool_pre_ping=True)
        if "connect_timeout" not in parsed.query:  # a server that never answers is an error, not a hang
            kwargs.update(connect_args={"connect_timeout": 10})
    try:
        engine = create_engine(url, **kwargs)
    except Exception as exc:  # noqa: BLE001 - unknown driver, bad options
        raise StoreError(f"cannot use the store {shown_url(url)}: {exc}") from None
    if backend == "sqlite":
        _sqlite_pragmas(engine)
    return engine


def _set_wal(engine: Engine) -> None:
    database = engine.url.database
    if not database or database == ":memory:":
        return
    raw = engine.raw_connection()  # outside any transaction, as the pragma needs
    try:
        cursor = raw.cursor()
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
    finally:
        raw.close()


def open_store(url: str | None = None, clock: Clock | None = None, *, migrate: bool = True) -> Store:
    """Open (creating and upgrading as needed) the store at ``url``."""
    from .migrate import ensure_schema

    url = resolve_url(url)
    engine = create_engine_for(url)
    try:
        if engine.dialect.name == "sqlite":
            _set_wal(engine)
        if migrate:
            ensure_schema(engine, url)
    except FlowdeckError:
        engine.dispose()
        raise
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise translate_db_error(exc, url) from None
    except Exception as exc:  # noqa: BLE001 - e.g. a missing driver module
        engine.dispose()
        raise StoreError(f"cannot open the store {shown_url(url)}: {exc}") from None
    return Store(engine, clock or Clock(), url)
