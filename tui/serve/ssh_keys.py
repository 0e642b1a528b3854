"""The keys of ``flowdeck ssh-serve``: who may connect, and the server's own host key.

The authorized-keys file has one key per line, OpenSSH style, its comment
naming the platform user the key belongs to::

    ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... priya.raman@flowdeck.example

Blank lines and lines starting with ``#`` are skipped. Key options (``from=``,
``command=``...) are not supported: such a line is refused, as is a line
whose comment is not one email address, or a key listed for two people.
The file is read again whenever it changes, so keys can be added or removed
without restarting the server.

The host key is an Ed25519 key created on first start, readable by its
owner only (mode 0600), and reused afterwards.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from store.errors import FlowdeckError
from tui.config import read_text_file

HOST_KEY_FILE = "ssh_host_ed25519_key"


@dataclass
class AuthorizedKeys:
    """Public keys (their wire blobs) mapped to the email their line names."""

    users: dict[bytes, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # 'line N: why it was skipped'

    def user_for(self, key) -> str | None:
        return self.users.get(key.public_data)


def parse_authorized_keys(text: str) -> AuthorizedKeys:
    import asyncssh

    found = AuthorizedKeys()
    seen: dict[bytes, int] = {}
    ambiguous: set[bytes] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) < 2:
            found.problems.append(f"line {number}: not a public key")
            continue
        if len(parts) < 3:
            found.problems.append(f"line {number}: no email after the key (the comment names "
                                  "the Flowdeck user)")
            continue
        if len(parts) > 3:
            found.problems.append(f"line {number}: expected 'TYPE KEY EMAIL' (key options and "
                                  "longer comments are not supported)")
            continue
        try:
            key = asyncssh.import_public_key(f"{parts[0]} {parts[1]}")
        except (asyncssh.KeyImportError, ValueError):
            found.problems.append(f"line {number}: not a public key")
            continue
        email = parts[2].strip().lower()
        local, _, domain = email.partition("@")
        if not local or not domain:
            found.problems.append(f"line {number}: the comment {parts[2]!r} is not an email")
            continue
        blob = key.public_data
        if blob in found.users and found.users[blob] != email:
            ambiguous.add(blob)
            found.problems.append(f"line {number}: the same key is already listed for "
                                  f"{found.users[blob]} (line {seen[blob]}); refused for both")
            continue
        found.users[blob] = email
        seen.setdefault(blob, number)
    for blob in ambiguous:
        found.users.pop(blob, None)
    return found


class AuthorizedKeysFile:
    """The file, read again when its size or modification time changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._keys = AuthorizedKeys()

    def read(self) -> AuthorizedKeys:
        """The keys as of now. Raises FlowdeckError when the file cannot be read."""
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                text = read_text_file(self.path, "authorized-keys file", FlowdeckError)
                self._keys = parse_authorized_keys(text)
                self._stamp = stamp
        except FileNotFoundError:
            raise FlowdeckError(f"no authorized-keys file at {self.path}") from None
        except OSError as exc:  # the file's status could not be read
            raise FlowdeckError(f"cannot read authorized-keys file {self.path}: {exc.strerror or exc}") \
                from None
        return self._keys


def load_host_key(path: Path):
    """The server's host key: read it, or create it (mode 0600) on first start."""
    import asyncssh

    if not path.exists():
        return _create_host_key(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise FlowdeckError(f"cannot read the host key {path}: {exc.strerror or exc}") from None
    if mode & 0o077:
        raise FlowdeckError(
            f"the host key {path} may be read by others (mode {mode:04o}); "
            f"make it private with 'chmod 600 {path}' or delete it to make a new one")
    try:
        return asyncssh.read_private_key(str(path))
    except (asyncssh.KeyImportError, ValueError):
        raise FlowdeckError(f"{path} is not a private key; delete it to make a new one") from None
    except OSError as exc:
        raise FlowdeckError(f"cannot read the host key {path}: {exc.strerror or exc}") from None


def _create_host_key(path: Path):
    import asyncssh

    key = asyncssh.generate_private_key("ssh-ed25519", comment="flowdeck ssh-serve")
    data = key.export_private_key("openssh")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another server made it a moment ago: use that one
        return load_host_key(path)
    except OSError as exc:
        raise FlowdeckError(f"cannot create the host key {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)  # whatever the umask made of it
    return key
