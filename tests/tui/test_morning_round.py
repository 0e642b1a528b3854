"""The morning round by keys (DESIGN 2c): mark flows, restart them as one change, mark
every flow the time limit stopped, and watch what stops next on the time-left screen."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Button, Static
from tui_helpers import NW, OWNER, highlight, notifications, press, running, settle

from tui.screens.confirm import ConfirmScreen
from tui.screens.time_left import TimeLeftScreen
from tui.screens.workspace import WorkspaceScreen

STAGING = f"{NW}/Staging"


def marked(screen, table_id: str = "flows-table") -> list[str]:
    table = screen.query_one(f"#{table_id}")
    return [table.row_at(i).payload.name for i in range(table.row_count)
            if table.row_at(i) is not None and "●" in table.row_at(i).cells[-1].plain]


def paths(screen) -> list[str]:
    table = screen.query_one("#timeleft-table")
    return [table.row_at(i).payload.path for i in range(table.row_count)]


def dialog_text(app) -> tuple[str, str]:
    box = app.screen
    assert isinstance(box, ConfirmScreen), box
    return (str(box.query_one("#confirm-title", Static).render()),
            str(box.query_one("#confirm-body", Static).render()))


async def ask(pilot, key: str) -> None:
    """Press a key that asks first: its worker waits for the answer (``push_screen_wait``),
    so wait for the dialog rather than for the workers."""
    await pilot.press(key)
    for _ in range(200):
        if isinstance(pilot.app.screen, ConfirmScreen):
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{key} asked nothing")


async def answer(pilot, ok: bool) -> None:
    pilot.app.screen.query_one("#ok" if ok else "#cancel", Button).press()
    await pilot.pause()
    await settle(pilot)


async def test_mark_three_flows_and_restart_them_in_one_change(demo):
    app = demo.app()
    async with running(app, NW, "Staging") as pilot:
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        for name in ("Customer Upsert", "Inventory Sync", "Order Sync"):
            await highlight(pilot, "flows-table", name)
            await press(pilot, "space")
        assert marked(screen) == ["Customer Upsert", "Inventory Sync", "Order Sync"]
        assert "3 flows marked" in screen.query_one("#detail").text
        await ask(pilot, "R")
        title, body = dialog_text(app)
        assert title == "Restart 3 flows?"
        assert "98 queued messages will be dropped in all" in body  # 45 + 18 + 35
        assert app.screen.focused.id == "cancel"  # the safe choice is the default
        await answer(pilot, False)  # cancelled: nothing changed, the marks stay
        assert app.screen is screen and marked(screen) == [
            "Customer Upsert", "Inventory Sync", "Order Sync"]
        assert demo.as_(OWNER).get_flow(f"{STAGING}/Order Sync").queued_messages == 35

        await ask(pilot, "R")
        await answer(pilot, True)
        assert "3 flows restarted; 98 queued messages dropped" in notifications(app)
        svc = demo.as_(OWNER)
        for name in ("Customer Upsert", "Inventory Sync", "Order Sync"):
            f = svc.get_flow(f"{STAGING}/{name}")
            assert f.status == "active" and f.queued_messages == 0
            assert f.deadline - demo.clock.now() == timedelta(hours=8)
        assert svc.get_flow(f"{STAGING}/Shipment Notifications").queued_messages == 20
        assert marked(screen) == []  # done: the marks are cleared


async def test_mark_every_flow_the_limit_stopped_and_start_them(demo):
    app = demo.app()
    async with running(app, NW, "Staging") as pilot:
        screen = app.screen
        await press(pilot, "L")
        assert marked(screen) == ["Invoice Export"]  # not Returns Processing (stopped by hand)
        await ask(pilot, "s")
        assert dialog_text(app)[0] == "Start 1 flow?"
        await answer(pilot, True)
        f = demo.as_(OWNER).get_flow(f"{STAGING}/Invoice Export")
        assert f.status == "active" and f.deadline - demo.clock.now() == timedelta(hours=8)
        assert demo.as_(OWNER).get_flow(f"{STAGING}/Returns Processing").status == "stopped"
        # U clears; with nothing marked, U says so
        await press(pilot, "L")
        assert marked(screen) == []
        await press(pilot, "U")
        assert notifications(app)[-1] == "no flow is marked"


async def test_a_bulk_refusal_names_its_flow_and_changes_nothing(demo):
    svc = demo.as_(OWNER)
    app = demo.app(user="lena.fischer@northwind.example")  # a guest: may not run flows
    async with running(app, NW, "Staging") as pilot:
        screen = app.screen
        await highlight(pilot, "flows-table", "Order Sync")
        await press(pilot, "space")
        assert marked(screen) == ["Order Sync"]
        await press(pilot, "R")  # not on offer for a guest: says why
        assert app.screen is screen
        assert svc.get_flow(f"{STAGING}/Order Sync").queued_messages == 35


async def test_time_left_lists_every_contracts_flows_soonest_first_and_drops_the_stopped(demo):
    app = demo.app()
    async with running(app, size=(120, 36)) as pilot:
        await press(pilot, "T")
        screen = app.screen
        assert isinstance(screen, TimeLeftScreen)
        await settle(pilot)
        assert paths(screen) == [
            f"{NW}/Development/JSONata Playground", f"{STAGING}/Order Sync",
            f"{STAGING}/Shipment Notifications", f"{STAGING}/Inventory Sync",
            "Globex Logistics/Staging/Shipment Tracking", f"{NW}/Legacy Migration/Address Cleanup",
            f"{NW}/Partner Sandbox/Supplier Catalog Import", f"{STAGING}/Customer Upsert",
            "Globex Logistics/Warehouse EDI/ASN Inbound"]
        table = screen.query_one("#timeleft-table")
        assert table.row_at(0).cells[0].plain.startswith("0:04:00")
        # T again stays here; Escape goes back
        await press(pilot, "T")
        assert app.screen is screen

        # the first deadline comes: that flow stops and leaves the list
        demo.clock.advance(minutes=4)
        screen.tick()
        await settle(pilot)
        assert paths(screen)[0] == f"{STAGING}/Order Sync"
        assert len(paths(screen)) == 8

        # / narrows by path
        await press(pilot, "slash")
        await pilot.press(*"globex")
        await settle(pilot)
        assert paths(screen) == ["Globex Logistics/Staging/Shipment Tracking",
                                 "Globex Logistics/Warehouse EDI/ASN Inbound"]

        # marks and restart work here too
        await press(pilot, "enter")  # keep the filter, back to the list
        await press(pilot, "space", "space")
        await ask(pilot, "R")
        assert dialog_text(app)[0] == "Restart 2 flows?"
        await answer(pilot, True)
        assert "2 flows restarted; 44 queued messages dropped" in notifications(app)
        globex = ["Globex Logistics/Staging/Shipment Tracking",
                  "Globex Logistics/Warehouse EDI/ASN Inbound"]
        assert sorted(paths(screen)) == globex
        assert [table.row_at(i).cells[0].plain for i in (0, 1)] == ["8:00:00", "8:00:00"]

        # Enter opens the flow
        await press(pilot, "enter")
        assert app.screen.path in globex


async def test_time_left_from_the_command_palette(demo):
    app = demo.app()
    async with running(app) as pilot:
        await press(pilot, "ctrl+p")
        await pilot.press(*"time left")
        await settle(pilot)
        await pilot.pause(0.3)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, TimeLeftScreen)


async def test_a_flow_that_differs_from_its_namesake_shows_the_promotion_marker(demo):
    svc = demo.as_(OWNER)
    svc.set_step(f"{STAGING}/Order Sync", 2, "expression", "{\"id\": order.id}")
    app = demo.app()
    async with running(app, NW, "Staging") as pilot:
        screen = app.screen
        table = screen.query_one("#flows-table")
        glyphs = {table.row_at(i).payload.name: table.row_at(i).cells[-1].plain
                  for i in range(table.row_count)}
        assert glyphs["Order Sync"] == " ≠"
        assert glyphs["Customer Upsert"] == "  "
        await highlight(pilot, "flows-table", "Order Sync")
        assert "Order Sync: ≠ differs from its namesake in Production." in screen.query_one("#detail").text


async def test_T_over_a_confirmation_does_not_leave_it(demo):
    app = demo.app()
    async with running(app, NW, "Staging") as pilot:
        await highlight(pilot, "flows-table", "Order Sync")
        await press(pilot, "space")
        await ask(pilot, "R")
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await answer(pilot, False)
        await press(pilot, "T")
        assert isinstance(app.screen, TimeLeftScreen)
