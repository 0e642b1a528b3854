"""Paging a workspace of 100,000 flows: every row reachable and right, the filter and the
sort applied to the whole set (not one page), the countdowns of rows scrolled into view
right, and never the whole list in memory. Functional tests: nothing here is timed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert
from tui_helpers import NOW, press, settle, type_text

from store.clock import FrozenClock
from store.engine import init_store
from store.models import Flow
from store.policy import WORK_TIME
from store.services import Flowdeck
from tui.app import FlowdeckApp
from tui.format import hms
from tui.widgets.paged_table import KEEP_PAGES, PAGE, PagedTable

FLOWS = 100_000
OWNER = "olga@scale.example"
STATUSES = ("inactive", "stopped", "active")  # flow i has STATUSES[i % 3]


def started_minutes_ago(i: int) -> int:
    return i % 480


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """One Limited workspace, Scale/Big, of 100,000 flows, bulk-inserted (read-only here)."""
    path = tmp_path_factory.mktemp("paging") / "big.db"
    clock = FrozenClock(NOW)
    store = init_store(f"sqlite:///{path}", clock, simulated_clock=True)
    Flowdeck(store, None).add_user("root@scale.example", "Root")
    Flowdeck(store, "root@scale.example").add_user(OWNER, "Olga")
    olga = Flowdeck(store, OWNER)
    olga.create_contract("Scale")
    ws = olga.create_workspace("Scale/Big")
    rows = []
    for i in range(FLOWS):
        status = STATUSES[i % 3]
        started = NOW - timedelta(minutes=started_minutes_ago(i)) if status != "inactive" else None
        rows.append(dict(
            workspace_id=ws.id, name=f"Flow {i:06d}", name_key=f"flow {i:06d}", type="ordinary",
            status=status, started_at=started,
            deadline=started + WORK_TIME if status == "active" else None,
            stopped_at=started + timedelta(minutes=1) if status == "stopped" else None,
            stop_reason="manual" if status == "stopped" else None,
            queued=0, lost_messages=0, created_at=NOW))
    store.run(lambda s: [s.execute(insert(Flow.__table__), rows[k:k + 20_000])
                         for k in range(0, FLOWS, 20_000)], write=True)
    yield store
    store.close()


def app_on(store) -> FlowdeckApp:
    app = FlowdeckApp(store=store, user=OWNER, clock=FrozenClock(NOW), steady=True)
    app.animation_level = "none"
    return app


async def open_big(pilot) -> PagedTable:
    await settle(pilot)
    await press(pilot, "enter")  # the contract Scale
    await press(pilot, "enter")  # its workspace Big
    table = pilot.app.screen.query_one("#flows-table", PagedTable)
    assert table.row_count == FLOWS
    return table


async def go_to(pilot, table: PagedTable, index: int) -> None:
    table.cursor = index
    await settle(pilot)
    await pilot.pause()
    await settle(pilot)


def name_at(table: PagedTable, index: int) -> str:
    row = table.row_at(index)
    assert row is not None, f"row {index} was not loaded"
    return row.payload.name


def cells(row) -> list[str]:
    return [c.plain if hasattr(c, "plain") else str(c) for c in row.cells]


async def test_first_middle_and_last_rows_are_reachable_and_right(big):
    app = app_on(big)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_big(pilot)
        assert table.current_row.payload.name == "Flow 000000"
        await press(pilot, "end")
        await settle(pilot)
        assert table.cursor == FLOWS - 1
        last = table.current_row
        assert last.payload.name == "Flow 099999" and last.payload.status == STATUSES[99_999 % 3]
        for index in (50_000, 73_457, 1):
            await go_to(pilot, table, index)
            row = table.current_row
            assert row.payload.name == f"Flow {index:06d}"
            assert cells(row)[1].endswith(STATUSES[index % 3])
        # only a few pages are ever held, never the hundred thousand rows
        assert len(table.pages.held) <= KEEP_PAGES
        assert sum(len(rows) for rows in table.pages.held.values()) <= KEEP_PAGES * PAGE


async def test_the_filter_applies_to_the_whole_set(big):
    app = app_on(big)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_big(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "099990")  # only on the very last page of the unfiltered list
        await settle(pilot)
        assert table.row_count == 1
        assert name_at(table, 0) == "Flow 099990"
        await press(pilot, "backspace")  # "09999": at both ends of the whole set
        await settle(pilot)
        wanted = [f"Flow {i:06d}" for i in range(FLOWS) if "09999" in f"{i:06d}"]
        assert len(wanted) == 11 and table.row_count == len(wanted)
        assert [name_at(table, i) for i in range(len(wanted))] == wanted


async def test_sorts_apply_to_the_whole_set(big):
    app = app_on(big)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_big(pilot)
        await press(pilot, "O")  # name, reversed: the last of all comes first
        await settle(pilot)
        assert name_at(table, 0) == "Flow 099999"
        await press(pilot, "o")  # next column: status (active < inactive < stopped), then name
        await settle(pilot)
        assert table.sort_key == "status"
        assert name_at(table, 0) == "Flow 000002"  # the first active flow of all
        await press(pilot, "O")
        await settle(pilot)
        assert name_at(table, 0) == "Flow 099997"  # the last stopped flow of all
        await press(pilot, "end")
        await settle(pilot)
        assert table.current_row.payload.name == "Flow 000002"


async def test_countdowns_of_rows_scrolled_into_view_are_right(big):
    app = app_on(big)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_big(pilot)
        await go_to(pilot, table, 61_234)
        clock = app.clock

        def expected(index: int) -> str:
            return hms((WORK_TIME - timedelta(minutes=started_minutes_ago(index))
                        - (clock.now() - NOW)).total_seconds())

        def shown() -> dict[int, str]:
            return {i: cells(row)[3] for i, row in table.visible_rows()
                    if row.payload.status == "active"}

        in_view = shown()
        assert in_view and min(in_view) <= 61_234 <= max(table.visible_rows())[0]
        for index, text in in_view.items():
            assert text.split()[0] == expected(index), index
        clock.advance(seconds=75)
        app.screen.tick()
        await pilot.pause()
        for index, text in shown().items():
            assert text.split()[0] == expected(index), index
