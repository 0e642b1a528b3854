"""A Textual driver whose terminal is an SSH channel.

Textual's own Linux driver talks to the process's tty. Here the "tty" is
one SSH session: the app's output goes to the channel, the client's
keystrokes (data on the channel) are parsed by Textual's xterm parser, and
the client's window-change requests become resize events. Everything runs
on the server's event loop, so no threads are involved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import ColorSystem
from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.geometry import Size
from textual.message import Message

#: Kitty keyboard protocol: disambiguate escape codes, report all keys, with their text.
_KITTY_FLAGS = 0b00001 | 0b01000 | 0b10000


class Terminal:
    """One SSH session seen as a terminal: output sink, input source, size."""

    def __init__(self, write: Callable[[str], None], size: tuple[int, int],
                 color_system: str = "256") -> None:
        self._write = write
        self.size = size
        self.color_system = color_system
        self.driver: ChannelDriver | None = None
        self._pending: list[str] = []

    def write(self, data: str) -> None:
        self._write(data)

    def feed(self, data: str) -> None:
        """Bytes the client typed (already decoded)."""
        if self.driver is None:
            self._pending.append(data)
        else:
            self.driver.feed(data)

    def resize(self, width: int, height: int) -> None:
        self.size = (max(width, 1), max(height, 1))
        if self.driver is not None:
            self.driver.resized(*self.size)

    def attach(self, driver: ChannelDriver) -> None:
        self.driver = driver
        pending, self._pending = self._pending, []
        for data in pending:
            driver.feed(data)

    def detach(self) -> None:
        self.driver = None


_COLOR_SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT,
                  "standard": ColorSystem.STANDARD}


class ChannelDriver(Driver):
    """Drives a Textual app on a :class:`Terminal` (see :func:`driver_for`)."""

    terminal: Terminal  # set on the per-session subclass

    def __init__(self, app: Any, *, debug: bool = False, mouse: bool = True,
                 size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size or self.terminal.size)
        self._parser = XTermParser()
        self._tick = None
        self._input = False
        # The colours this client gets, whatever the server's own terminal says. Rich has no
        # public setter; Textual renders every strip with this console's colour system.
        app.console._color_system = _COLOR_SYSTEMS.get(self.terminal.color_system,
                                                       ColorSystem.EIGHT_BIT)

    # -- output -------------------------------------------------------------------
    def write(self, data: str) -> None:
        self.terminal.write(data)

    def send_message(self, message: Message) -> None:
        # Already on the app's loop: post directly, in order.
        self._app.post_message(message)

    # -- input ----------------------------------------------------------------------
    def feed(self, data: str) -> None:
        if not self._input:
            return
        for message in self._parser.feed(data):
            self.process_message(message)
        self._schedule_tick()

    def _schedule_tick(self) -> None:
        # A lone Escape is told from the start of a sequence by a short wait.
        if self._tick is None:
            self._tick = self._loop.call_later(constants.ESCAPE_DELAY + 0.02, self._on_tick)

    def _on_tick(self) -> None:
        self._tick = None
        if not self._input:
            return
        for message in self._parser.tick():
            self.process_message(message)
        if getattr(self._parser, "_timeout_time", None) is not None:
            self._schedule_tick()

    def resized(self, width: int, height: int) -> None:
        self._size = (width, height)
        size = Size(width, height)
        self.send_message(events.Resize(size, size))

    # -- modes --------------------------------------------------------------------------
    def start_application_mode(self) -> None:
        write = self.write
        write("\x1b[?1049h")  # alternate screen
        self._mouse_on()
        write("\x1b[?25l")  # hide the cursor
        write("\x1b[?1004h")  # focus in / out
        if not constants.DISABLE_KITTY_KEY:
            write(f"\x1b[>{_KITTY_FLAGS}u")
        write("\x1b[?2026$p")  # does the terminal do synchronised output?
        write("\x1b[?2004h")  # bracketed paste
        write("\x1b[?7l")  # no line wrap
        self._input = True
        self.terminal.attach(self)
        self.resized(*self.terminal.size)

    def _mouse_on(self) -> None:
        if self._mouse:
            self.write("\x1b[?1000h\x1b[?1003h\x1b[?1015h\x1b[?1006h")

    def _mouse_off(self) -> None:
        if self._mouse:
            self.write("\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l")

    def disable_input(self) -> None:
        self._input = False
        self.terminal.detach()
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def stop_application_mode(self) -> None:
        self.disable_input()
        write = self.write
        write("\x1b[?2004l")  # bracketed paste off
        write("\x1b[?7h")  # line wrap back
        self._mouse_off()
        if not constants.DISABLE_KITTY_KEY:
            write("\x1b[<u")
        write("\x1b[?1049l")  # back to the normal screen
        write("\x1b[?25h")  # show the cursor
        write("\x1b[?1004l")


def driver_for(terminal: Terminal) -> type[ChannelDriver]:
    """A driver class bound to one session's terminal (Textual instantiates it)."""
    return type("SessionDriver", (ChannelDriver,), {"terminal": terminal})
