"""Running the real ``flowdeck`` script as other processes would: workers, writers, one-offs.

Every process gets the test's store in ``FLOWDECK_DB``, a home, data and config
directory of its own inside the test's temporary directory, and no colour. No
pytest here: only ``subprocess``. (In tests/, not a suite's folder: the operations,
runtime and CLI tests all start ``flowdeck`` this way.)
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from store.clock import iso

FLOWDECK = Path(sys.executable).parent / "flowdeck"


def env_for(url: str, tmp_path: Path) -> dict[str, str]:
    """This process's environment for a ``flowdeck`` on the store at ``url``: no other
    ``FLOWDECK_`` setting (but a server store's key), its files inside ``tmp_path``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FLOWDECK_") or k == "FLOWDECK_SECRET_KEY"}
    env.update(FLOWDECK_DB=url, FLOWDECK_CONFIG=str(tmp_path / "config.toml"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               HOME=str(tmp_path / "home"), NO_COLOR="1", COLUMNS="200")
    return env


def argv(*args: str, now: datetime | None = None, speed: str | None = None,
         user: str | None = None) -> list[str]:
    out = [str(FLOWDECK)]
    if now is not None:
        out += ["--now", iso(now)]
    if speed is not None:
        out += ["--speed", speed]
    if user is not None:
        out += ["--user", user]
    return out + list(args)


def run(env: dict[str, str], *args: str, timeout: float = 60, **opts) -> subprocess.CompletedProcess:
    return subprocess.run(argv(*args, **opts), capture_output=True, text=True, env=env,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@dataclass
class Worker:
    """A long-running ``flowdeck`` process whose output lines are read as they come."""

    proc: subprocess.Popen
    lines: queue.Queue = field(default_factory=queue.Queue)
    out: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, line)
    err: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        threading.Thread(target=self._pump, args=(self.proc.stdout, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, False), daemon=True).start()

    def _pump(self, stream, is_out: bool) -> None:
        for line in stream:
            if is_out:
                stamped = (time.monotonic(), line.rstrip("\n"))
                self.out.append(stamped)
                self.lines.put(stamped)
            else:
                self.err.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30) -> tuple[float, str]:
        """The first line (from now on) that contains ``text``, with when it was read."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line with {text!r} within {timeout} s; "
                                     f"out={self.text()!r} err={self.err!r}")
            try:
                stamped = self.lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    time.sleep(0.2)  # let the pumps finish
                    if self.lines.empty():
                        raise AssertionError(f"exited {self.proc.returncode} before {text!r}: "
                                             f"out={self.text()!r} err={self.err!r}") from None
                continue
            if text in stamped[1]:
                return stamped

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        time.sleep(0.1)  # the pumps read to the end
        return code

    def text(self) -> str:
        return "\n".join(line for _, line in self.out)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def start(env: dict[str, str], *args: str, **opts) -> Worker:
    proc = subprocess.Popen(argv(*args, **opts), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, stdin=subprocess.DEVNULL, bufsize=1)
    return Worker(proc)
