"""The keys on offer are exactly what the store allows, and no key is ever silent.

Every screen (and tab) of the TUI, for every role of the grid
(tests/role_grid.py) in three states: normal, a ``--readonly`` session, and a
suspended contract. One app per role walks its screens in each state in turn
(the state changed in the store and the session between walks: an app per
screen, role and state took minutes). On each, for every key of the screen:

- the footer (for the keys it shows) and ``?`` offer it exactly when the
  store's ``allowed`` holds its action (and a row is selected where it needs
  one), and the grid says so for the keys that map to a cell of it;
- a key not on offer, pressed, raises one notification naming why: the
  store's refusal line, or the missing row, or the tab it belongs to.
"""

from __future__ import annotations

import backends
import pytest
from flowdeck_world import EMAILS
from role_grid import COLUMNS, EXPECTED
from sqlalchemy import text
from textual.markup import escape
from tui_helpers import footer_keys, highlight, press, settle, table_rows

from tui.app import FlowdeckApp
from tui.screens.base import LOADING, FlowdeckScreen
from tui.screens.help import keys_of

#: The screens' keys come from the store's answers, which tests/store/test_store_offers.py
#: checks on both backends; this walk of every screen x role x state takes minutes, so it
#: runs once, on SQLite.
pytestmark = backends.sqlite_only("the offers it shows are checked on both backends in "
                                 "tests/store/test_store_offers.py")

#: (screen, tab, key) -> the grid's action that key does
KEY_GRID = {
    **{("contracts", None, k): a for k, a in [
        ("n", "create_contract"), ("e", "rename_contract"), ("u", "suspend_contract"),
        ("i", "all_requests")]},
    **{("contract", "workspaces", k): a for k, a in [
        ("n", "create_workspace"), ("d", "delete_workspace"), ("K", "convert_workspace")]},
    **{("contract", "members", k): a for k, a in [
        ("n", "invite_member"), ("e", "set_member_role"), ("d", "remove_member")]},
    **{("contract", "requests", k): a for k, a in [("a", "approve_request"), ("d", "decline_request")]},
    **{("workspace", "flows", k): a for k, a in [
        ("n", "create_flow"), ("s", "start_flow"), ("x", "stop_flow"), ("R", "restart_flow"),
        ("m", "send_messages"), ("t", "set_flow_type"), ("c", "copy_flow"), ("F", "request_full"),
        ("K", "convert_workspace"), ("W", "rename_workspace"), ("D", "delete_workspace")]},
    **{("workspace", "credentials", k): a for k, a in [
        ("n", "add_credential"), ("e", "update_credential"), ("d", "delete_credential"),
        ("v", "reveal_credential")]},
    **{("workspace", "members", k): a for k, a in [
        ("n", "add_workspace_member"), ("e", "set_workspace_member_role"),
        ("d", "remove_workspace_member")]},
    **{("Orders", "failed", k): a for k, a in [
        ("x", "stop_flow"), ("R", "restart_flow"), ("m", "send_messages"), ("c", "copy_flow"),
        ("e", "set_step"), ("k", "set_step_credential"), ("r", "retry_failed"),
        ("d", "discard_failed"), ("a", "retry_failed"), ("D", "discard_failed"),
        ("n", "add_step"), ("X", "remove_step"), ("J", "move_step"), ("K", "move_step"),
        ("P", "promote_flow")]},
    **{("Orders", "history", k): a for k, a in [
        ("n", "add_step"), ("X", "remove_step"), ("P", "promote_flow"), ("b", "rollback_flow")]},
    **{("Idle", "executions", k): a for k, a in [("s", "start_flow"), ("t", "set_flow_type")]},
    **{("support", None, k): a for k, a in [("a", "approve_request"), ("d", "decline_request")]},
}
READS = {"all_requests"}
SUSPENSION_FREE = {"create_contract", "reveal_credential", "suspend_contract"}
STATES = ("normal", "readonly", "suspended")  # in this order: the suspension stays


