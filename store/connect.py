"""Reaching a database: a SQLAlchemy engine for a SQLite file or a PostgreSQL server, set up
as the store needs it (SQLite: WAL, a busy timeout, foreign keys, BEGIN issued by us), and how a
store's place and a database's failures are told to people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from .errors import StoreError

BUSY_TIMEOUT_MS = 30_000


def shown_url(url: str) -> str:
    """The URL for messages, without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url


class NoStore(StoreError):
    """The place named holds no Flowdeck store (and nothing was created there)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"no Flowdeck store at {place_of(url)}; create one with 'flowdeck init'")


def place_of(url: str) -> str:
    """A store's place for people: a SQLite file's path, or the URL without its password."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        return url
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return parsed.database
    return shown_url(url)


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
    def _connect(dbapi_connection: Any, _record: Any) -> None:  # pragma: no cover - driver glue
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:  # pragma: no cover - driver glue
        mode = conn.get_execution_options().get("flowdeck_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def create_engine_for(url: str, *, make_dir: bool = False) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        raise StoreError(f"{url!r} is not a database URL (try sqlite:///path/to/file.db)") from None
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            path = Path(database)
            if path.is_dir():
                raise StoreError(f"the store {path} is a directory, not a database file")
            if make_dir:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create {path.parent}: {exc.strerror}") from None
            elif not path.exists():
                raise NoStore(url)  # before sqlite3 would create the file
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


def set_wal(engine: Engine) -> None:
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


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


