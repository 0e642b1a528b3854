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
"""

from __future__ import annotations

import json
import signal
import sys
import time
from typing import Annotated

import typer

from store.clock import iso
from store.errors import FlowdeckError
from store.text import visible

from . import output as o
from .cli_context import ctx_of

_SLICE = 0.1  # seconds between looks at the stop flag while waiting


def _line(text: str, *, err: bool = False) -> None:
    print(visible(text), file=sys.stderr if err else sys.stdout, flush=True)


def enforce(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Sweep once and exit.")] = False,
    interval: Annotated[float | None, typer.Option(
        "--interval", metavar="SECONDS", min=0.1, max=86_400.0,
        help="Sweep every SECONDS until stopped (default 5).")] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Log every sweep, also those that changed nothing.")] = False,
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
    _loop(fd, interval if interval is not None else 5.0, verbose=verbose)


def _loop(fd, interval: float, *, verbose: bool = False) -> None:
    stop = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    clock = fd.store.clock
    try:
        _line(f"{iso(clock.now())} enforce started interval={interval:g}s")
        while stop["signal"] is None:
            began = time.monotonic()
            try:
                r = fd.sweep()
            except FlowdeckError as exc:
                _line(f"{iso(clock.now())} {exc.line()}", err=True)
            else:
                if r.stopped or r.pruned_events or verbose:
                    at = iso(clock.now())
                    took = round((time.monotonic() - began) * 1000)
                    _line(f"{at} sweep stopped={r.stopped} lost_messages={r.lost_messages} "
                          f"pruned={r.pruned_events} took_ms={took}")
                    for path in r.flows:
                        _line(f"{at} flow.auto_stopped path={json.dumps(path, ensure_ascii=False)}")
            wake = began + interval
            while stop["signal"] is None and time.monotonic() < wake:
                time.sleep(min(_SLICE, max(0.0, wake - time.monotonic())))
        name = signal.Signals(stop["signal"]).name
        _line(f"{iso(clock.now())} enforce stopped by {name}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def register(app: typer.Typer) -> None:
    app.command("enforce", rich_help_panel="Workers and demos")(enforce)
