"""Snapshots of the morning round (marks on a workspace's list, the time-left screen) at
80×24 and 120×36, and a check that no detail line at 80×24 cuts a word without saying so.

Update with ``pytest tests/tui/test_snapshots_morning.py --snapshot-update`` and look at
the SVGs before committing.
"""

from __future__ import annotations

import pytest
from tui_helpers import NW, highlight, press, run_before_at, settle

from tui.screens.time_left import TimeLeftScreen
from tui.screens.workspace import WorkspaceScreen
from tui.widgets.detail import ELLIPSIS, DetailLine, fit

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


def _marked_staging():
    # L: Invoice Export, stopped by the limit
    at_staging = run_before_at(NW, "Staging", None, "L", expect=WorkspaceScreen)

    async def run_before(pilot) -> None:
        await at_staging(pilot)
        await highlight(pilot, "flows-table", "Order Sync")
        await press(pilot, "space")
        await highlight(pilot, "flows-table", "Customer Upsert")
        pilot.app.clear_notifications()
        await settle(pilot)

    return run_before


@SIZES
def test_marks_on_a_workspace(snap_compare, demo, size):
    assert snap_compare(demo.app(), terminal_size=size, run_before=_marked_staging())


@SIZES
def test_time_left_screen(snap_compare, demo, size):
    # T opens it; down and space mark the second row
    time_left = run_before_at(None, None, None, "T", "down", "space", expect=TimeLeftScreen)
    assert snap_compare(demo.app(), terminal_size=size, run_before=time_left)


def _shown_words_are_a_prefix(detail: DetailLine) -> None:
    full = detail.text
    size = detail.content_size
    shown = fit(detail.content, size.width, size.height, detail.app.console)
    plain = shown.plain if hasattr(shown, "plain") else str(shown)
    words = plain.split()
    if words and words[-1] == ELLIPSIS:
        words = words[:-1]
        assert full.split()[: len(words)] == words, (plain, full)
        assert len(words) < len(full.split())
    else:
        assert words == full.split(), (plain, full)  # all of it, no word cut


async def test_no_detail_line_at_80x24_cuts_a_word(demo):
    app = demo.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        checked = 0
        for go in (lambda: None, lambda: app.jump(NW), lambda: app.jump(f"{NW}/Staging"),
                   lambda: app.jump(f"{NW}/Development"), app.open_time_left):
            go()
            await settle(pilot)
            for _ in range(4):  # a few rows of each list
                _shown_words_are_a_prefix(app.screen.query_one(DetailLine))
                checked += 1
                await press(pilot, "down")
        assert checked == 20
