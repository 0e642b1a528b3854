"""What each person is offered: a guest browses only, support staff handle requests."""

from __future__ import annotations

from tui_helpers import (
    GUEST,
    NW,
    SUPPORT,
    footer_keys,
    highlight,
    notifications,
    press,
    running,
    settle,
    table_rows,
)

from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.screens.support import SupportScreen
from tui.screens.workspace import WorkspaceScreen

STAGING = f"{NW}/Staging"


async def test_a_guest_finds_no_way_to_start_or_stop_a_flow(demo):
    app = demo.app(user=GUEST)
    async with running(app, NW, "Staging") as pilot:
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen) and screen.data.workspace.role == "guest"

        await highlight(pilot, "flows-table", "Price Update Draft")  # never started
        assert not screen.check_action("start", ())
        assert "s" not in footer_keys(screen)
        assert "n" not in footer_keys(screen)  # nor create one
        before = list(notifications(app))
        await press(pilot, "s")
        assert app.screen is screen
        assert table_rows(screen, "flows-table")["Price Update Draft"][1] == "○ inactive"
        assert demo.as_(None).get_flow(f"{STAGING}/Price Update Draft").status == "inactive"
        # not silent: the store's reason, naming the permission and the guest's role
        (said,) = notifications(app)[len(before):]
        assert said.startswith("permission denied: to start and stop flows") and "guest" in said

        await highlight(pilot, "flows-table", "Order Sync")  # active: no stop, no restart
        for action, key in (("stop", "x"), ("restart", "R"), ("send", "m")):
            assert not screen.check_action(action, ()), action
            assert key not in footer_keys(screen)
        await press(pilot, "x", "R", "m")
        assert app.screen is screen  # no confirmation, no form
        assert demo.as_(None).get_flow(f"{STAGING}/Order Sync").status == "active"

        # the help screen lists every key of the screen, those not for a guest dimmed
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = {words: enabled for _key, words, enabled in app.screen.keys}
        assert keys["Start"] is False and keys["Stop"] is False
        assert keys["Filter"] is True and keys["Back"] is True
        await press(pilot, "escape")

        # and if an action is reached anyway, the store's refusal is shown, never a crash
        await highlight(pilot, "flows-table", "Price Update Draft")
        screen.action_start()
        await settle(pilot)
        assert app.screen is screen
        assert any(n.startswith("permission denied") for n in notifications(app))
        assert demo.as_(None).get_flow(f"{STAGING}/Price Update Draft").status == "inactive"


async def test_support_staff_approve_a_request_and_the_workspace_becomes_full(demo):
    app = demo.app(user=SUPPORT)
    async with running(app) as pilot:
        assert "i" in footer_keys(app.screen)
        await press(pilot, "i")
        screen = app.screen
        assert isinstance(screen, SupportScreen)
        rows = table_rows(screen, "requests")
        open_rows = [r for r in rows.values() if r[3] == "open"]
        assert [r[1] for r in open_rows] == [STAGING]
        assert open_rows[0][2] == "◔ Limited"

        await highlight(pilot, "requests", open_rows[0][0])
        await press(pilot, "a")
        assert isinstance(app.screen, ConfirmScreen)
        assert "becomes Full" in app.screen.query_one("#confirm-body").content
        await press(pilot, "tab", "enter")
        assert app.screen is screen
        assert demo.as_(None).get_workspace(STAGING).kind == "full"
        assert f"{STAGING} is now Full" in notifications(app)
        assert table_rows(screen, "requests")[open_rows[0][0]][3] == "approved"
