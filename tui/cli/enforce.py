"""``flowdeck enforce``: the work-time worker, acting as the system.

Each sweep is one transaction (stop every overdue flow at its deadline,
prune the flow log). SIGINT and SIGTERM only set a flag, so a sweep in
progress finishes (or, killed harder, rolls back whole) and the worker then
exits 0.

Run as a service (``--interval``), it writes one plain line per event, each
starting with the time in ISO-8601 UTC, so ``grep`` and ``journalctl`` read it::

    2026-11-27T15:00:00Z enforce started interval=1s
    2026-11-27T15:00:07Z sweep stopped=3 lost_messages=12 pruned=0 took_ms=4
    2026-11-27T15:00:07Z flow.auto_stopped path="Acme/Staging/Orders"
    2026-11-27T15:09:00Z error: cannot reach the store ... (on stderr; the worker goes on)
    2026-11-27T15:10:00Z enforce stopped by SIGTERM

A sweep that stopped and pruned nothing is logged only with ``--verbose``.
``--log-format json`` writes one JSON object a line (``at``, ``level``,
``event`` and the event's fields). A store that cannot be reached is said
once, and once more when it answers again, not at every sweep.
"""

from __future__ import annotations

import signal
import time
from typing import Annotated

import typer

from store.errors import FlowdeckError
from tui.cli import output as o
from tui.cli.context import ctx_of
from tui.cli.work import LogFormat, LogFormats

_SLICE = 0.1  # seconds between looks at the stop flag while waiting


def enforce(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Sweep once and exit.")] = False,
    interval: Annotated[float | None, typer.Option(
        "--interval", metavar="SECONDS", min=0.1, max=86_400.0,
        help="Sweep every SECONDS until stopped (default 5).")] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Log every sweep, also those that changed nothing.")] = False,
    log_format: LogFormat = LogFormats.text,
) -> None:
    """Stop flows whose work time is over, and prune the flow log (as the system)."""
    if once and interval is not None:
        raise typer.BadParameter("give --once or --interval, not both", param_hint="'--once'")
    state = ctx_of(ctx)
    if state.readonly:
        from store.permissions import require_writable

        require_writable(True)
    fd = state.system()
    if once:
        r = fd.sweep()
        o.out(f"stopped {o.plural(r.stopped, 'flow')}, "
              f"dropped {o.plural(r.lost_messages, 'queued message')}, "
              f"pruned {o.plural(r.pruned_events, 'flow-log entry', 'flow-log entries')}")
        for path in r.flows:
            o.out(f"  stopped {path}")
        return
    _loop(fd, interval if interval is not None else 5.0, verbose=verbose,
          log_format=log_format.value)


def _loop(fd, interval: float, *, verbose: bool = False, log_format: str = "text") -> None:
    from store.logs import EventLog, StoreWatch

    stop = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    log = EventLog(fd.store.clock, log_format)
    watch = StoreWatch(log)
    try:
        log("enforce.started", text=f"enforce started interval={interval:g}s", interval=interval)
        while stop["signal"] is None:
            began = time.monotonic()
            try:
                r = fd.sweep()
            except FlowdeckError as exc:
                watch.failed(exc)
            else:
                watch.ok(began)
                if r.stopped or r.pruned_events or verbose:
                    took = round((time.monotonic() - began) * 1000)
                    log("sweep", stopped=r.stopped, lost_messages=r.lost_messages,
                        pruned=r.pruned_events, took_ms=took)
                    for path in r.flows:
                        log("flow.auto_stopped", path=path)
            wake = began + interval
            while stop["signal"] is None and time.monotonic() < wake:
                time.sleep(min(_SLICE, max(0.0, wake - time.monotonic())))
        name = signal.Signals(stop["signal"]).name
        log("enforce.stopped", text=f"enforce stopped by {name}", signal=name)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def register(app: typer.Typer) -> None:
    app.command("enforce", rich_help_panel="Workers and demos")(enforce)
