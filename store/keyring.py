"""What a store is (``flowdeck info``) and the rotation of its secret key (``flowdeck key rotate``).

Rotation re-encrypts every secret under a new key in one transaction
(cryptography's ``MultiFernet.rotate``), records the new key's check value and a
``store.key_rotated`` event; from then on the old key is refused. Where the new key
is kept, and in which order, is explained in ``store.storemeta``: on a SQLite store
with a key file the new key goes to ``<db>.key.new`` before the transaction and over
``<db>.key`` after it; where the key lives in ``FLOWDECK_SECRET_KEY`` (PostgreSQL),
the operator makes the new key first (``flowdeck key generate``), keeps it safe and
hands it over in ``FLOWDECK_NEW_SECRET_KEY``, so no key ever exists only in one
process's memory or one terminal's scrollback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from .connect import place_of
from .engine import Store
from .errors import InvalidInput, StoreError
from .migrate import current_revision
from .models import Contract, Flow, Message, Workspace
from .secrets import (
    KEY_ENV,
    fsync_dir,
    key_file_for,
    new_key,
    pending_key_file_for,
    valid_key,
    write_key_file,
)
from .storemeta import KeyMismatch, rotate_in

NEW_KEY_ENV = "FLOWDECK_NEW_SECRET_KEY"


@dataclass
class StoreInfo:
    place: str
    backend: str
    schema: str | None
    clock: str
    key_matches: bool
    contracts: int
    workspaces: int
    flows: int
    queued_messages: int

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def store_info(store: Store) -> StoreInfo:
    """What ``store`` is; its key is checked here (the store was opened without the check)."""
    try:
        store.key  # noqa: B018
        matches = True
    except KeyMismatch:
        matches = False

    def counts(s: Session) -> list[int]:
        return [s.scalar(select(func.count()).select_from(model)) or 0
                for model in (Contract, Workspace, Flow, Message)]

    contracts, workspaces, flows, queued = store.run(counts, write=False)
    return StoreInfo(place=place_of(store.url), backend=store.engine.dialect.name,
                     schema=current_revision(store.engine), clock=store.clock_kind,
                     key_matches=matches, contracts=contracts, workspaces=workspaces,
                     flows=flows, queued_messages=queued)


@dataclass
class Rotated:
    credentials: int
    key_file: Path | None  # the key file now holding the new key (SQLite), else None


def _new_key_from_env(old: bytes) -> bytes:
    given = os.environ.get(NEW_KEY_ENV, "").strip()
    if not given:
        raise InvalidInput(
            f"this store's key is in {KEY_ENV}: make a new key with 'flowdeck key generate', "
            f"keep it where your secrets are kept, and give it in {NEW_KEY_ENV}")
    fresh = valid_key(given.encode(), NEW_KEY_ENV)
    if fresh == old:
        raise InvalidInput(f"{NEW_KEY_ENV} is the key in use; give a new one")
    return fresh


def _record(store: Store, old: bytes, fresh: bytes) -> int:
    from .services.base import Tx

    def body(s: Session) -> int:
        n = rotate_in(s, old, fresh, not store.is_sqlite)
        Tx(s, store.now(s), None).event("store.key_rotated", system=True,
                                        detail={"credentials": n})
        return n

    return store.run(body, write=True)


def rotate_key(store: Store) -> Rotated:
    """Re-encrypt every secret of ``store`` under a new key (see the module's text)."""
    old = store.key
    db_file = store.db_file
    if db_file is None or os.environ.get(KEY_ENV):
        n = _record(store, old, _new_key_from_env(old))
        return Rotated(n, None)
    fresh = new_key()
    pending = pending_key_file_for(db_file)
    write_key_file(pending, fresh, replace=True)  # 1. on disk before anything changes
    try:
        n = _record(store, old, fresh)  # 2. one transaction
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    target = key_file_for(db_file)
    try:
        os.replace(pending, target)  # 3. only once committed
    except OSError as exc:
        raise StoreError(f"the secrets were re-encrypted but {target} could not be replaced "
                         f"({exc.strerror}); the new key is in {pending}, and the next "
                         "flowdeck command puts it in place") from None
    fsync_dir(target.parent)
    store._key, store._box = fresh, None
    return Rotated(n, target)


def generated_key() -> str:
    return new_key().decode()
