"""The first screen: the contracts you belong to (all of them, for support staff)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer

from ..widgets.breadcrumb import Breadcrumb
from ..widgets.detail import DetailLine
from ..widgets.table import Column, RecordTable
from .base import ASKING, FilterBar, FlowdeckScreen, Gate

if TYPE_CHECKING:
    from store.views import ContractView

# The forms and the confirmation are imported when first used: the first frame
# of ``flowdeck`` paints this screen, and imports nothing it does not show.

STATUS = {"active": Text("active", style="green"), "suspended": Text("⏸ suspended", style="bold red")}


class ContractsScreen(FlowdeckScreen):
    CSS_PATH = "contracts.tcss"
    screen_name = "Contracts"
    BINDINGS = [
        Binding("enter", "open", "Open", id="contracts.open"),
        Binding("n", "new", "New contract", id="contracts.new"),
        Binding("e", "rename", "Rename", id="contracts.rename"),
        Binding("u", "suspend", "Suspend/resume", show=False, id="contracts.suspend"),
        Binding("i", "support", "Support requests", id="contracts.support"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.contracts: dict[str, ContractView] = {}

    def compose(self) -> ComposeResult:
        yield Breadcrumb(who=self.fd.who)
        yield RecordTable([
            Column("name", "Contract", width=32), Column("status", "Status", width=12),
            Column("role", "Your role", width=10), Column("workspaces", "Workspaces", width=10),
        ], id="contracts")
        yield DetailLine(id="detail")
        yield FilterBar(placeholder="filter contracts by name")
        yield Footer()

    def load(self) -> list[ContractView]:
        return self.fd.svc.list_contracts()

    def show(self, data: list[ContractView]) -> None:
        self.contracts = {str(c.id): c for c in data}
        table = self.query_one(RecordTable)
        rows = [
            (str(c.id), [Text(c.name, style="bold"), STATUS[c.status],
                         c.role or ("support" if self.fd.me and self.fd.me.support else "—"),
                         Text(str(c.workspaces), justify="right")])
            for c in data if self.matches(c.name)
        ]
        table.sync(table.sort_rows(rows, {"workspaces": lambda t: int(t.plain)}))
        if not rows:
            self.query_one("#detail", DetailLine).update(
                "No contracts match the filter." if self.filter_text else
                "You belong to no contract yet. Press n to create one.")
        self._describe()
        self.offer()

    def apply_filter(self) -> None:
        self.show(list(self.contracts.values()))

    def on_record_table_sort_changed(self, _event) -> None:
        self.show(list(self.contracts.values()))

    def current(self) -> ContractView | None:
        key = self.query_one(RecordTable).current_key
        return self.contracts.get(key) if key else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()
        self.offer()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def _describe(self) -> None:
        c = self.current()
        if c is None:
            return
        role = f"you are {c.role}" if c.role else "you see it as support staff (read-only)"
        state = "suspended: nothing in it can change" if c.status == "suspended" else "active"
        self.query_one("#detail", DetailLine).update(
            f"{c.name} — {state}; {role}; {c.workspaces} workspace"
            f"{'s' if c.workspaces != 1 else ''} you can see. Enter opens it.")

    # -- what is offered (the store decides: store/actions.py) -----------------
    def gate(self, action: str) -> Gate | None:
        me, c = self.fd.me, self.current()
        return {
            "open": lambda: Gate(row="contract", selected=c is not None),
            "new": lambda: Gate("contract.create", me),
            "rename": lambda: Gate("contract.rename", c, row="contract", selected=c is not None),
            "suspend": lambda: Gate("contract.suspend", c, row="contract",
                                    selected=c is not None),
            "support": lambda: Gate("support.requests", me),
        }.get(action, lambda: None)()

    # -- actions ------------------------------------------------------------------
    def action_open(self) -> None:
        c = self.current()
        if c is not None:
            self.fd.open_contract(c.name)

    @work(group=ASKING, exit_on_error=False)
    async def action_new(self) -> None:
        from store.names import name_problem

        from .form import FormField, FormScreen

        svc = self.fd.svc
        created = await self.app.push_screen_wait(FormScreen("New contract", [
            FormField("name", "Name:", placeholder="e.g. Northwind Traders", check=name_problem,
                      hint="3–40 letters, digits, spaces, - and _"),
        ], lambda v: svc.create_contract(v["name"]), submit_label="Create",
            intro="You become the contract's owner."))
        if created:
            self.notify(f"Contract {created.name} created; you are its owner")
            self.reload()

    @work(group=ASKING, exit_on_error=False)
    async def action_rename(self) -> None:
        from store.names import name_problem

        from .form import FormField, FormScreen

        c = self.current()
        if c is None:
            return
        svc = self.fd.svc
        if await self.app.push_screen_wait(FormScreen(f"Rename contract {c.name}", [
            FormField("name", "New name:", value=c.name, check=name_problem),
        ], lambda v: svc.rename_contract(c.name, v["name"]), submit_label="Rename")):
            self.reload()

    @work(group=ASKING, exit_on_error=False)
    async def action_suspend(self) -> None:
        c = self.current()
        if c is None:
            return
        svc = self.fd.svc
        if c.status == "suspended":
            self.act(svc.resume_contract, c.name, done=f"{c.name} resumed")
            return

        from .confirm import ConfirmScreen

        if await self.app.push_screen_wait(ConfirmScreen(
                f"Suspend {c.name}?",
                "Every flow of the contract stops now and drops its queued messages; nothing "
                "in the contract can change until support resumes it.",
                confirm_label="Suspend")):
            self.act(svc.suspend_contract, c.name, done=f"{c.name} suspended")

    def action_support(self) -> None:
        self.fd.open_support()
