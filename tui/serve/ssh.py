"""``flowdeck ssh-serve``: the TUI over SSH, one app per session, as the key's owner.

Who connects is decided by the public key alone: the authorized-keys file
maps each key to a registered user's email (see ``ssh_keys``), and the
user name the client sends is ignored. Password, keyboard-interactive and
host-based logins are not offered. A session gets its own ``FlowdeckApp``
running on this server's event loop with the SSH channel as its terminal
(see ``ssh_session`` and ``ssh_driver``); it needs a pseudo-terminal,
follows window resizes and ends after ``idle_timeout`` seconds without input. Nothing else is
served: no shell, no command execution, no subsystem (SFTP), no TCP/IP or
UNIX forwarding, no agent or X11 forwarding. A connection that has not
opened the console within the login grace, or that sends no input for
``idle_timeout`` whatever channels it holds, is closed; sessions past
``max_sessions`` at once or past the per-key limit are refused with a
message (see ``ssh_limits``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import asyncssh

from store.errors import FlowdeckError, NotFound
from store.policy import SSH_IDLE_TIMEOUT, SSH_LOGIN_GRACE, SSH_MAX_SESSIONS
from store.text import visible
from tui.serve.ssh_keys import AuthorizedKeysFile, load_host_key
from tui.serve.ssh_limits import ConnectionClock, Seats, seconds_text
from tui.serve.ssh_session import TuiSession

if TYPE_CHECKING:
    from store.engine import Store

#: How long shutting down waits for the sessions' apps to finish
_SHUTDOWN_GRACE = 5.0


@dataclass
class SSHOptions:
    authorized_keys: Path
    host_key: Path
    host: str = "127.0.0.1"
    port: int = 2222
    idle_timeout: float = SSH_IDLE_TIMEOUT.total_seconds()  # seconds without input; 0: never
    readonly: bool = False
    theme: str | None = None
    keymap: dict[str, str] | None = None
    max_sessions: int = SSH_MAX_SESSIONS
    #: seconds a connection has to open the console (the policy's; tests shorten it)
    login_grace: float = SSH_LOGIN_GRACE.total_seconds()
    keepalive_interval: float = 30.0
    log_format: str = "text"  # or "json": one object a line


class FrontDoor:
    """The listening server, its sessions, and what they share (store, clock, keys)."""

    def __init__(self, store: Store, options: SSHOptions, out: TextIO | None = None) -> None:
        self.store = store
        self.options = options
        self.keys = AuthorizedKeysFile(options.authorized_keys)
        self.sessions: set[TuiSession] = set()  # those running the console
        self.seats = Seats(options.max_sessions)  # every session channel open
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.host_key = None
        self._out = out or sys.stdout
        # Textual redirects sys.stdout/stderr while an app runs; with apps starting and ending
        # in any order the last restore can be stale, so put the originals back when idle.
        self._std = (sys.stdout, sys.stderr)

    # -- life ----------------------------------------------------------------------
    async def start(self) -> None:
        self.host_key = load_host_key(self.options.host_key)
        self._check_keys()
        opts = self.options
        self.acceptor = await asyncssh.listen(
            opts.host, opts.port, server_factory=lambda: _Server(self),
            server_host_keys=[self.host_key], public_key_auth=True, password_auth=False,
            kbdint_auth=False, host_based_auth=False, gss_host=None, allow_pty=True,
            line_editor=False, agent_forwarding=False, x11_forwarding=False,
            encoding="utf-8", errors="replace", login_timeout=opts.login_grace,
            keepalive_interval=opts.keepalive_interval)
        self.log(f"ssh-serve listening on {opts.host}:{self.port} "
                 f"(host key {self.host_key.get_fingerprint()}, "
                 f"idle timeout {seconds_text(opts.idle_timeout)}, "
                 f"at most {opts.max_sessions} sessions, {self.seats.per_key} per key)")

    @property
    def port(self) -> int:
        return self.acceptor.get_port() if self.acceptor else self.options.port

    async def close(self, why: str = "the server is shutting down") -> None:
        """Stop listening, end every session (their apps exit cleanly), drop connections."""
        if self.acceptor is not None:
            self.acceptor.close()
            await self.acceptor.wait_closed()
            self.acceptor = None
        tasks = [s.task for s in self.sessions if s.task is not None]
        for session in list(self.sessions):
            session.end("shutdown", why)
        if tasks:
            await asyncio.wait(tasks, timeout=_SHUTDOWN_GRACE)
        conns = list(self.connections)
        for conn in conns:  # the client sees why (ssh -N too)
            conn.disconnect(asyncssh.DISC_BY_APPLICATION, f"Flowdeck: {why}")
        if conns:
            await asyncio.wait([asyncio.ensure_future(c.wait_closed()) for c in conns], timeout=2.0)
        self._restore_std()

    # -- who may come in --------------------------------------------------------------
    def _check_keys(self) -> None:
        from store.services import Flowdeck

        keys = self.keys.read()
        for problem in keys.problems:
            self.warn(f"{self.options.authorized_keys}: {problem}; skipped")
        registered = {u.email for u in Flowdeck(self.store, None).list_users()}
        for email in sorted(set(keys.users.values()) - registered):
            self.warn(f"{self.options.authorized_keys}: {email} is not a registered user; "
                      "that key is refused")
        usable = {e for e in keys.users.values() if e in registered}
        if not usable:
            self.warn(f"{self.options.authorized_keys} names no registered user: nobody can "
                      "connect until a key is added (the file is read again when it changes)")

    async def user_for_key(self, key: asyncssh.SSHKey, peer: str) -> str | None:
        """The registered user this key belongs to, or None (refused)."""
        from store.services import Flowdeck

        fingerprint = key.get_fingerprint()
        try:
            email = self.keys.read().user_for(key)
        except FlowdeckError as exc:
            self.log(f"refused key {fingerprint} from {peer}: {exc}")
            return None
        if email is None:
            self.log(f"refused key {fingerprint} from {peer}: not in the authorized keys")
            return None
        try:
            await asyncio.to_thread(Flowdeck(self.store, email).me)
        except NotFound:
            self.log(f"refused key {fingerprint} from {peer}: {email} is not a registered user")
            return None
        except FlowdeckError as exc:
            self.log(f"refused key {fingerprint} from {peer}: {exc}")
            return None
        return email

    def make_app(self, email: str):
        from tui.app import FlowdeckApp

        opts = self.options
        return FlowdeckApp(store=self.store, user=email, readonly=opts.readonly, theme=opts.theme,
                           keymap=opts.keymap)

    # -- bookkeeping ----------------------------------------------------------------------
    def session_ended(self, session: TuiSession) -> None:
        self.sessions.discard(session)
        if not self.sessions:
            self._restore_std()

    def _restore_std(self) -> None:
        sys.stdout, sys.stderr = self._std

    def log(self, line: str) -> None:
        from store.logs import EventLog

        text = EventLog(self.store.clock, self.options.log_format).line("ssh", text=line,
                                                                       message=line)
        with contextlib.suppress(OSError, ValueError):  # nobody reads the log any more
            print(text, file=self._out, flush=True)

    def warn(self, line: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            print(visible(f"warning: {' '.join(line.split())}"), file=self._std[1], flush=True)


def _peer(conn: asyncssh.SSHServerConnection) -> str:
    peer = conn.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return "?"


class _Server(asyncssh.SSHServer):
    """One client connection: authentication by key, then sessions; nothing else."""

    def __init__(self, door: FrontDoor) -> None:
        self.door = door
        self.conn: asyncssh.SSHServerConnection | None = None
        self.peer = "?"
        self.email: str | None = None
        self.key_id = ""  # the authenticated key's fingerprint
        self._candidate: tuple[str, str] | None = None
        self.sessions: set[TuiSession] = set()  # this connection's open session channels
        self.clock: ConnectionClock | None = None
        self._closing: asyncio.Future | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.peer = _peer(conn)
        self.door.connections.add(conn)
        opts = self.door.options
        self.clock = ConnectionClock(opts.login_grace, opts.idle_timeout, self._expire)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.clock is not None:
            self.clock.stop()
        if self.conn is not None:
            self.door.connections.discard(self.conn)
            self.conn = None

    # -- the login grace and the idle timeout (see ssh_limits) --------------------------
    def _expire(self, reason: str) -> None:
        opts = self.door.options
        who = f" for {self.email}" if self.email else ""
        self.door.log(f"closed the connection from {self.peer}{who} ({reason})")
        if reason == "idle":
            words = f"the connection was closed after {seconds_text(opts.idle_timeout)} " \
                    "without input"
            for session in list(self.sessions):
                session.end("idle", f"the session ended after {seconds_text(opts.idle_timeout)} "
                                    "without input")
        else:
            words = f"no console was opened within {seconds_text(opts.login_grace)}"
        running = [s.task for s in self.sessions if s.task is not None and not s.task.done()]
        if running:  # the consoles say goodbye on their channels first
            self._closing = asyncio.ensure_future(self._disconnect_after(running, words))
        else:
            self._disconnect(words)

    async def _disconnect_after(self, tasks: list[asyncio.Task], words: str) -> None:
        await asyncio.wait(tasks, timeout=_SHUTDOWN_GRACE)
        self._disconnect(words)

    def _disconnect(self, words: str) -> None:
        if self.conn is not None:  # the client shows it: 'Received disconnect from …: Flowdeck: …'
            with contextlib.suppress(OSError):
                self.conn.disconnect(asyncssh.DISC_BY_APPLICATION, f"Flowdeck: {words}")

    # -- authentication: public keys from the file, nothing else ----------------------
    def begin_auth(self, username: str) -> bool:
        return True  # the user name is ignored; the key decides

    def public_key_auth_supported(self) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # asyncssh asks again, with the signature, for the key that finally authenticates,
        # so the last accepted key is the one that proved itself.
        email = await self.door.user_for_key(key, self.peer)
        self._candidate = (email, key.get_fingerprint()) if email is not None else None
        return email is not None

    def auth_completed(self) -> None:
        if self._candidate is not None:
            self.email, self.key_id = self._candidate

    # -- what an authenticated client may open ------------------------------------------
    def session_requested(self) -> TuiSession | bool:
        if self.email is None:
            return False
        session = TuiSession(self.door, self.email, self.peer, self)
        refused = self.door.seats.take(session, self.key_id)
        if refused is not None:  # the channel opens only to say why, then closes
            why, session.refusal = refused
            self.door.log(f"refused a session for {self.email} from {self.peer}: {why}")
        else:
            self.sessions.add(session)
        return session

    def session_closed(self, session: TuiSession) -> None:
        self.sessions.discard(session)
        self.door.seats.release(session)

    def console_opened(self) -> None:
        if self.clock is not None:
            self.clock.console_opened()

    def input_received(self) -> None:
        if self.clock is not None:
            self.clock.touch()

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> bool:
        self.door.log(f"refused port forwarding to {dest_host}:{dest_port} for {self.email}")
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                        "Flowdeck allows no port forwarding")

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self.door.log(f"refused remote forwarding of {listen_host}:{listen_port} for {self.email}")
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        self.door.log(f"refused UNIX socket forwarding to {dest_path} for {self.email}")
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                        "Flowdeck allows no socket forwarding")

    def unix_server_requested(self, listen_path: str) -> bool:
        self.door.log(f"refused UNIX socket forwarding of {listen_path} for {self.email}")
        return False

    def tun_requested(self, unit: int | None) -> bool:
        return False

    def tap_requested(self, unit: int | None) -> bool:
        return False


def serve_ssh(store: Store, options: SSHOptions) -> str:
    """Run the server until SIGTERM or SIGINT; return the signal's name."""
    import signal

    async def main() -> str:
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        which: list[int] = []

        def on_signal(signum: int) -> None:
            which.append(signum)
            stopped.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal, sig)
        door = FrontDoor(store, options)
        try:
            await door.start()
            await stopped.wait()
        finally:
            await door.close()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        name = signal.Signals(which[0]).name
        door.log(f"ssh-serve stopped by {name}")
        return name

    return asyncio.run(main())