def _grid_says(action: str, role: str, state: str) -> bool:
    ok = EXPECTED[(action, role)] == "ok"
    if state == "readonly":
        return ok and action in READS
    if state == "suspended":
        return ok and action in READS | SUSPENSION_FREE
    return ok


def _park_a_message(store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE messages SET failed = true, attempts = 3, error = 'HTTP 500' "
                          "WHERE id = (SELECT min(m.id) FROM messages m JOIN flows f "
                          "ON f.id = m.flow_id WHERE f.name = 'Orders')"))


class Walk:
    def __init__(self, pilot, role: str, state: str) -> None:
        self.pilot, self.app, self.role, self.state = pilot, pilot.app, role, state
        self.checked: list[tuple[str, str | None, str]] = []
        self.said: list[str] = []  # every notification (the app's own list drops expired ones)
        notify = self.app.notify

        def record(message: str, **kwargs) -> None:
            self.said.append(message)
            notify(message, **kwargs)

        self.app.notify = record
        self._notify = notify

    def stop(self) -> None:
        self.app.notify = self._notify

    async def check(self, where: str, tab: str | None = None, *, grid: bool = True) -> None:
        """Every key of the screen in view: offered as the store allows, or saying why.
        ``grid``: the highlighted rows are the grid's (Acme, its Staging...)."""
        for _ in range(3):  # the footer recomposes after the keys on offer changed
            await self.pilot.pause()
        screen = self.app.screen
        assert isinstance(screen, FlowdeckScreen), screen
        help_keys = {words: enabled for _key, words, enabled in keys_of(screen)}
        footer = footer_keys(screen)
        refused = []
        for binding in type(screen).BINDINGS:
            if binding.action.startswith("tab(") or binding.key == "enter":
                continue
            reason = screen.why_not(binding.action)
            assert reason != LOADING, (where, binding.key)
            on_offer = reason is None
            label = (where, tab, binding.key, self.role, self.state)
            assert help_keys[binding.description] is on_offer, (label, reason)
            if binding.show:
                assert (binding.key in footer) is on_offer, (label, reason)
            gate = screen.gate(binding.action)
            if gate is not None and gate.action is not None and gate.view is None:
                assert not on_offer and reason == gate.no_row(), label  # the row is the view
            elif gate is not None and gate.action is not None:
                allowed = gate.action in gate.view.allowed
                store_refused = not allowed and reason == gate.view.refused[gate.action]
                assert on_offer <= allowed and (allowed or store_refused), (label, reason)
            grid_action = KEY_GRID.get((where, tab, binding.key)) if grid else None
            if grid_action is not None:
                assert on_offer is _grid_says(grid_action, self.role, self.state), \
                    (label, grid_action, reason)
                self.checked.append((where, tab, binding.key))
            if not on_offer:
                refused.append((binding, reason))
        for binding, reason in refused:  # pressed, each says why (and nothing else happens)
            self.said.clear()
            await press(self.pilot, binding.key)
            assert self.app.screen is screen, (where, binding.key)
            assert self.said == [escape(reason)], (where, binding.key)
            assert reason.strip()
            self.app.clear_notifications()  # (a pile of toasts would only slow the test)

    async def tab(self, name: str) -> None:
        self.app.screen.action_tab(name)
        await settle(self.pilot)

    async def open(self, how) -> None:
        how()
        await settle(self.pilot)


async def _rows(pilot, table_id: str, name: str) -> dict[str, list[str]]:
    """The table's rows, once ``name`` is among them or the screen has had its chance to load
    (a reload the store's change set off may still be on its way)."""
    for _ in range(40):
        rows = table_rows(pilot.app.screen, table_id)
        if name in rows:
            break
        await pilot.pause(0.05)
        await settle(pilot)
    return rows


