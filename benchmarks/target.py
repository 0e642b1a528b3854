"""The local target (``store.runtime.target.Target``) in a process of its own, for the
runtime benchmarks: messages reach it over HTTP on 127.0.0.1, as they reach a partner.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

TARGET = ("import sys\n"
          "from store.runtime.target import Target\n"
          "d = float(sys.argv[1])\n"
          "t = Target(port=0, delay=(d, d)).start()\n"
          "print(t.url, flush=True)\n"
          "sys.stdin.read()\n")


@contextmanager
def target_process(delay: float = 0.0) -> Iterator[str]:
    """The target's URL while it runs, answering after ``delay`` seconds; stopped on leaving."""
    proc = subprocess.Popen([sys.executable, "-c", TARGET, str(delay)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the benchmark's target did not start")
        yield url
    finally:
        proc.stdin.close()
        proc.kill()
        proc.wait()
