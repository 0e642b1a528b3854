"""The heart of it, by keys only: a limited workspace's flows run out of time on screen.

Every test drives the app with key presses from the contracts screen; the
frozen clock is moved by the test, and the screen's once-a-second ``tick``
is called so the test does not depend on the real timer's phase.
"""

from __future__ import annotations

from textual.widgets import Button
from tui_helpers import (
    NW,
    highlight,
    notifications,
    open_by_keys,
    press,
    running,
    settle,
    table_rows,
    type_text,
)

from tui.screens.confirm import ConfirmScreen
from tui.screens.form import FormScreen
from tui.screens.workspace import WorkspaceScreen

DEV = f"{NW}/Development"


def time_left(screen, flow: str) -> str:
    """The flow's time cell, without a clock glyph if the style has one."""
    return table_rows(screen, "flows-table")[flow][3].replace("⏱", "").strip()


async def tick(pilot) -> None:
    """One beat of the screen's live timer, then wait for what it started."""
    pilot.app.screen.tick()
    await settle(pilot)


async def test_start_a_flow_and_watch_it_stop_at_the_work_time_limit(demo):
    app = demo.app()
    async with running(app, NW, "Development") as pilot:
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen) and screen.path == DEV
        assert screen.query_one("#banner").display  # a limited workspace says so

        await highlight(pilot, "flows-table", "Inventory Sync Draft")
        assert table_rows(screen, "flows-table")["Inventory Sync Draft"][1] == "○ inactive"
        await press(pilot, "s")
        row = table_rows(screen, "flows-table")["Inventory Sync Draft"]
        assert row[1] == "▶ active"
        assert row[3].replace("⏱", "").strip() == "8:00:00"
        assert any("Inventory Sync Draft started" in n and "8:00:00" in n
                   for n in notifications(app))

        # five messages wait in its queue
        await press(pilot, "m")
        assert isinstance(app.screen, FormScreen)
        await press(pilot, "backspace")
        await type_text(pilot, "5")
        await press(pilot, "enter")
        assert app.screen is screen
        assert table_rows(screen, "flows-table")["Inventory Sync Draft"][4] == "5"

        # the countdown follows the clock
        demo.clock.advance(seconds=1)
        await tick(pilot)
        assert time_left(screen, "Inventory Sync Draft") == "7:59:59"
        demo.clock.advance(hours=7, minutes=59, seconds=58)
        await tick(pilot)
        assert time_left(screen, "Inventory Sync Draft") == "0:00:01 !!"

        # at zero the store's enforcement stops it, and the screen says why and what was lost
        demo.clock.advance(seconds=1)
        await tick(pilot)
        row = table_rows(screen, "flows-table")["Inventory Sync Draft"]
        assert row[1] == "■ stopped"
        assert row[3] == "time limit, 5 lost"
        assert row[4] == "0"
        assert any("Inventory Sync Draft stopped: work-time limit; 5 queued messages lost" in n
                   for n in notifications(app))
        # the Playground, four minutes from its limit when we came, stopped long ago too
        assert time_left(screen, "JSONata Playground") == "time limit, 6 lost"

        stored = demo.as_(None).get_flow(f"{DEV}/Inventory Sync Draft")
        assert (stored.status, stored.stop_reason) == ("stopped", "work_time_limit")

        # a person restarts it by hand and gets a fresh eight hours
        await press(pilot, "s")
        row = table_rows(screen, "flows-table")["Inventory Sync Draft"]
        assert (row[1], row[3].replace("⏱", "").strip()) == ("▶ active", "8:00:00")


