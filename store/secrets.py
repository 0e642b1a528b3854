"""Secrets at rest: credential fields are encrypted with Fernet.

The key comes from ``FLOWDECK_SECRET_KEY``, or from a key file created with
mode 0600 beside a SQLite store. A server store has no file beside it, so
there the environment variable is required.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import StoreError

KEY_ENV = "FLOWDECK_SECRET_KEY"
MASK = "••••••"


def key_file_for(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + ".key")


def _valid(key: bytes, source: str) -> bytes:
    from cryptography.fernet import Fernet

    try:
        Fernet(key)
    except (ValueError, TypeError):
        raise StoreError(
            f"{source} is not a valid secret key (it must be 32 url-safe base64-encoded bytes)"
        ) from None
    return key


def _read_or_create(path: Path) -> bytes:
    from cryptography.fernet import Fernet

    if not path.exists():
        key = Fernet.generate_key()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError as exc:
            raise StoreError(f"cannot create the key file {path}: {exc.strerror}") from None
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
                fh.flush()
                os.fsync(fh.fileno())
            return key
    try:
        return _valid(path.read_bytes().strip(), f"the key file {path}")
    except OSError as exc:
        raise StoreError(f"cannot read the key file {path}: {exc.strerror}") from None


def load_key(db_file: Path | None, url_text: str, memory: bool) -> bytes:
    """The Fernet key for this store, created beside a SQLite file on first use."""
    env = os.environ.get(KEY_ENV)
    if env:
        return _valid(env.strip().encode(), KEY_ENV)
    if db_file is not None:
        return _read_or_create(key_file_for(db_file))
    if memory:
        from cryptography.fernet import Fernet

        return Fernet.generate_key()
    raise StoreError(
        f"{KEY_ENV} is not set: a server store ({url_text}) keeps no key file, "
        f"so every Flowdeck process using it needs the same key in {KEY_ENV}"
    )


class SecretBox:
    """Encrypts and decrypts the secret fields of a credential."""

    def __init__(self, key: bytes) -> None:
        from cryptography.fernet import Fernet

        self._fernet = Fernet(key)

    def seal(self, fields: dict[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(fields, sort_keys=True).encode()).decode()

    def open(self, token: str, what: str) -> dict[str, str]:
        from cryptography.fernet import InvalidToken

        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise StoreError(
                f"cannot decrypt {what}: the secret key is not the one it was stored with"
            ) from None
