"""``flowdeck ssh-serve``: the TUI over SSH, one app per session, as the key's owner.

Who connects is decided by the public key alone: the authorized-keys file
maps each key to a registered user's email (see ``ssh_keys``), and the
user name the client sends is ignored. Password, keyboard-interactive and
host-based logins are not offered. A session gets its own ``FlowdeckApp``
running on this server's event loop with the SSH channel as its terminal
(see ``ssh_driver``); it needs a pseudo-terminal, follows window resizes
and ends after ``idle_timeout`` seconds without input. Nothing else is
served: no shell, no command execution, no subsystem (SFTP), no TCP/IP or
UNIX forwarding, no agent or X11 forwarding.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import asyncssh

from store.clock import iso
from store.errors import FlowdeckError, NotFound
from store.text import visible

from .ssh_driver import Terminal, driver_for
from .ssh_keys import AuthorizedKeysFile, load_host_key

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
    idle_timeout: float = 900.0  # seconds without input; 0: never
    readonly: bool = False
    theme: str | None = None
    keymap: dict[str, str] | None = None
    login_timeout: float = 30.0
    keepalive_interval: float = 30.0


class FrontDoor:
    """The listening server, its sessions, and what they share (store, clock, keys)."""

    def __init__(self, store: Store, options: SSHOptions, out: TextIO | None = None) -> None:
        self.store = store
        self.options = options
        self.keys = AuthorizedKeysFile(options.authorized_keys)
        self.sessions: set[TuiSession] = set()
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
            encoding="utf-8", errors="replace", login_timeout=opts.login_timeout,
            keepalive_interval=opts.keepalive_interval)
        self.log(f"ssh-serve listening on {opts.host}:{self.port} "
                 f"(host key {self.host_key.get_fingerprint()}, "
                 f"idle timeout {_seconds(opts.idle_timeout)})")

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
        for conn in conns:
            conn.close()
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
        from .app import FlowdeckApp

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
        with contextlib.suppress(OSError, ValueError):  # nobody reads the log any more
            print(visible(f"{iso(self.store.clock.now())} {line}"), file=self._out, flush=True)

    def warn(self, line: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            print(visible(f"warning: {' '.join(line.split())}"), file=self._std[1], flush=True)


def _seconds(value: float) -> str:
    if not value:
        return "off"
    return f"{value / 60:g} min" if value >= 60 else f"{value:g} s"


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
        self._candidate: str | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.peer = _peer(conn)
        self.door.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.conn is not None:
            self.door.connections.discard(self.conn)

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
        self._candidate = await self.door.user_for_key(key, self.peer)
        return self._candidate is not None

    def auth_completed(self) -> None:
        self.email = self._candidate

    # -- what an authenticated client may open ------------------------------------------
    def session_requested(self) -> TuiSession | bool:
        if self.email is None:
            return False
        return TuiSession(self.door, self.email, self.peer)

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


class TuiSession(asyncssh.SSHServerSession):
    """One SSH session: a pseudo-terminal running the TUI as the key's owner."""

    def __init__(self, door: FrontDoor, email: str, peer: str) -> None:
        self.door = door
        self.email = email
        self.peer = peer
        self.chan: asyncssh.SSHServerChannel | None = None
        self.term_type = "xterm-256color"
        self.size: tuple[int, int] | None = None  # None: no pseudo-terminal was asked for
        self.command: str | None = None
        self.terminal: Terminal | None = None
        self.app = None
        self.task: asyncio.Task | None = None
        self.ending: str | None = None
        self.ending_words = ""
        self._closed = False
        self._idle: asyncio.TimerHandle | None = None
        self._last_input = 0.0

    # -- what the client asks for ---------------------------------------------------------
    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes) -> bool:
        self.term_type = term_type or self.term_type
        width, height = term_size[0] or 80, term_size[1] or 24
        self.size = (width, height)
        return True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        if width and height:
            self.size = (width, height)
            if self.terminal is not None:
                self.terminal.resize(width, height)

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.command = command  # accepted only to say no in words (see session_started)
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.door.log(f"refused subsystem {subsystem!r} for {self.email} from {self.peer}")
        return False

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal: str) -> None:
        pass

    # -- running -------------------------------------------------------------------------------
    def session_started(self) -> None:
        if self.command is not None:
            self.door.log(f"refused command {self.command!r} for {self.email} from {self.peer}")
            self._refuse("error: Flowdeck runs no commands over SSH; connect without a command "
                         "(ssh -t) to open the console")
            return
        if self.size is None:
            self._refuse("error: Flowdeck needs a terminal; connect with 'ssh -t' and no command")
            return
        self.terminal = Terminal(self._write, self.size, self._colors())
        self.task = asyncio.ensure_future(self._run())

    def _colors(self) -> str:
        env = self.chan.get_environment() if self.chan else {}
        if str(env.get("COLORTERM", "")).lower() in ("truecolor", "24bit"):
            return "truecolor"
        return "256"  # OpenSSH does not forward COLORTERM: assume 256 colours

    async def _run(self) -> None:
        door = self.door
        door.sessions.add(self)
        failure: BaseException | None = None
        code = 0
        try:
            app = door.make_app(self.email)
        except FlowdeckError as exc:  # the user was removed a moment ago, or the store failed
            door.session_ended(self)
            door.log(f"session refused for {self.email} from {self.peer}: {exc}")
            self._refuse(exc.line())
            return
        app.driver_class = driver_for(self.terminal)
        self.app = app
        try:
            if self.ending is None:
                width, height = self.terminal.size
                door.log(f"session opened for {self.email} from {self.peer} "
                         f"({width}x{height}, {self.term_type})")
                self._arm_idle()
                await app.run_async()
                code = app.return_code or 0
                failure = getattr(app, "_exception", None)  # what Textual caught, if anything
        except Exception as exc:  # noqa: BLE001 - one session's failure must not stop the server
            failure, code = exc, 1
        finally:
            self._disarm_idle()
            door.session_ended(self)
        self._goodbye(code, failure)

    def _goodbye(self, code: int, failure: BaseException | None) -> None:
        why = self.ending or "quit"
        if failure is not None:
            why = f"error: {type(failure).__name__}: {' '.join(str(failure).split())}"
            self._say("error: Flowdeck stopped on an internal error (the server log has more)")
            code = code or 1
        elif self.ending in ("idle", "shutdown"):
            self._say(f"Flowdeck: {self.ending_words}")
        self.door.log(f"session closed for {self.email} from {self.peer} ({why})")
        self._exit(code)

    def end(self, reason: str, words: str = "") -> None:
        """End the session: the app exits, then the channel closes."""
        if self.ending is None:
            self.ending, self.ending_words = reason, words
        app = self.app
        if app is not None and not getattr(app, "_exit", False):
            app.exit()

    # -- idle time ----------------------------------------------------------------------------
    def _arm_idle(self) -> None:
        timeout = self.door.options.idle_timeout
        if not timeout:
            return
        loop = asyncio.get_running_loop()
        self._last_input = loop.time()
        self._idle = loop.call_later(timeout, self._check_idle)

    def _disarm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _check_idle(self) -> None:
        timeout = self.door.options.idle_timeout
        loop = asyncio.get_running_loop()
        quiet = loop.time() - self._last_input
        if quiet >= timeout - 0.05:
            self._idle = None
            self.end("idle", f"the session ended after {_seconds(timeout)} without input")
        else:
            self._idle = loop.call_later(timeout - quiet, self._check_idle)

    # -- the channel -------------------------------------------------------------------------
    def data_received(self, data: str, datatype: int | None) -> None:
        self._last_input = asyncio.get_running_loop().time()
        if self.terminal is not None:
            self.terminal.feed(data)

    def eof_received(self) -> bool:
        self.end("disconnected")
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self.end("disconnected")

    def _write(self, data: str) -> None:
        if self._closed or self.chan is None:
            return
        try:
            self.chan.write(data)
        except OSError:
            self._closed = True

    def _say(self, line: str) -> None:
        if self._closed or self.chan is None:
            return
        newline = "\r\n" if self.size else "\n"
        try:
            self.chan.write_stderr(line + newline)
        except OSError:
            self._closed = True

    def _refuse(self, line: str) -> None:
        self._say(line)
        self._exit(1)

    def _exit(self, code: int) -> None:
        if self._closed or self.chan is None:
            return
        with contextlib.suppress(OSError):  # the client has gone already
            self.chan.exit(code)
        self._closed = True


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
