"""Snapshots of every screen, the badge tooltips and the countdown styles, at two sizes.

Each test builds the app over a fresh copy of the demo on a frozen clock at
``NOW``, steady (no blinking cursor, no animation), goes to the screen in
``run_before`` and waits for its data, then ``snap_compare`` renders it.
No snapshot shows a revealed secret.

Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look
at what changed (``snapshot_report.html``) before committing.
"""

from __future__ import annotations

import pytest
from tui_helpers import (
    GUEST,
    NW,
    OWNER,
    SUPPORT,
    highlight,
    press,
    run_before_at,
    tooltip_shown,
    type_text,
)

from tui.screens.confirm import ConfirmScreen
from tui.screens.flow import FlowScreen
from tui.screens.flow.review import ReviewScreen
from tui.screens.flow.tryout import TryTransformScreen
from tui.screens.form import FormScreen
from tui.screens.help import HelpScreen
from tui.screens.support import SupportScreen
from tui.screens.workspace import WorkspaceScreen

SMALL = (80, 24)
LARGE = (120, 36)
SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x36"])


@SIZES
def test_contracts(snap_compare, demo, size):
    assert snap_compare(demo.app(), terminal_size=size, run_before=run_before_at())


@SIZES
def test_contract_with_its_workspaces(snap_compare, demo, size):
    assert snap_compare(demo.app(), terminal_size=size, run_before=run_before_at(NW))


@SIZES
def test_limited_workspace_with_countdowns_in_every_style(snap_compare, demo, size):
    """Staging: 6 h left (ok), 40 and 14 min (warning), 9 min (alarm), and flows stopped."""
    assert snap_compare(demo.app(), terminal_size=size,
                        run_before=run_before_at(NW, "Staging", expect=WorkspaceScreen))


@SIZES
def test_flow_alarm_countdown(snap_compare, demo, size):
    """Four minutes left: the alarm style."""
    assert snap_compare(demo.app(), terminal_size=size,
                        run_before=run_before_at(NW, "Development", "JSONata Playground", expect=FlowScreen))


def test_flow_warning_countdown(snap_compare, demo):
    """Fourteen minutes left: the warning style."""
    assert snap_compare(demo.app(), terminal_size=SMALL,
                        run_before=run_before_at(NW, "Staging", "Shipment Notifications", expect=FlowScreen))


def test_flow_ok_countdown(snap_compare, demo):
    """Six hours left: no warning."""
    assert snap_compare(demo.app(), terminal_size=SMALL,
                        run_before=run_before_at(NW, "Staging", "Customer Upsert", expect=FlowScreen))


def test_flow_in_a_full_workspace(snap_compare, demo):
    """No deadline: how long it has run instead of a countdown."""
    assert snap_compare(demo.app(), terminal_size=SMALL,
                        run_before=run_before_at(NW, "Production", "Order Sync", expect=FlowScreen))


@SIZES
def test_support_requests(snap_compare, demo, size):
    assert snap_compare(demo.app(user=SUPPORT), terminal_size=size,
                        run_before=run_before_at(None, None, None, "i", expect=SupportScreen))


@SIZES
def test_help_screen(snap_compare, demo, size):
    assert snap_compare(demo.app(), terminal_size=size,
                        run_before=run_before_at(NW, "Staging", None, "question_mark", expect=HelpScreen))


def test_help_screen_of_a_guest(snap_compare, demo):
    """The keys a guest may not use are listed, dimmed."""
    assert snap_compare(demo.app(user=GUEST), terminal_size=SMALL,
                        run_before=run_before_at(NW, "Staging", None, "question_mark", expect=HelpScreen))


@SIZES
def test_stop_confirmation(snap_compare, demo, size):
    async def run_before(pilot) -> None:
        await run_before_at(NW, "Development")(pilot)
        await highlight(pilot, "flows-table", "JSONata Playground")
        await press(pilot, "x")
        assert isinstance(pilot.app.screen, ConfirmScreen)

    assert snap_compare(demo.app(), terminal_size=size, run_before=run_before)