async def test_a_flow_stops_on_its_own_screen_too(demo):
    app = demo.app()
    async with running(app, NW, "Development", "JSONata Playground") as pilot:
        screen = app.screen
        assert screen.path == f"{DEV}/JSONata Playground"
        countdown = screen.query_one("#countdown")
        assert countdown.content.plain.replace("⏱", "").strip() == "0:04:00 !!"
        demo.clock.advance(minutes=3, seconds=59)
        await tick(pilot)
        assert countdown.content.plain.replace("⏱", "").strip() == "0:00:01 !!"
        demo.clock.advance(seconds=1)
        await tick(pilot)
        state = screen.query_one("#state").content.plain
        assert "■ stopped" in state
        assert "work-time limit, 6 queued messages lost" in state
        assert countdown.content.plain.replace("⏱", "").strip() == "time limit, 6 lost"
        assert any("JSONata Playground stopped: work-time limit; 6 queued messages lost" in n
                   for n in notifications(app))
        events = table_rows(screen, "flow-events")
        assert "flow.auto_stopped" in next(iter(events.values()))[2]


async def test_countdown_styles_and_the_fifteen_minute_notice(demo):
    app = demo.app()
    async with running(app, NW, "Staging") as pilot:
        screen = app.screen
        table = screen.query_one("#flows-table")
        cells = {table.get_row(k)[0].plain: table.get_row(k)[3] for k in list(table.keys())}
        ok, warning, alarm = cells["Customer Upsert"], cells["Shipment Notifications"], \
            cells["Order Sync"]
        assert [c.plain.replace("⏱", "").strip() for c in (ok, warning, alarm)] == \
            ["6:00:00", "0:14:00 !", "0:09:00 !!"]
        assert str(ok.style) == ""
        assert str(warning.style) == "bold yellow"
        assert str(alarm.style) == "bold white on red"

        await tick(pilot)
        assert time_left(screen, "Inventory Sync") == "0:40:00 !"
        assert not any("Inventory Sync stops in" in n for n in notifications(app))
        demo.clock.advance(minutes=25, seconds=1)
        await tick(pilot)
        assert time_left(screen, "Inventory Sync") == "0:14:59 !"
        said = [n for n in notifications(app) if n.startswith("Inventory Sync stops in")]
        assert said == ["Inventory Sync stops in 0:14:59 (work-time limit); "
                        "restart it for a fresh work time"]
        demo.clock.advance(seconds=1)
        await tick(pilot)  # said once, not every second
        assert len([n for n in notifications(app) if n.startswith("Inventory Sync stops in")]) == 1


async def test_stop_and_restart_ask_first_say_what_is_lost_and_cancel_is_the_default(demo):
    app = demo.app()
    path = f"{DEV}/JSONata Playground"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_by_keys(pilot, NW, "Development")
        screen = app.screen
        await highlight(pilot, "flows-table", "JSONata Playground")

        await press(pilot, "x")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.query_one("#confirm-title").content == "Stop JSONata Playground?"
        assert "6 queued messages will be dropped" in dialog.query_one("#confirm-body").content
        assert isinstance(app.focused, Button) and app.focused.id == "cancel"
        await press(pilot, "enter")  # Enter on the default does nothing but close
        assert app.screen is screen
        assert demo.as_(None).get_flow(path).status == "active"

        await press(pilot, "x", "escape")  # so does Escape
        assert app.screen is screen
        assert demo.as_(None).get_flow(path).status == "active"

        # restart: it asks too, drops the queue and gives a fresh work time
        await press(pilot, "R")
        body = app.screen.query_one("#confirm-body").content
        assert "fresh work time" in body and "6 queued messages will be dropped" in body
        await press(pilot, "tab")
        assert app.focused.id == "ok"
        await press(pilot, "enter")
        row = table_rows(screen, "flows-table")["JSONata Playground"]
        assert (row[1], time_left(screen, "JSONata Playground"), row[4]) == \
            ("▶ active", "8:00:00", "0")
        assert "JSONata Playground restarted" in notifications(app)

        await press(pilot, "x")
        assert "no messages are queued, so nothing is lost" in \
            app.screen.query_one("#confirm-body").content
        await press(pilot, "tab", "enter")
        assert app.screen is screen
        flow = demo.as_(None).get_flow(path)
        assert (flow.status, flow.stop_reason) == ("stopped", "manual")
        assert time_left(screen, "JSONata Playground") == "by hand"
        assert "JSONata Playground stopped; 0 queued messages dropped" in notifications(app)
