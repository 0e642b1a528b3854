"""What a store is (table ``store_meta``): its clock and the check value of its secret key.

- ``clock``: ``real`` (the machine's time for SQLite, the database server's for
  PostgreSQL; ``--now`` and ``--speed`` are refused) or ``simulated`` (tests,
  demos, training: each process's clock may start anywhere and run at any speed).
- ``key_check``: ``secrets.key_check`` of the secret key. Every process checks its
  key against it before reading or writing anything.

A store made before this table existed becomes a real-clock store when it is
upgraded, and its key is recorded on the first open with a key that decrypts all
of its secrets (``verify_key``).

Key rotation on a SQLite store, and what a crash leaves behind:

1. the new key is written to ``<db>.key.new`` (0600, synced) before anything else;
2. one transaction re-encrypts every secret and records the new key's check value;
3. only once that has committed, ``<db>.key.new`` is renamed over ``<db>.key``.

A crash before 2 commits leaves the old key in force (the ``.key.new`` is stale and
the next rotation replaces it). A crash between 2 and 3 leaves ``.key`` holding the
old key and ``.key.new`` the one the store now wants: the next open sees that the
pending key is the right one and finishes step 3 itself. At no moment is the only
copy of the key that opens the secrets somewhere a crash can lose it.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, text
from sqlmodel import Session

from .errors import StoreError
from .secrets import (
    KEY_ENV,
    SecretBox,
    fsync_dir,
    key_check,
    key_file_for,
    new_key,
    pending_key_file_for,
    read_key,
    rotate_tokens,
    valid_key,
    write_key_file,
)

if TYPE_CHECKING:
    from .engine import Store

CLOCKS = ("real", "simulated")
MISMATCH = "the secret key does not match this store"


class KeyMismatch(StoreError):
    """The process's secret key is not the store's (wrong, missing or rotated away)."""

    def __init__(self, why: str = "") -> None:
        super().__init__(f"{MISMATCH} ({why})" if why else MISMATCH)


def read_meta(conn: Connection) -> dict[str, str]:
    return {name: value for name, value in conn.execute(text("SELECT name, value FROM store_meta"))}


def set_meta(conn: Connection, name: str, value: str) -> None:
    updated = conn.execute(text("UPDATE store_meta SET value = :v WHERE name = :n"),
                           {"n": name, "v": value}).rowcount
    if not updated:
        conn.execute(text("INSERT INTO store_meta (name, value) VALUES (:n, :v)"),
                     {"n": name, "v": value})


def _tokens(conn: Connection) -> list[tuple[int, str]]:
    rows = conn.execute(text("SELECT id, secret FROM credentials ORDER BY id"))
    return [(cid, secret) for cid, secret in rows]


def _same(key: bytes | None, recorded: str) -> bool:
    return key is not None and hmac.compare_digest(key_check(key), recorded)


def _finish_rotation(db_file: Path, recorded: str) -> bytes | None:
    """Step 3 of a rotation that crashed after its commit: the pending key, now in force."""
    pending = pending_key_file_for(db_file)
    try:
        key = valid_key(pending.read_bytes().strip(), f"the key file {pending}")
    except (OSError, StoreError):
        return None
    if not _same(key, recorded):
        return None
    os.replace(pending, key_file_for(db_file))
    fsync_dir(db_file.parent)
    return key


_UNREAD = object()


def verify_key(store: Store, recorded: object = _UNREAD) -> bytes:
    """The store's secret key, checked; KeyMismatch if this process does not have it.

    ``recorded``: the check value the caller has just read (``migrate.read_store``), else
    it is read here."""
    key, source = read_key(store.db_file)
    check = (store.run(lambda s: read_meta(s.connection()).get("key_check"), write=False)
             if recorded is _UNREAD else cast(str | None, recorded))
    if check is None:
        return _adopt(store, key, source)
    if key is not None and _same(key, check):
        return key
    if store.db_file is not None and not os.environ.get(KEY_ENV):
        finished = _finish_rotation(store.db_file, check)
        if finished is not None:
            return finished
    if key is None:
        where = (f"{source} is missing" if store.db_file is not None
                 else f"{KEY_ENV} is not set; a server store keeps its key there")
        raise KeyMismatch(where)
    raise KeyMismatch()


def check_old_store_key(store: Store) -> None:
    """Before a store from before the key check is upgraded: the key must open its secrets."""
    key, source = read_key(store.db_file)
    tokens = store.run(lambda s: _tokens(s.connection()), write=False)
    if not tokens:
        return
    if key is None:
        raise KeyMismatch(f"{source} is missing" if store.db_file is not None
                          else f"{KEY_ENV} is not set; a server store keeps its key there")
    box = SecretBox(key)
    if not all(box.can_open(token) for _, token in tokens):
        raise KeyMismatch("it cannot decrypt this store's secrets")


def _adopt(store: Store, key: bytes | None, source: str) -> bytes:
    """A store from before the key check: record the key that opens all its secrets."""
    tokens = store.run(lambda s: _tokens(s.connection()), write=False)
    if key is None:
        if tokens or store.db_file is None:
            raise KeyMismatch(f"{source} is missing" if store.db_file is not None
                              else f"{KEY_ENV} is not set; a server store keeps its key there")
        key = new_key()  # no secret yet, so nothing to lose: this store's first key
        write_key_file(key_file_for(store.db_file), key)
    else:
        box = SecretBox(key)
        if not all(box.can_open(token) for _, token in tokens):
            raise KeyMismatch("it cannot decrypt this store's secrets")

    def record(s: Session) -> str:
        conn = s.connection()
        current = read_meta(conn).get("key_check")
        if current is None:
            set_meta(conn, "key_check", key_check(key))
            return key_check(key)
        return current

    if not _same(key, store.run(record, write=True)):
        raise KeyMismatch()
    return key


def record_new_store(conn: Connection, *, simulated: bool, key: bytes) -> None:
    """``flowdeck init``: the clock kind and the key's check value of a brand-new store."""
    set_meta(conn, "clock", "simulated" if simulated else "real")
    set_meta(conn, "key_check", key_check(key))


def check_key_in(s: Session, key: bytes, postgres: bool) -> None:
    """Inside a transaction that seals a secret: refuse if the key was rotated since this
    process opened the store. On PostgreSQL the row stays share-locked until commit, so a
    rotation either waits for this transaction (and re-encrypts what it wrote) or comes
    first (and this one is refused)."""
    lock = " FOR SHARE" if postgres else ""
    recorded = s.execute(text(f"SELECT value FROM store_meta WHERE name = 'key_check'{lock}")).scalar()
    if recorded is None or not _same(key, recorded):
        raise KeyMismatch("the key was rotated since this process started; start it again "
                          "with the new key")


def rotate_in(s: Session, old_key: bytes, fresh: bytes, postgres: bool) -> int:
    """Re-encrypt every secret under ``fresh`` and record its check value, in ``s``'s
    transaction (the meta row is updated first: concurrent sealers wait or are refused)."""
    conn = s.connection()
    check_key_in(s, old_key, postgres)
    set_meta(conn, "key_check", key_check(fresh))
    rows = _tokens(conn)
    try:
        rotated = rotate_tokens(old_key, fresh, [token for _, token in rows])
    except Exception:  # noqa: BLE001 - cryptography's InvalidToken
        raise StoreError("a secret in this store cannot be decrypted with its key; "
                         "nothing was rotated") from None
    if rows:
        conn.execute(text("UPDATE credentials SET secret = :secret WHERE id = :id"),
                     [{"id": cid, "secret": token} for (cid, _), token in zip(rows, rotated, strict=True)])
    return len(rows)
