"""``flowdeck work``: the runtime worker, acting as the system.

It moves messages through active flows' steps (``--concurrency`` threads),
fires timer triggers, runs the work-time sweep, and serves
``POST /hooks/<flow id>`` on ``--host``/``--port`` (loopback by default).
Every line it prints starts with the time and is easy to grep. SIGINT and
SIGTERM only set a flag: steps in progress finish, then it exits 0.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from typing import Annotated

import typer

from store.clock import iso
from store.runtime import DEFAULT_HOST, DEFAULT_PORT
from store.text import visible

from .cli_context import ctx_of

_SLICE = 0.2  # seconds between looks at the stop flag
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


class _Printer:
    """One whole line at a time, from any thread; errors to stderr."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()

    def __call__(self, text: str) -> None:
        line = visible(f"{iso(self.clock.now())} {text}")
        err = text.startswith(("error:", "permission denied:"))
        with self._lock, contextlib.suppress(OSError, ValueError):  # nobody reads: work goes on
            print(line, file=sys.stderr if err else sys.stdout, flush=True)


def work(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(
        "--host", metavar="HOST", help="Serve webhooks on this address (loopback by default).")
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(
        "--port", metavar="PORT", min=0, max=65535,
        help="Serve webhooks on this port (0: any free port).")] = DEFAULT_PORT,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", metavar="N", min=1, max=64,
        help="Run N worker threads.")] = 1,
) -> None:
    """Run flows: move messages through their steps, fire timers, serve POST /hooks/<flow id>."""
    from store.runtime.runner import Runtime

    state = ctx_of(ctx)
    if state.readonly:
        from store.permissions import require_writable

        require_writable(True)
    store = state.store()
    say = _Printer(store.clock)
    runtime = Runtime(store, concurrency=concurrency, host=host, port=port, log=say)
    stop: dict[str, int | None] = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        runtime.start()
        bound_host, bound_port = runtime.address or (host, port)
        shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
        say(f"work started host={bound_host} port={bound_port} concurrency={concurrency} "
            f"webhooks=http://{shown_host}:{bound_port}/hooks/<flow id>")
        if bound_host not in _LOOPBACK:
            say(f"note: webhooks on {bound_host} are reachable from other machines")
        while stop["signal"] is None:
            threading.Event().wait(_SLICE)
        say(f"work stopping ({signal.Signals(stop['signal']).name}): finishing steps in progress")
        runtime.stop()
        c = runtime.worker.counts
        say(f"work stopped by {signal.Signals(stop['signal']).name} processed={c.processed} "
            f"retried={c.retried} parked={c.parked} flows_stopped={c.stopped}")
    finally:
        if stop["signal"] is None:
            runtime.stop(timeout=5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def register(app: typer.Typer) -> None:
    app.command("work", rich_help_panel="Workers and demos")(work)
