"""Online backups of a SQLite store, and putting one back.

``backup_store`` copies a live store with SQLite's backup API while other
processes go on writing: the copy is one consistent state of the store. It
is made in ``PATH.partial`` and renamed into place only once it is complete
and checked, so a backup file is never half written. The store's key file
(``….key``, which seals the credentials' secrets) is copied beside it.

``restore_store`` puts a backup back in place of a store, but only when no
other process has the store open: every SQLite connection to a WAL-mode
database holds a shared lock on one byte of its ``-shm`` file, so taking
that byte exclusively proves nobody else on this machine has it open, and
keeps newcomers out until the restore is done. Processes on other machines
cannot be seen (SQLite stores on network filesystems are not supported).

A PostgreSQL store is backed up with the server's own tools (pg_dump).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from .clock import iso
from .errors import ConfirmationRequired, Conflict, InvalidInput, StoreError
from .migrate import REVISIONS
from .secrets import KEY_ENV, key_file_for

#: Pages copied per step of the backup API (4 MiB at SQLite's default page size).
STEP_PAGES = 1024
#: A step-wise copy that has to start over this often (others keep writing) is made in one step.
MAX_RESTARTS = 3
#: The byte of the ``-shm`` file every connection holds a shared lock on (SQLite's DMS lock).
_SHM_DMS_BYTE = 128
_MAGIC = b"SQLite format 3\x00"

Progress = Callable[[int, int], None]  # (pages done, pages in all)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    store: Path
    size: int
    schema: str
    key_file: Path | None  # the copy of the key file, or None (the key is in FLOWDECK_SECRET_KEY)
    one_step: bool  # the copy was made in one step, because writers kept restarting it


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    source: Path
    schema: str
    key_file: Path | None  # the key file put beside the store, or None


def _sqlite_file(url: str, shown: str, *, doing: str, pg_tool: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kind = {"postgresql": "PostgreSQL"}.get(parsed.get_backend_name(), parsed.get_backend_name())
        raise InvalidInput(
            f"{doing} works on a SQLite store; {shown} is a {kind} database: "
            f"use the server's own tools ({pg_tool})")
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise InvalidInput(f"{doing} needs a SQLite store in a file; {shown} has none")
    return Path(database).resolve()


def _schema_of(conn: sqlite3.Connection, what: str) -> str:
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        raise StoreError(f"{what} is not a Flowdeck store (no schema version)") from None
    if len(rows) != 1 or rows[0][0] not in REVISIONS:
        found = rows[0][0] if rows else "none"
        newer = " (newer than this Flowdeck knows; upgrade Flowdeck)" if rows else ""
        raise StoreError(f"{what} is not a Flowdeck store at a known schema revision "
                         f"(it has {found}{newer}; known: {', '.join(REVISIONS)})")
    return str(rows[0][0])


def _check(conn: sqlite3.Connection, what: str) -> str:
    """quick_check the copy and read its schema revision."""
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise StoreError(f"{what} failed its integrity check ({result})")
    return _schema_of(conn, what)


class _Restart(Exception):
    """Others kept writing: give up on the step-wise copy."""


def _copy(source: Path, target: Path, progress: Progress | None) -> bool:
    """Copy a live SQLite database into the new file ``target``; True when made in one step."""
    src = sqlite3.connect(str(source), timeout=30)
    try:
        restarts = 0
        left: int | None = None

        def step(_status: int, remaining: int, total: int) -> None:
            nonlocal restarts, left
            if left is not None and remaining > left:
                restarts += 1
                if restarts >= MAX_RESTARTS:
                    raise _Restart
            left = remaining
            if progress:
                progress(total - remaining, total)

        try:
            with contextlib.closing(sqlite3.connect(str(target))) as dst:
                src.backup(dst, pages=STEP_PAGES, progress=step, sleep=0.05)
            return False
        except _Restart:
            target.unlink(missing_ok=True)
        # One step: the whole copy is read in one transaction, a snapshot that writers in
        # WAL mode do not disturb and cannot restart.
        with contextlib.closing(sqlite3.connect(str(target))) as dst:
            src.backup(dst, pages=-1)
        total = src.execute("PRAGMA page_count").fetchone()[0]
        if progress:
            progress(total, total)
        return True
    finally:
        src.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _install_key(source: Path, target: Path) -> None:
    """Copy a key file with mode 0600, atomically."""
    temporary = target.with_name(target.name + ".partial")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(source.read_bytes())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, target)


def default_backup_name(now: datetime) -> str:
    return f"flowdeck-{iso(now).replace(':', '').replace('-', '')}.db"


def backup_store(url: str, shown: str, target: Path, now: datetime,
                 progress: Progress | None = None) -> BackupResult:
    """Copy the SQLite store at ``url`` to ``target`` (a new file, or a directory to put it in)."""
    db = _sqlite_file(url, shown, doing="backup", pg_tool="pg_dump, e.g. pg_dump --format=custom "
                      "--file flowdeck.dump DBNAME")
    if not db.is_file():
        raise StoreError(f"there is no store at {db} to back up")
    target = target.expanduser().resolve()
    if target.is_dir():
        target = target / default_backup_name(now)
    if target == db or target.exists():
        raise Conflict(f"{target} already exists; a backup never overwrites, give a new file name")
    if not target.parent.is_dir():
        raise InvalidInput(f"there is no directory {target.parent}")
    partial = target.with_name(target.name + ".partial")
    _remove_sqlite(partial)  # what an earlier try left
    with _copying(partial, f"cannot back up {shown}", f"cannot write the backup {target}"):
        one_step, schema = _copy_checked(db, partial, progress, f"the backup of {shown}")
        os.replace(partial, target)
        _fsync(target.parent)
        key_copy = None if os.environ.get(KEY_ENV) else _carry_key(db, target)
    return BackupResult(target, db, target.stat().st_size, schema, key_copy, one_step)


def _carry_key(source_db: Path, target_db: Path) -> Path | None:
    """Copy the key file beside ``source_db`` to beside ``target_db``; the copy, if any."""
    key = key_file_for(source_db)
    if not key.exists():
        return None
    copy = key_file_for(target_db)
    _install_key(key, copy)
    return copy


def _copy_checked(source: Path, partial: Path, progress: Progress | None, what: str, *,
                  wal: bool = False) -> tuple[bool, str]:
    """Copy the database ``source`` into the new file ``partial``, check the copy (in WAL
    mode if ``wal``) and flush it to disk: (made in one step, its schema revision)."""
    one_step = _copy(source, partial, progress)
    with contextlib.closing(sqlite3.connect(str(partial))) as conn:
        schema = _check(conn, what)
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
    _fsync(partial)
    return one_step, schema


@contextlib.contextmanager
def _copying(partial: Path, damaged: str, unwritable: str) -> Iterator[None]:
    """Around making a copy in ``partial``: a database error is told as ``damaged: …``, a
    file error as ``unwritable: …``; the partial copy is gone afterwards either way."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{damaged}: {exc}") from None
    except OSError as exc:
        raise StoreError(f"{unwritable}: {exc.strerror or exc}") from None
    finally:
        _remove_sqlite(partial)


