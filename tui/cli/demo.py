"""``flowdeck demo``: build a fresh demo store and open the TUI as its owner.

The demo goes to ``demo.db`` in the data directory (replaced every time),
or to ``--db`` / ``FLOWDECK_DB``, which must not already hold a store. Either
way it is a simulated-clock store of its own (``--speed`` runs the demo fast).
On a terminal the build shows a progress bar; piped, it stays
plain and the TUI is not opened.
"""

from __future__ import annotations

import inspect
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from store.errors import Conflict, FlowdeckError
from tui.cli import output as o
from tui.cli.context import ctx_of, normalize_db, open_tui_for

_DEMO_FILE = "demo.db"


def _check_speed(value: float | None) -> float | None:
    if value is not None and not (0 <= value < float("inf")):
        raise typer.BadParameter(f"{value:g} is not a speed; give a number of 0 or more")
    return value


def _remove_old_demo() -> str:
    from store.paths import default_data_dir, default_url

    base = default_data_dir() / _DEMO_FILE
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(f"{base}{suffix}").unlink(missing_ok=True)
    return default_url(_DEMO_FILE)


def _takes_progress(fn: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "progress" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _build(build_demo: Callable[..., Any], store) -> Any:
    if not (_takes_progress(build_demo) and sys.stderr.isatty()):
        return build_demo(store)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("building the demo"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("demo", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        return build_demo(store, progress=progress)


def demo(
    ctx: typer.Context,
    speed: Annotated[float | None, typer.Option(
        "--speed", metavar="N", callback=_check_speed,
        help="Run the demo's clock N times as fast as real time.")] = None,
    tour: Annotated[bool, typer.Option(
        "--tour", help="Open the TUI with a guided tour of the demo (] next, [ back, Esc leaves).")
    ] = False,
) -> None:
    """Fill a fresh demo store and open the TUI as its owner."""
    from store.connect import place_of
    from store.engine import init_store

    state = ctx_of(ctx)
    clock = state.clock(speed if speed is not None else state.speed)
    if tour:  # the tour speeds the clock up for a while, to show the eight-hour stop
        from tui.tour.panel import TimeLapseClock

        clock = TimeLapseClock(state.now, clock.speed)
    url = normalize_db(state.db) if state.db else _remove_old_demo()
    try:
        store = init_store(url, clock, simulated_clock=True)
    except FlowdeckError as exc:
        if "already holds" not in str(exc):
            raise
        raise Conflict(
            f"{place_of(url)} already holds a Flowdeck store; the demo needs a fresh one "
            "(name a new file with --db, or leave --db out to use demo.db in the data "
            "directory)") from None
    try:
        from store.demo.timeline import build_demo

        result = _build(build_demo, store)
    finally:
        store.close()
    owner = result.owner
    o.out(result.summary)
    o.out(f"open it again with: flowdeck --db {shlex.quote(url)} --user {shlex.quote(owner)}")
    if sys.stdout.isatty() and sys.stdin.isatty():
        from store.demo.traffic import running_demo

        with running_demo(url, clock, note=o.note):  # a worker, the target, some traffic
            open_tui_for(ctx, db_url=url, user=owner, clock=clock, tour=tour)


def register(app: typer.Typer) -> None:
    app.command("demo", rich_help_panel="Workers and demos")(demo)