async def _walk(pilot, role: str, state: str) -> Walk:
    walk, app = Walk(pilot, role, state), pilot.app
    await settle(pilot)
    contracts = await _rows(pilot, "contracts", "Acme")
    if "Acme" in contracts:
        await highlight(pilot, "contracts", "Acme")
    await walk.check("contracts", grid="Acme" in contracts)
    await walk.open(app.open_time_left)  # reachable from anywhere: what stops next
    await walk.check("time left", grid=False)
    app.pop_screen()
    await settle(pilot)
    if "Acme" not in contracts:
        return walk
    await walk.open(lambda: app.open_contract("Acme"))
    workspaces = await _rows(pilot, "workspaces-table", "Staging")
    if "Staging" in workspaces:
        await highlight(pilot, "workspaces-table", "Staging")
    await walk.check("contract", "workspaces")
    await walk.tab("members")
    await walk.check("contract", "members")
    if role == "support":
        await walk.tab("requests")
        await walk.check("contract", "requests")
    if "Staging" not in workspaces:
        return walk
    await walk.open(lambda: app.open_workspace("Acme/Staging"))
    await highlight(pilot, "flows-table", "Idle")
    await walk.check("workspace", "flows")
    for tab in ("credentials", "members", "events"):
        await walk.tab(tab)
        await walk.check("workspace", tab)
    await walk.open(lambda: app.open_flow("Acme/Staging/Orders"))
    await highlight(pilot, "steps-table", "3")
    await walk.check("Orders", "executions")
    await walk.tab("failed")
    app.screen.query_one("#flow-failed").focus()
    await settle(pilot)
    await walk.check("Orders", "failed")
    await walk.tab("history")
    app.screen.query_one("#flow-history").focus()
    await settle(pilot)
    await walk.check("Orders", "history")
    app.pop_screen()
    await walk.open(lambda: app.open_flow("Acme/Staging/Idle"))
    await walk.check("Idle", "executions")
    if role == "support":
        await walk.open(app.open_support)
        await walk.check("support")
    return walk


async def _enter(pilot, world, state: str) -> None:
    """Put the session and the store in ``state`` and start again from the contracts."""
    app = pilot.app
    while len(app.screen_stack) > 1:
        await app.pop_screen()
    app.readonly = app.svc.readonly = state == "readonly"  # as --readonly would have opened it
    app.me = app.svc.me()  # the caller's own answers (create a contract…), as at the start
    if state == "suspended":
        world.as_("support").suspend_contract("Acme")
    app.open_contracts()
    await settle(pilot)


@pytest.mark.parametrize("role", COLUMNS)
async def test_keys_on_offer_are_the_stores_allowed_and_the_rest_say_why(world, role):
    _park_a_message(world.store)
    app = FlowdeckApp(user=EMAILS[role], store=world.store, steady=True)
    app.animation_level = "none"
    # every role reaches the screens its grid row lets it see
    expected = set() if role == "outsider" else {"contracts", "contract"} \
        if role == "contract_member" else {"contracts", "contract", "workspace", "Orders", "Idle"}
    if role == "support":
        expected |= {"support"}
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for state in STATES:
            await _enter(pilot, world, state)
            walk = await _walk(pilot, role, state)
            walk.stop()
            assert {where for where, _tab, _key in walk.checked} == expected, state


def test_every_key_of_the_grid_belongs_to_a_screen():
    from tui.screens.contract import ContractScreen
    from tui.screens.contracts import ContractsScreen
    from tui.screens.flow import FlowScreen
    from tui.screens.support import SupportScreen
    from tui.screens.workspace import WorkspaceScreen

    screens = {"contracts": ContractsScreen, "contract": ContractScreen, "workspace": WorkspaceScreen,
               "Orders": FlowScreen, "Idle": FlowScreen, "support": SupportScreen}
    for where, _tab, key in KEY_GRID:
        assert key in {b.key for b in screens[where].BINDINGS}, (where, key)
    assert {a for a in KEY_GRID.values()} <= {a for a, _ in EXPECTED}
