"""One SSH session of ``flowdeck ssh-serve``: the console on a pseudo-terminal, or a refusal.

The session runs its own ``FlowdeckApp`` as the key's owner with the
channel as its terminal (see ``ssh_driver``), follows window resizes and
ends after the idle timeout without input. A session asking for a command,
a subsystem (SFTP) or a shell without a terminal, or one past the
server's session limits, is told why on its stderr and closed (exit 1).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import asyncssh

from store.errors import FlowdeckError
from tui.serve.ssh_driver import Terminal, driver_for
from tui.serve.ssh_limits import seconds_text

if TYPE_CHECKING:
    from tui.serve.ssh import FrontDoor, _Server


def _is_scp(command: str | None) -> bool:
    return command is not None and command.split(maxsplit=1)[:1] == ["scp"]


class TuiSession(asyncssh.SSHServerSession):
    """One SSH session: a pseudo-terminal running the TUI as the key's owner."""

    def __init__(self, door: FrontDoor, email: str, peer: str, owner: _Server) -> None:
        self.door = door
        self.email = email
        self.peer = peer
        self.owner = owner  # the connection
        self.refusal: str | None = None  # what to tell the client instead of serving it
        self.subsystem: str | None = None
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
        self.subsystem = subsystem  # accepted only to say no in words (see session_started)
        return True

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal: str) -> None:
        pass

    # -- running -------------------------------------------------------------------------------
    def session_started(self) -> None:
        if self.refusal is not None:
            self._refuse(self.refusal)
            return
        if self.subsystem is not None or _is_scp(self.command):
            what = f"subsystem {self.subsystem!r}" if self.subsystem is not None else \
                f"command {self.command!r}"
            self.door.log(f"refused {what} for {self.email} from {self.peer}")
            self._refuse("error: Flowdeck offers no file transfer (sftp, scp) over SSH")
            return
        if self.command is not None:
            self.door.log(f"refused command {self.command!r} for {self.email} from {self.peer}")
            self._refuse("error: Flowdeck runs no commands over SSH; connect without a command "
                         "(ssh -t) to open the console")
            return
        if self.size is None:
            self._refuse("error: Flowdeck needs a terminal; connect with 'ssh -t' and no command")
            return
        self.terminal = Terminal(self._write, self.size, self._colors())
        self.owner.console_opened()
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
            self.end("idle", f"the session ended after {seconds_text(timeout)} without input")
        else:
            self._idle = loop.call_later(timeout - quiet, self._check_idle)

    # -- the channel -------------------------------------------------------------------------
    def data_received(self, data: str, datatype: int | None) -> None:
        self._last_input = asyncio.get_running_loop().time()
        self.owner.input_received()
        if self.terminal is not None:
            self.terminal.feed(data)

    def eof_received(self) -> bool:
        self.end("disconnected")
        # Stay half-open: the app's last output, the exit status and the close are still to be
        # sent (answering False sends an EOF at once, after which nothing could be written and
        # the client would wait for a close that never came).
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self.owner.session_closed(self)
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
