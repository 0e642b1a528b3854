"""``flowdeck work``: the runtime worker, acting as the system.

It moves messages through active flows' steps (``--concurrency`` threads),
fires timer triggers, runs the work-time sweep, and serves
``POST /hooks/<token>``, ``GET /healthz`` and ``GET /metrics`` on
``--host``/``--port`` (loopback by default). Every line it prints starts
with the time and is easy to grep; ``--log-format json`` prints one JSON
object a line instead. SIGINT and SIGTERM only set a flag: steps in
progress finish, then it exits 0.
"""

from __future__ import annotations

import signal
import threading
from enum import StrEnum
from typing import Annotated

import typer

from store.runtime import DEFAULT_HOST, DEFAULT_PORT
from tui.cli.context import ctx_of

_SLICE = 0.2  # seconds between looks at the stop flag
_LOOPBACK = ("127.0.0.1", "::1", "localhost")



class LogFormats(StrEnum):
    text = "text"
    json = "json"


#: ``--log-format text|json``, shared by ``work``, ``enforce`` and ``ssh-serve``.
LogFormat = Annotated[LogFormats, typer.Option(
    "--log-format", help="Log lines as text (for people) or one JSON object a line "
    "(for log pipelines).")]


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
    log_format: LogFormat = LogFormats.text,
) -> None:
    """Run flows: move messages through their steps, fire timers, serve POST /hooks/<token>."""
    from store.logs import EventLog
    from store.runtime.runner import Runtime

    state = ctx_of(ctx)
    if state.readonly:
        from store.permissions import require_writable

        require_writable(True)
    store = state.store()
    say = EventLog(store.clock, log_format.value)
    runtime = Runtime(store, concurrency=concurrency, host=host, port=port, log=say)
    stop: dict[str, int | None] = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        runtime.start()
        bound_host, bound_port = runtime.address or (host, port)
        shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
        base = f"http://{shown_host}:{bound_port}"
        say("work.started", text=f"work started host={bound_host} port={bound_port} "
            f"concurrency={concurrency} webhooks={base}/hooks/<token>", host=bound_host,
            port=bound_port, concurrency=concurrency, webhooks=f"{base}/hooks/<token>",
            healthz=f"{base}/healthz", metrics=f"{base}/metrics")
        if bound_host not in _LOOPBACK:
            say("work.exposed", level="warning",
                text=f"note: webhooks on {bound_host} are reachable from other machines",
                host=bound_host)
        while stop["signal"] is None:
            threading.Event().wait(_SLICE)
        name = signal.Signals(stop["signal"]).name
        say("work.stopping", text=f"work stopping ({name}): finishing steps in progress",
            signal=name)
        runtime.stop()
        c = runtime.worker.counts
        say("work.stopped", text=f"work stopped by {name} processed={c.processed} "
            f"retried={c.retried} parked={c.parked} flows_stopped={c.stopped}", signal=name,
            processed=c.processed, retried=c.retried, parked=c.parked, flows_stopped=c.stopped)
    finally:
        if stop["signal"] is None:
            runtime.stop(timeout=5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def register(app: typer.Typer) -> None:
    app.command("work", rich_help_panel="Workers and demos")(work)
