"""Drive a real program in a pseudo-terminal and time what it paints.

Times are taken from the outside, as a user sees them: from the moment a
key is written to the terminal to the moment the program has painted.
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
import termios
import time
from pathlib import Path

_ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>]"
)


class Terminal:
    """One program in a pty of a fixed size."""

    def __init__(self, argv: list[str], *, cols: int = 100, rows: int = 30,
                 env: dict[str, str] | None = None, cwd: str | None = None,
                 stderr: int | None = None) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
                    "TEXTUAL_ANIMATIONS": "none", **(env or {})}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave,
                                     stderr=slave if stderr is None else stderr, env=full_env,
                                     cwd=cwd, start_new_session=True, close_fds=True)
        os.close(slave)
        self.buffer = b""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:
            return b""
        self.buffer += data
        return data

    def text(self) -> bytes:
        return _ANSI.sub(b"", self.buffer)

    def wait_for(self, needle: str, timeout: float = 30.0) -> float:
        """Seconds until ``needle`` has been painted (searched in what arrived since last clear)."""
        want = needle.encode()
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if want in self.buffer or want in self.text():
                return time.perf_counter()
            self._read(0.005)
            if self.proc.poll() is not None and want not in self.buffer:
                raise RuntimeError(f"the program exited before painting {needle!r}: "
                                   f"{self.text()[-400:]!r}")
        raise TimeoutError(f"{needle!r} was not painted within {timeout} s: {self.text()[-400:]!r}")

    def clear(self) -> None:
        self.drain(0.05)
        self.buffer = b""

    def drain(self, quiet: float = 0.05, limit: float = 5.0) -> None:
        """Read until nothing arrives for ``quiet`` seconds."""
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            if not self._read(quiet):
                return

    def press(self, keys: str) -> float:
        self.buffer = b""
        os.write(self.master, keys.encode())
        return time.perf_counter()

    def repaint_after(self, keys: str, quiet: float = 0.002, limit: float = 2.0) -> float:
        """Seconds from writing ``keys`` to the end of the repaint they cause."""
        sent = self.press(keys)
        end = sent + limit
        last = None
        while time.perf_counter() < end:
            if self._read(quiet if last else limit):
                last = time.perf_counter()
            elif last is not None:
                return last - sent
        return (last or end) - sent

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        os.close(self.master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
