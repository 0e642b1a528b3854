"""Schema creation and upgrades through Alembic, run when a store is opened.

The fast path (the store is at the head revision) is one connection and three
small reads: the revision (``alembic_version``), what the store is
(``store_meta``) and, on SQLite, the journal mode. It does not list the tables
(only a database without ``alembic_version`` is inspected) and does not import
Alembic, which ``init`` and upgrades alone load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from .errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")

#: Every revision this code knows, oldest first. The last is the head.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
HEAD = REVISIONS[-1]


def _current(conn: Connection) -> str | None:
    names = set(inspect(conn).get_table_names())
    if "alembic_version" not in names:
        if names - {"sqlite_sequence"}:
            raise StoreError(
                "this database holds tables but is not a Flowdeck store "
                "(no schema version); point --db at another database"
            )
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if rows else None


def _refuse_newer(current: str | None) -> None:
    if current is not None and current not in REVISIONS:
        raise StoreError(
            f"this store is at schema revision {current}, newer than this Flowdeck "
            f"knows ({HEAD}); upgrade Flowdeck to use it"
        )


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision; None where the database holds no store at all."""
    with engine.connect() as conn:
        current = _current(conn)
        conn.rollback()
    return current


#: the revisions before ``store_meta`` existed: such a store becomes a real-clock store
BEFORE_META = ("0001", "0002", "0003", "0004")


@dataclass(frozen=True)
class Found:
    """What ``read_store`` found: the revision (None: no store), the ``store_meta`` rows
    (empty before 0005) and SQLite's journal mode (None elsewhere)."""

    revision: str | None
    meta: dict[str, str] = field(default_factory=dict)
    journal_mode: str | None = None


def read_store(engine: Engine) -> Found:
    """What the store at ``engine`` is, read on one connection in one read transaction.

    The revision is one ``SELECT`` from ``alembic_version``; only if that fails (no such
    table) are the tables listed, to tell an empty database from a foreign one.
    """
    with engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:
            conn.rollback()  # PostgreSQL refuses every statement after a failed one
            current = _current(conn)
        else:
            current = rows[0] if rows else None
        meta: dict[str, str] = {}
        if current is not None and current in REVISIONS and current not in BEFORE_META:
            meta = dict(conn.execute(text("SELECT name, value FROM store_meta")).all())
        mode = None
        if engine.dialect.name == "sqlite":
            mode = str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower()
        conn.rollback()
    return Found(current, meta, mode)


def kind_of(found: Found) -> str:
    """``real`` or ``simulated`` (an older store is real); a newer store is refused."""
    _refuse_newer(found.revision)
    return "simulated" if found.meta.get("clock") == "simulated" else "real"


def create_schema(engine: Engine, url: str, then: Callable[[Connection], None]) -> None:
    """Make the whole schema in an empty database, and ``then(conn)``, in one transaction
    (refused if another process made a store there first)."""
    from alembic import command

    with engine.connect().execution_options(flowdeck_begin="IMMEDIATE") as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(74616)"))
        if _current(conn) is not None:
            raise StoreError("another process made a store here first")
        command.upgrade(alembic_config(conn), "head")
        then(conn)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def ensure_schema(engine: Engine, url: str, current: str | None = None) -> None:
    """Bring an existing store to HEAD; refuse one that a newer Flowdeck made."""
    current = current or current_revision(engine)
    if current == HEAD:
        return
    _refuse_newer(current)
    from alembic import command

    with engine.connect().execution_options(flowdeck_begin="IMMEDIATE") as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(74616)"))
        # another process may have migrated while we waited for the lock
        if _current(conn) is None:
            raise StoreError("the store went away while it was being upgraded")
        if _current(conn) != HEAD:
            command.upgrade(alembic_config(conn), "head")