def _remove_sqlite(path: Path) -> None:
    """A SQLite file and its WAL and shared-memory files, gone (if they were there)."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def _exclusive(db: Path) -> Iterator[None]:
    """Hold the store's ``-shm`` lock byte exclusively, or refuse: someone has the store open."""
    import fcntl

    shm = Path(f"{db}-shm")
    created = not shm.exists()
    fd = os.open(shm, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE, os.SEEK_SET)
        except OSError:
            raise Conflict(
                f"the store {db} is in use: another process on this machine has it open (a TUI, "
                "a worker or a command); stop it and try again") from None
        yield
        shm.unlink(missing_ok=True)  # belongs to the old content; the next opener makes a new one
    finally:
        if created:
            shm.unlink(missing_ok=True)
        os.close(fd)


def inspect_backup(source: Path) -> str:
    """The schema revision of a backup file, after checking it is a sound Flowdeck store."""
    source = source.expanduser()
    if not source.is_file():
        raise InvalidInput(f"there is no backup file {source}")
    with open(source, "rb") as fh:
        if fh.read(16) != _MAGIC:
            raise StoreError(f"{source} is not a Flowdeck backup (not a SQLite database)")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
            return _check(conn, f"the backup {source}")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{source} is not a Flowdeck backup ({exc})") from None


def restore_store(url: str, shown: str, source: Path, *, yes: bool = False,
                  progress: Progress | None = None) -> RestoreResult:
    """Put the backup ``source`` in place of the SQLite store at ``url``, if nobody uses it."""
    db = _sqlite_file(url, shown, doing="restore",
                      pg_tool="pg_restore, e.g. pg_restore --clean --dbname DBNAME flowdeck.dump")
    source = source.expanduser().resolve()
    if source == db:
        raise InvalidInput(f"{source} is the store itself; give a backup file")
    schema = inspect_backup(source)
    if db.exists() and db.stat().st_size > 0 and not yes:
        raise ConfirmationRequired(
            f"restore replaces the store {db} with the backup {source} (schema {schema}); "
            "everything changed since that backup is lost; pass --yes to go ahead")
    if not db.parent.is_dir():
        raise InvalidInput(f"there is no directory {db.parent}")
    partial = db.with_name(db.name + ".restoring")
    with _copying(partial, f"cannot restore {source}", f"cannot restore into {db}"):
        with _exclusive(db):
            _remove_sqlite(partial)  # what an earlier try left
            _copy_checked(source, partial, progress, f"the copy of {source}", wal=True)
            # a WAL left by the old store must never be replayed onto the restored one
            Path(f"{db}-wal").unlink(missing_ok=True)
            os.replace(partial, db)
            _fsync(db.parent)
        key_copy = _carry_key(source, db)
    return RestoreResult(db, source, schema, key_copy)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"

