"""What a running app shows, under Pilot: waited for (no key pressed) and read.

In tests/, not a suite's folder: the TUI, operations and reach tests all wait so.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.css.query import NoMatches
from textual.pilot import Pilot


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> float:
    """Let the app run until ``condition()`` holds; return how long it took (AssertionError
    after ``timeout`` seconds)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not seen within {timeout} s")
        await pilot.pause(0.05)
    return time.monotonic() - started


def flow_rows(screen) -> dict[str, str]:
    """The rows of the screen's flow list loaded now, as text, by flow name ({} before the
    list is mounted)."""
    from tui.widgets.paged_table import PagedTable

    try:
        table = screen.query_one("#flows-table", PagedTable)
    except NoMatches:
        return {}
    rows = {}
    for key in list(table.keys()):
        cells = [c.plain if hasattr(c, "plain") else str(c) for c in table.get_row(key)]
        rows[cells[0]] = " | ".join(cells)
    return rows
