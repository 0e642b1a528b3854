"""Helpers of the reach tests: an SSH front door on an ephemeral port, a client, the screen.

Everything is bounded in time and stops what it started. Kept out of
``conftest.py`` so test modules can import it by a name no other suite uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncssh

from store.clock import FrozenClock
from store.engine import Store, open_store
from tui.serve.ssh import FrontDoor, SSHOptions

NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)  # the demo's instant
OWNER = "maria.santos@northwind.example"

#: CSI / OSC / other escape sequences, as Textual writes them
_ANSI = re.compile(r"\x1b(\[[0-9;:?<>=$]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def new_key(email: str = "") -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519", comment=email or None)


def authorized_line(key: asyncssh.SSHKey, email: str) -> str:
    kind, blob = key.export_public_key().decode().split()[:2]
    return f"{kind} {blob} {email}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def serving(store: Store, authorized_keys: Path, host_key: Path, **options
                  ) -> AsyncIterator[FrontDoor]:
    """A front door on 127.0.0.1 and a free port, closed (sessions and all) at the end."""
    opts = SSHOptions(authorized_keys=authorized_keys, host_key=host_key, host="127.0.0.1",
                      port=0, **options)
    door = FrontDoor(store, opts, out=_Lines())
    await asyncio.wait_for(door.start(), 10)
    try:
        yield door
    finally:
        await asyncio.wait_for(door.close(), 15)


class _Lines:
    """A file-like log that keeps its lines (the door's log, for assertions)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> int:
        self.lines.extend(line for line in text.splitlines() if line)
        return len(text)

    def flush(self) -> None:
        pass


def log_of(door: FrontDoor) -> list[str]:
    return door._out.lines  # type: ignore[attr-defined]


async def connect(door: FrontDoor, key: asyncssh.SSHKey | None, **kwargs
                  ) -> asyncssh.SSHClientConnection:
    """A client connection that offers ``key`` only (no agent, no config, no known hosts)."""
    kwargs.setdefault("username", "root")  # ignored by the server: the key decides
    return await asyncio.wait_for(asyncssh.connect(
        "127.0.0.1", door.port, known_hosts=None, client_keys=[key] if key else None,
        agent_path=None, config=None, **kwargs), 15)


class Screen:
    """What a client's terminal received, readable as text without escape sequences."""

    def __init__(self, process: asyncssh.SSHClientProcess) -> None:
        self.process = process
        self.raw = ""
        self._from = 0
        self._task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            data = await self.process.stdout.read(65536)
            if not data:
                return
            self.raw += data

    @property
    def text(self) -> str:
        return strip_ansi(self.raw)

    def mark(self) -> None:
        """Look only at what arrives from now on."""
        self._from = len(self.raw)

    async def wait_for(self, *needles: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            seen = strip_ansi(self.raw[self._from:])
            if all(n in seen for n in needles):
                return seen
            if time.monotonic() > deadline or self._task.done():
                raise AssertionError(f"never saw {needles!r} on screen; last: {seen[-800:]!r}")
            await asyncio.sleep(0.05)

    async def keys(self, data: str, *then: str, timeout: float = 10.0) -> str:
        """Type ``data``, then wait for ``then`` to be drawn."""
        self.mark()
        self.process.stdin.write(data)
        return await self.wait_for(*then, timeout=timeout) if then else ""

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


async def eventually(check: Callable[[], object], timeout: float = 10.0, step: float = 0.05):
    """Wait until ``check()`` is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {check}")
        await asyncio.sleep(step)


class DemoCopy:
    """A copy of the demo store; ``app()`` opens the TUI over it as the demo's owner."""

    def __init__(self, path: Path, url: str | None = None) -> None:
        self.path = path
        self.url = url or f"sqlite:///{path}"
        self.clock = FrozenClock(NOW)
        self.store = open_store(self.url, self.clock)

    def app(self, user: str = OWNER, **kwargs):
        from tui.app import FlowdeckApp

        kwargs.setdefault("steady", True)
        app = FlowdeckApp(user=user, store=self.store, **kwargs)
        app.animation_level = "none"
        return app

    def close(self) -> None:
        self.store.close()
