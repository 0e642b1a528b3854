"""The harness's bare-Textual twins are what they claim (benchmarks/baseline_*.py).

Each is loaded from its file, as the harness runs it, and run once headless:
its DataTable must hold the rows the harness waits for, and react to the
keys the harness presses. Nothing here is timed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

from textual.widgets import DataTable

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str):
    """The twin's module, loaded with its own folder first on the path, as when run as a script."""
    spec = importlib.util.spec_from_file_location(f"baseline_under_test_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def rows(table: DataTable) -> list[str]:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def run(app, steps) -> None:
    async def go() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await steps(app, pilot)

    asyncio.run(go())


def test_the_start_up_twin_shows_its_rows_at_once():
    module = load("baseline_app")

    async def steps(app, pilot) -> None:
        table = app.query_one(DataTable)
        assert rows(table) == [f"Baseline {i}" for i in range(1, 11)]  # the harness waits for "Baseline 1"
        assert table.has_focus

    run(module.Baseline(), steps)


def test_the_open_twin_opens_a_screen_showing_the_first_rows_of_its_list():
    module = load("baseline_open")
    assert len(module.ROWS) == 100_000

    async def steps(app, pilot) -> None:
        assert rows(app.query_one(DataTable)) == ["Open me"]
        first = app.screen
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not first
        table = app.screen.query_one(DataTable)
        assert rows(table) == [f"Row {i:07d}" for i in range(module.PAGE)]  # "Row 0000000" first
        assert module.PAGE == 100

    run(module.BaselineOpen(), steps)


def test_the_cursor_twin_is_a_plain_table_of_100_rows_whose_cursor_moves():
    module = load("baseline_cursor")

    async def steps(app, pilot) -> None:
        table = app.query_one(DataTable)
        assert rows(table) == [f"Row {i:03d}" for i in range(100)]
        assert table.cursor_row == 0
        await pilot.press("down", "down", "up")
        assert table.cursor_row == 1

    run(module.BaselineCursor(), steps)


def test_the_idle_twin_has_one_timer_that_changes_one_cell():
    module = load("baseline_idle")

    async def steps(app, pilot) -> None:
        table = app.query_one(DataTable)
        assert rows(table)[0] == "Row 000"
        timers = [t for t in app._timers if t._interval == 1.0]
        assert len(timers) == 1
        before = [list(map(str, table.get_row_at(i))) for i in range(table.row_count)]
        app.tick()  # what the timer does each second
        after = [list(map(str, table.get_row_at(i))) for i in range(table.row_count)]
        changed = [(r, c) for r in range(len(before)) for c in range(3) if before[r][c] != after[r][c]]
        assert changed == [(0, 2)] and after[0][2] == "1"

    run(module.BaselineIdle(), steps)