def test_delete_full_workspace_confirmation(snap_compare, demo):
    async def run_before(pilot) -> None:
        await run_before_at(NW)(pilot)
        await highlight(pilot, "workspaces-table", "Production")
        await press(pilot, "d", "shift+tab")
        await type_text(pilot, "Prod")
        assert isinstance(pilot.app.screen, ConfirmScreen)

    assert snap_compare(demo.app(), terminal_size=SMALL, run_before=run_before)


@SIZES
def test_form_with_a_validation_error(snap_compare, demo, size):
    async def run_before(pilot) -> None:
        await run_before_at(NW, None, None, "n")(pilot)
        assert isinstance(pilot.app.screen, FormScreen)
        await type_text(pilot, "QA/Lab")

    assert snap_compare(demo.app(), terminal_size=size, run_before=run_before)


def test_form_with_the_stores_refusal(snap_compare, demo):
    async def run_before(pilot) -> None:
        await run_before_at(NW, None, None, "n")(pilot)
        await type_text(pilot, "Staging")
        await press(pilot, "enter")
        assert isinstance(pilot.app.screen, FormScreen)

    assert snap_compare(demo.app(), terminal_size=SMALL, run_before=run_before)


def _hover_badge(workspace: str):
    async def run_before(pilot) -> None:
        await run_before_at(NW, workspace, expect=WorkspaceScreen)(pilot)
        await pilot.hover("#crumb-badge")
        await tooltip_shown(pilot)

    return run_before


def test_limited_badge_tooltip(snap_compare, demo):
    assert snap_compare(demo.app(), terminal_size=SMALL, run_before=_hover_badge("Development"))


def test_full_badge_tooltip(snap_compare, demo):
    assert snap_compare(demo.app(), terminal_size=SMALL, run_before=_hover_badge("Production"))


def test_limited_workspace_in_the_ansi_theme(snap_compare, demo):
    assert snap_compare(demo.app(theme="ansi"), terminal_size=SMALL,
                        run_before=run_before_at(NW, "Development", expect=WorkspaceScreen))


# -- a flow's revisions (DESIGN 2b) --------------------------------------------------------------
@SIZES
def test_flow_history_tab(snap_compare, demo, size):
    assert snap_compare(demo.app(), terminal_size=size,
                        run_before=run_before_at(NW, "Staging", "Customer Upsert", "4", expect=FlowScreen))


@SIZES
def test_promote_diff(snap_compare, demo, size):
    """Staging's Order Sync, a step added and a setting changed, against Production's."""
    staging = f"{NW}/Staging/Order Sync"
    demo.as_(OWNER).add_step(staging, ("log", None))
    demo.as_(OWNER).set_step(staging, 3, "method", "PATCH")

    async def run_before(pilot) -> None:
        await run_before_at(NW, "Staging", "Order Sync", "P", expect=FormScreen)(pilot)
        await press(pilot, "enter", "down", "enter", "ctrl+s")
        assert isinstance(pilot.app.screen, ReviewScreen)

    assert snap_compare(demo.app(), terminal_size=size, run_before=run_before)


@SIZES
def test_step_editor_trying_an_expression(snap_compare, demo, size):
    async def run_before(pilot) -> None:
        await run_before_at(NW, "Staging", "Customer Upsert", expect=FlowScreen)(pilot)
        pilot.app.screen.query_one("#steps-table").focus()
        await highlight(pilot, "steps-table", "2")
        await press(pilot, "e")
        assert isinstance(pilot.app.screen, TryTransformScreen)

    assert snap_compare(demo.app(), terminal_size=size, run_before=run_before)


def test_no_snapshot_holds_a_secret():
    """Every demo secret starts with 'demo-token-' or 'demo-password-': none is on screen."""
    from pathlib import Path

    shots = sorted((Path(__file__).parent / "__snapshots__").rglob("*.svg"))
    assert shots
    for shot in shots:
        text = shot.read_text(encoding="utf-8")
        assert "demo-token-" not in text and "demo-password-" not in text, shot.name
