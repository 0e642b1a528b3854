"""Finding things by keys: Enter and Escape, '/', '?', Ctrl+P; badges, banner, themes."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import TabbedContent
from tui_helpers import (
    GX,
    NW,
    current_name,
    footer_keys,
    highlight,
    open_by_keys,
    press,
    running,
    settle,
    table_rows,
    tooltip_shown,
    type_text,
)

from tui.screens.contract import ContractScreen
from tui.screens.contracts import ContractsScreen
from tui.screens.flow import FlowScreen
from tui.screens.help import HelpScreen
from tui.screens.workspace import WorkspaceScreen


async def test_enter_opens_and_escape_goes_back_one_level(demo):
    app = demo.app()
    async with running(app) as pilot:
        assert isinstance(app.screen, ContractsScreen)
        assert set(table_rows(app.screen, "contracts")) == {NW, GX}
        assert "escape" not in footer_keys(app.screen)  # nowhere to go back to
        await open_by_keys(pilot, NW, "Production", "Order Sync")
        flow = app.screen
        assert isinstance(flow, FlowScreen) and flow.path == f"{NW}/Production/Order Sync"
        # a Full workspace's flow runs with no deadline: it shows how long it has run
        assert flow.query_one("#countdown").content.plain.startswith("up ")
        assert not flow.query_one("#banner").display

        await press(pilot, "escape")
        assert isinstance(app.screen, WorkspaceScreen) and app.screen.path == f"{NW}/Production"
        assert current_name(app.screen, "flows-table") == "Order Sync"  # where we left it
        await press(pilot, "escape")
        assert isinstance(app.screen, ContractScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, ContractsScreen)
        await press(pilot, "escape")  # the first screen stays
        assert isinstance(app.screen, ContractsScreen)


async def test_slash_filters_the_list_in_view(demo):
    app = demo.app()
    async with running(app) as pilot:
        screen = app.screen
        await press(pilot, "slash")
        await type_text(pilot, "glob")
        assert list(table_rows(screen, "contracts")) == [GX]
        await press(pilot, "enter")  # keep the filter, back to the list
        assert list(table_rows(screen, "contracts")) == [GX]
        await press(pilot, "slash", "escape")  # Escape in the filter clears it
        assert set(table_rows(screen, "contracts")) == {NW, GX}

        await open_by_keys(pilot, NW, "Staging")
        flows = app.screen
        await press(pilot, "slash")
        await type_text(pilot, "sync")
        assert sorted(table_rows(flows, "flows-table")) == [
            "Customer Upsert", "Inventory Sync", "Order Sync"] or \
            sorted(table_rows(flows, "flows-table")) == ["Inventory Sync", "Order Sync"]
        await type_text(pilot, "zzz")
        assert table_rows(flows, "flows-table") == {}
        assert "No flows match" in str(flows.query_one("#detail").content)


async def test_question_mark_lists_the_keys_of_the_screen(demo):
    app = demo.app()
    async with running(app, NW, "Development") as pilot:
        await highlight(pilot, "flows-table", "JSONata Playground")
        await press(pilot, "question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert "Development" in help_screen.query_one("#help-title").content
        keys = {words: (key, enabled) for key, words, enabled in help_screen.keys}
        assert keys["Stop"] == ("x", True)
        assert keys["Restart"] == ("R", True)
        assert keys["Filter"] == ("/", True)
        assert keys["Back"][1] is True
        assert keys["Keys"][1] is True
        # the keys a role may use stay put as the cursor moves; starting a running flow
        # is answered by the store (see test_roles)
        assert keys["Start"] == ("s", True)
        assert any("command palette" in words for words in keys)
        # the screen's own keys come first
        words = [w for _k, w, _e in help_screen.keys]
        assert words.index("Stop") < words.index("Quit")
        await press(pilot, "escape")
        assert isinstance(app.screen, WorkspaceScreen)


async def test_ctrl_p_jumps_to_a_flow_by_name(demo):
    app = demo.app()
    async with running(app) as pilot:
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "JSONata")
        await settle(pilot)
        await press(pilot, "enter")
        flow = app.screen
        assert isinstance(flow, FlowScreen)
        assert flow.path == f"{NW}/Development/JSONata Playground"
        assert "0:04:00" in flow.query_one("#countdown").content.plain
        # its parents are beneath it: Escape climbs back
        await press(pilot, "escape")
        assert isinstance(app.screen, WorkspaceScreen) and app.screen.path == f"{NW}/Development"
        await press(pilot, "escape")
        assert isinstance(app.screen, ContractScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, ContractsScreen)


async def test_limited_and_full_say_so_in_banner_badges_and_detail_line(demo):
    app = demo.app()
    async with running(app, NW) as pilot:
        contract = app.screen
        rows = table_rows(contract, "workspaces-table")
        assert rows["Development"][1] == "◔ Limited"
        assert rows["Production"][1] == "● Full"
        await highlight(pilot, "workspaces-table", "Production")
        detail = str(contract.query_one("#detail").content)
        assert "Full" in detail and "no work-time limit" in detail
        await highlight(pilot, "workspaces-table", "Development")
        detail = str(contract.query_one("#detail").content)
        assert "Limited" in detail and "stops 8 hours after" in detail
        assert "queued messages are dropped" in detail

        await press(pilot, "enter")
        limited = app.screen
        banner = limited.query_one("#banner")
        assert banner.display and "limited operational time" in str(banner.content)
        assert str(limited.query_one("#crumb-badge").content) == "◔ Limited"

        # the other tabs, by number
        await press(pilot, "2")
        assert limited.query_one(TabbedContent).active == "credentials"
        creds = table_rows(limited, "credentials-table")
        assert list(creds) == ["Mock ERP"]
        assert "demo-token" not in " ".join(creds["Mock ERP"])  # masked
        await press(pilot, "4")
        assert limited.query_one(TabbedContent).active == "events"
        assert table_rows(limited, "events-table")  # the audit trail
        await press(pilot, "1")
        assert limited.query_one(TabbedContent).active == "flows"
        await press(pilot, "escape")
        await highlight(pilot, "workspaces-table", "Production")
        await press(pilot, "enter")
        full = app.screen
        assert not full.query_one("#banner").display
        assert str(full.query_one("#crumb-badge").content) == "● Full"


async def test_hovering_a_badge_explains_limited_and_full(demo):
    app = demo.app()
    async with running(app, NW, tooltips=True) as pilot:
        # the Kind cell of a row of the workspace list
        table = app.screen.query_one("#workspaces-table")
        names = list(table_rows(app.screen, "workspaces-table"))
        kind_x = list(table.columns.values())[0].get_render_width(table) + 1
        await pilot.hover(table, offset=(kind_x, 1 + names.index("Production")))  # below the header
        assert (await tooltip_shown(pilot)).startswith("Full workspace")

        # the badge in a limited workspace's breadcrumb
        await highlight(pilot, "workspaces-table", "Development")
        await press(pilot, "enter")
        await pilot.hover("#crumb-badge")
        text = await tooltip_shown(pilot)
        assert text.startswith("Limited workspace")
        for words in ("8 hours", "queued messages are dropped", "restart", "support", "Full"):
            assert words in text, words

        # and in a full one's
        await press(pilot, "escape")
        await highlight(pilot, "workspaces-table", "Production")
        await press(pilot, "enter")
        await pilot.hover("#crumb-badge")
        text = await tooltip_shown(pilot)
        assert text.startswith("Full workspace")
        assert "no work-time limit" in text


async def test_no_color_and_the_ansi_theme_start_cleanly(demo, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo.app()
    async with running(app, NW, "Development"):
        assert app.theme == "ansi"
        assert "◔ Limited" in str(app.screen.query_one("#crumb-badge").content)  # words, not colour
    monkeypatch.delenv("NO_COLOR")

    app = demo.app(theme="ansi")
    async with running(app):
        assert app.theme == "ansi"
        assert set(table_rows(app.screen, "contracts")) == {NW, GX}

    app = demo.app(theme="no-such-theme")
    async with running(app):
        assert app.theme == "flowdeck"
