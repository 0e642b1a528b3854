"""The real ``flowdeck`` console script in a real terminal (a pty) at 80x24, read off the screen.

No tmux and no terminal library: ``Terminal`` below is a screen just big
enough for what Textual sends (cursor moves, erases, text; colours and
modes are skipped), so the test reads the screen a person would see.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from tui_helpers import NOW, OWNER

from store.clock import iso

FLOWDECK = Path(sys.executable).parent / "flowdeck"
COLS, ROWS = 80, 24
DOWN, ENTER = "\x1b[B", "\r"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

_CSI = re.compile(r"\x1b\[([0-?]*)[ -/]*([@-~])")  # parameters, intermediates, final byte
_OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_UNFINISHED = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*)?\Z")


class Terminal:
    """A COLS x ROWS screen fed with what the program writes."""

    def __init__(self, cols: int = COLS, rows: int = ROWS) -> None:
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.x = self.y = 0
        self.raw = ""
        self._pending = ""

    def feed(self, data: str) -> None:
        self.raw += data
        data = self._pending + data
        self._pending = ""
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                csi, osc = _CSI.match(data, i), _OSC.match(data, i)
                if csi:
                    self._csi(csi.group(1), csi.group(2))
                    i = csi.end()
                elif osc:
                    i = osc.end()
                elif _UNFINISHED.match(data, i):
                    self._pending = data[i:]  # cut off between two reads: wait for the rest
                    return
                else:
                    i += 2  # ESC and one more (ESC 7, ESC =, ...)
                continue
            if ch == "\r":
                self.x = 0
            elif ch == "\n":
                self.y = min(self.y + 1, self.rows - 1)
            elif ch == "\b":
                self.x = max(self.x - 1, 0)
            elif ch >= " ":
                if self.x < self.cols:
                    self.grid[self.y][self.x] = ch
                self.x += 1
            i += 1

    def _csi(self, params: str, final: str) -> None:
        nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        if final == "H" and not params.startswith("?"):
            row = nums[0] if nums and nums[0] else 1
            col = nums[1] if len(nums) > 1 and nums[1] else 1
            self.y, self.x = min(row, self.rows) - 1, min(col, self.cols) - 1
        elif final == "K":
            mode = nums[0] if nums else 0
            start, end = {0: (self.x, self.cols), 1: (0, self.x + 1), 2: (0, self.cols)}[mode]
            for x in range(start, min(end, self.cols)):
                self.grid[self.y][x] = " "
        elif final == "J" or (final == "h" and params == "?1049"):
            self.grid = [[" "] * self.cols for _ in range(self.rows)]
        elif final == "A":
            self.y = max(self.y - (nums[0] if nums and nums[0] else 1), 0)
        elif final == "G":
            self.x = (nums[0] if nums and nums[0] else 1) - 1

    def text(self) -> str:
        return "\n".join("".join(row).rstrip() for row in self.grid)


class Session:
    """``flowdeck ARGS`` on a pty of COLS x ROWS."""

    def __init__(self, args: list[str], tmp_path: Path) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("FLOWDECK_", "TEXTUAL_")) or k == "FLOWDECK_SECRET_KEY"}
        env.update(TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS),
                   TEXTUAL_ANIMATIONS="none", FLOWDECK_STEADY="1",
                   FLOWDECK_CONFIG=str(tmp_path / "no-config.toml"),
                   XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
                   HOME=str(tmp_path / "home"))
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen([str(FLOWDECK), *args], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.screen = Terminal()
        self._decoder_tail = b""

    def read_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._read_once(0.05)

    def _read_once(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the program has gone and closed the terminal
            return False
        data = self._decoder_tail + chunk
        try:
            text, self._decoder_tail = data.decode("utf-8"), b""
        except UnicodeDecodeError as exc:  # a character split between two reads
            text, self._decoder_tail = data[:exc.start].decode("utf-8"), data[exc.start:]
        self.screen.feed(text)
        return True

    def wait_for(self, *patterns: str, timeout: float = 30.0) -> str:
        """Read until every regular expression matches the screen at once; return the screen.

        A frame may arrive in several reads, so what a test looks for is waited for
        as a whole (a full row, not just its first word).
        """
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self._read_once(0.1)
            shown = self.screen.text()
            if all(re.search(p, shown) for p in patterns):
                return shown
            if self.proc.poll() is not None:
                self.read_for(0.2)
                break
        raise AssertionError(f"never saw {patterns!r}; the screen:\n{self.screen.text()}\n"
                             f"(exit code {self.proc.poll()})")

    def type(self, *keys: str) -> None:
        for key in keys:
            os.write(self.master, key.encode())
            self.read_for(0.15)

    def wait_exit(self, timeout: float = 15.0) -> int:
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self._read_once(0.1)
        if self.proc.poll() is None:
            raise AssertionError(f"still running; the screen:\n{self.screen.text()}")
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


@pytest.fixture
def session(tmp_path):
    sessions: list[Session] = []

    def start(*args: str) -> Session:
        s = Session(list(args), tmp_path)
        sessions.append(s)
        return s

    yield start
    for s in sessions:
        s.close()


def test_flowdeck_with_no_command_opens_the_tui_on_a_demo_store(demo, session):
    """``flowdeck --db URL --user EMAIL --now ISO`` shows the contracts; keys walk to a countdown."""
    tui = session("--db", demo.url, "--user", OWNER, "--now", iso(NOW), "--speed", "0")
    screen = tui.wait_for(r"Northwind Traders\s+active\s+owner\s+5",
                          r"Globex Logistics\s+active\s+admin\s+3", r"q Quit")
    lines = screen.splitlines()
    assert lines[0].lstrip().startswith("Contracts")
    assert OWNER in lines[0]
    assert re.search(r"Contract\b.*Status.*Your role", screen)
    assert len(lines) <= ROWS and all(len(line) <= COLS for line in lines)

    tui.type(DOWN, ENTER)  # Northwind Traders
    tui.wait_for(r"Development\s+◔ Limited", r"Production\s+● Full")
    tui.type(ENTER)  # Development, the first workspace
    tui.wait_for(r"JSONata Playgro\S*\s+▶ active\s+ordinary\s+(⏱ )?0:04:00 !!\s+6",
                 "limited operational time")

    tui.type("q")
    assert tui.wait_exit() == 0
    assert "Traceback" not in tui.screen.raw


def test_flowdeck_demo_builds_the_store_and_opens_it(tmp_path, session):
    """``flowdeck --db URL --now ISO demo``: the demo a new user starts with, then ``q``."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    tui = session("--db", url, "--now", iso(NOW), "demo")
    screen = tui.wait_for(r"Northwind Traders\s+active", r"Globex Logistics\s+active", timeout=60)
    assert "maria.santos@northwind.example" in screen.splitlines()[0]
    tui.type("q")
    assert tui.wait_exit() == 0
    assert "Traceback" not in tui.screen.raw
