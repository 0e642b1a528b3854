"""Secrets at rest: credential fields are encrypted with Fernet.

The key comes from ``FLOWDECK_SECRET_KEY``, or from the key file that
``flowdeck init`` writes with mode 0600 beside a SQLite store. A server store
has no file beside it, so there the environment variable is required. Nothing
here ever makes a key for a store that has none: a missing key is refused
(``store.storemeta.verify_key``), so a store copied without its key file
cannot silently get a fresh one and lose its secrets.

A key is checked against the store by an HMAC of a fixed text under the key
(``key_check``): it tells the right key from a wrong one without revealing
the key and without importing ``cryptography`` on start-up.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
from pathlib import Path

from .errors import StoreError

KEY_ENV = "FLOWDECK_SECRET_KEY"
MASK = "••••••"
_CHECK_TEXT = b"flowdeck secret key check v1"


def key_file_for(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + ".key")


def pending_key_file_for(db_file: Path) -> Path:
    """Where ``key rotate`` keeps the new key until its transaction has committed."""
    return db_file.with_name(db_file.name + ".key.new")


def valid_key(key: bytes, source: str) -> bytes:
    """``key`` if it is a Fernet key (32 url-safe base64-encoded bytes), else refuse."""
    try:
        raw = base64.urlsafe_b64decode(key)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise StoreError(
            f"{source} is not a valid secret key (it must be 32 url-safe base64-encoded bytes)")
    return key


def new_key() -> bytes:
    return base64.urlsafe_b64encode(os.urandom(32))


def key_check(key: bytes) -> str:
    """The check value recorded in the store for ``key``."""
    return hmac.new(base64.urlsafe_b64decode(key), _CHECK_TEXT, hashlib.sha256).hexdigest()


def read_key(db_file: Path | None) -> tuple[bytes | None, str]:
    """The key this process has for the store, and where it came from (None: no key)."""
    env = os.environ.get(KEY_ENV)
    if env:
        return valid_key(env.strip().encode(), KEY_ENV), KEY_ENV
    if db_file is None:
        return None, KEY_ENV
    path = key_file_for(db_file)
    try:
        return valid_key(path.read_bytes().strip(), f"the key file {path}"), f"the key file {path}"
    except FileNotFoundError:
        return None, f"the key file {path}"
    except OSError as exc:
        raise StoreError(f"cannot read the key file {path}: {exc.strerror}") from None


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be synced
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_key_file(path: Path, key: bytes, *, replace: bool = False) -> None:
    """Write ``key`` to ``path`` durably with mode 0600: a temporary file in the same
    directory, synced, then renamed over ``path`` (``replace``) or linked to it only if
    nothing is there yet. A reader sees the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # FileExistsError if another key is there
            temporary.unlink()
        fsync_dir(path.parent)
    except FileExistsError:
        temporary.unlink(missing_ok=True)
        raise StoreError(f"the key file {path} already exists; it is not replaced") from None
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StoreError(f"cannot write the key file {path}: {exc.strerror}") from None


class SecretBox:
    """Encrypts and decrypts the secret fields of a credential."""

    def __init__(self, key: bytes) -> None:
        from cryptography.fernet import Fernet

        self._fernet = Fernet(key)

    def seal(self, fields: dict[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(fields, sort_keys=True).encode()).decode()

    def can_open(self, token: str) -> bool:
        from cryptography.fernet import InvalidToken

        try:
            self._fernet.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def open(self, token: str, what: str) -> dict[str, str]:
        from cryptography.fernet import InvalidToken

        try:
            fields: dict[str, str] = json.loads(self._fernet.decrypt(token.encode()))
            return fields
        except InvalidToken:
            raise StoreError(
                f"cannot decrypt {what}: the secret key is not the one it was stored with"
            ) from None


def rotate_tokens(old_key: bytes, new_key_: bytes, tokens: list[str]) -> list[str]:
    """Each token re-encrypted under ``new_key_`` (MultiFernet.rotate; InvalidToken if one
    is not sealed with either key)."""
    from cryptography.fernet import Fernet, MultiFernet

    both = MultiFernet([Fernet(new_key_), Fernet(old_key)])
    return [both.rotate(token.encode()).decode() for token in tokens]
