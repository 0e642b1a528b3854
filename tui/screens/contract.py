"""A contract: its workspaces (with their Limited/Full badges) and its members."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from store.models import CONTRACT_ROLES
from store.names import name_problem
from store.views import ContractView, MemberView, SupportRequestView, WorkspaceView

from ..format import KIND_EXPLANATION, badge, short_when
from ..widgets.breadcrumb import Breadcrumb
from ..widgets.detail import DetailLine
from ..widgets.table import Column, RecordTable
from .base import ASKING, FilterBar, Gate
from .confirm import ConfirmScreen
from .form import FormField, FormScreen
from .requests import RequestActions
from .workspace_actions import WorkspaceActions

_TAB_WORDS = {"workspaces": "Workspaces (1)", "members": "Members (2)",
              "requests": "Support requests (3)"}


@dataclass
class ContractData:
    contract: ContractView
    workspaces: list[WorkspaceView]
    members: list[MemberView]
    requests: list[SupportRequestView]


class ContractScreen(WorkspaceActions, RequestActions):
    CSS_PATH = "contract.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open", id="contract.open"),
        Binding("n", "new", "New", id="contract.new"),
        Binding("e", "edit", "Change role", id="contract.edit"),
        Binding("d", "delete", "Delete/remove", id="contract.delete"),
        Binding("K", "convert", "Convert kind", id="contract.convert"),
        Binding("a", "approve", "Approve request", id="contract.approve"),
        Binding("1", "tab('workspaces')", "Workspaces", show=False, id="contract.tab1"),
        Binding("2", "tab('members')", "Members", show=False, id="contract.tab2"),
        Binding("3", "tab('requests')", "Support requests", show=False, id="contract.tab3"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.contract_name = name
        self.data: ContractData | None = None
        self.screen_name = f"Contract {name}"

    def compose(self) -> ComposeResult:
        yield Breadcrumb(self.contract_name, who=self.fd.who)
        yield Static("", classes="banner", id="suspended-banner")
        with TabbedContent(id="tabs", initial="workspaces"):
            with TabPane("Workspaces", id="workspaces"):
                yield RecordTable([
                    Column("name", "Workspace", width=26), Column("kind", "Kind", width=10),
                    Column("role", "Your role", width=11), Column("flows", "Flows", width=6),
                    Column("active", "Active", width=6),
                ], id="workspaces-table", tooltip_for=self._kind_tooltip)
            with TabPane("Members", id="members"):
                yield RecordTable([
                    Column("email", "Email", width=30), Column("name", "Name", width=22),
                    Column("role", "Role", width=8),
                ], id="members-table")
            if self.fd.me and self.fd.me.support:
                with TabPane("Support requests", id="requests"):
                    yield RecordTable([
                        Column("id", "#", width=4), Column("workspace", "Workspace", width=24),
                        Column("by", "Asked by", width=26), Column("at", "At", width=16),
                    ], id="requests-table", sort="id")
        yield DetailLine(id="detail")
        yield FilterBar(placeholder="filter by name")
        yield Footer()

    # -- data -----------------------------------------------------------------------
    def load(self) -> ContractData:
        svc = self.fd.svc
        contract = svc.get_contract(self.contract_name)
        requests = []
        if self.fd.me and self.fd.me.support:
            requests = [r for r in svc.list_requests(status="open")
                        if r.path.split("/")[0] == contract.name]
        return ContractData(contract, svc.list_workspaces(contract.name),
                            svc.list_members(contract.name), requests)

    def show(self, data: ContractData) -> None:
        self.data = data
        self.contract_name = data.contract.name
        banner = self.query_one("#suspended-banner", Static)
        banner.display = data.contract.status == "suspended"
        banner.update("⏸ This contract is suspended: its flows are stopped and nothing in it "
                      "can change until support resumes it.")
        open_requests = {r.path: r for r in data.requests}
        ws_rows = []
        for w in data.workspaces:
            if not self.matches(w.name):
                continue
            name = Text(w.name, style="bold")
            if w.path in open_requests:
                name.append("  ✉ asks for Full", style="italic cyan")
            ws_rows.append((str(w.id), [name, badge(w.kind), w.role or "—",
                                        Text(str(w.flows), justify="right"),
                                        Text(str(w.active_flows), justify="right")]))
        table = self.query_one("#workspaces-table", RecordTable)
        numeric = {"flows": lambda t: int(t.plain), "active": lambda t: int(t.plain)}
        table.sync(table.sort_rows(ws_rows, numeric))
        members = self.query_one("#members-table", RecordTable)
        m_rows = [(m.email, [m.email, m.name, m.role]) for m in data.members
                  if self.matches(m.email, m.name)]
        members.sync(members.sort_rows(m_rows))
        if self.fd.me and self.fd.me.support:
            now = self.fd.clock.now()
            self.query_one("#requests-table", RecordTable).sync([
                (str(r.id), [str(r.id), r.path.split("/", 1)[1], r.requested_by or "—",
                             short_when(r.created_at, now)])
                for r in data.requests if self.matches(r.path, r.reason)])
        self._describe()
        self.offer()

    def apply_filter(self) -> None:
        if self.data:
            self.show(self.data)

    def on_record_table_sort_changed(self, _event) -> None:
        self.apply_filter()

    # -- the highlighted thing ------------------------------------------------------
    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active or "workspaces"

    def current_workspace(self) -> WorkspaceView | None:
        if not self.data:
            return None
        key = self.query_one("#workspaces-table", RecordTable).current_key
        return next((w for w in self.data.workspaces if str(w.id) == key), None)

    def current_member(self) -> MemberView | None:
        if not self.data:
            return None
        key = self.query_one("#members-table", RecordTable).current_key
        return next((m for m in self.data.members if m.email == key), None)

    def _kind_tooltip(self, row_key: str, column: str) -> str | None:
        if column != "kind" or not self.data:
            return None
        w = next((w for w in self.data.workspaces if str(w.id) == row_key), None)
        return KIND_EXPLANATION[w.kind] if w else None

    def current_request(self) -> SupportRequestView | None:
        if not self.data or self.tab != "requests":
            return None
        key = self.query_one("#requests-table", RecordTable).current_key
        return next((r for r in self.data.requests if str(r.id) == key), None)

    def _describe(self) -> None:
        detail = self.query_one("#detail", DetailLine)
        if self.tab == "requests":
            r = self.current_request()
            detail.update(f"#{r.id} {r.path}: “{r.reason}” — a approves (the workspace becomes "
                          "Full at once), d declines with a reason." if r else
                          "No open support requests in this contract.")
            return
        if self.tab == "workspaces":
            w = self.current_workspace()
            if w is None:
                detail.update("No workspaces here yet. Press n to create one (it starts Limited).")
                return
            text = badge(w.kind)
            text.append(f"  {w.name}: {KIND_EXPLANATION[w.kind]}")
            detail.update(text)
        else:
            m = self.current_member()
            detail.update(f"{m.name} <{m.email}> is {m.role} of {self.contract_name}"
                          + (" (platform support staff)" if m.support else "")
                          if m else "No members match the filter.")

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()
        self.offer()

    def on_tabbed_content_tab_activated(self, _event) -> None:
        self._describe()
        self.offer()
        self.call_after_refresh(self.focus_main)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "workspaces-table":
            self.action_open()

    # -- what is offered (the store decides: store/actions.py) ---------------------
    def gate(self, action: str) -> Gate | None:
        if action == "tab":
            return None
        tab = self.tab
        c = self.data.contract if self.data else None
        w, m, r = self.current_workspace(), self.current_member(), self.current_request()
        workspace = {"row": "workspace", "selected": w is not None}
        member = {"row": "member", "selected": m is not None}
        request = {"row": "support request", "selected": r is not None}
        gates = {
            "workspaces": {
                "open": lambda: Gate(**workspace),
                "new": lambda: Gate("workspace.create", c),
                "delete": lambda: Gate("workspace.delete", w, **workspace),
                "convert": lambda: Gate("workspace.convert", w, **workspace),
            },
            "members": {
                "new": lambda: Gate("contract.members", c),
                "edit": lambda: Gate("contract.members", m or c, **member),
                "delete": lambda: Gate("contract.members", m or c, **member),
            },
            "requests": {
                "approve": lambda: Gate("request.decide", r, **request),
                "delete": lambda: Gate("request.decide", r, **request),
            },
        }
        if action in gates[tab]:
            return gates[tab][action]()
        if action == "approve" and not (self.fd.me and self.fd.me.may("support.requests")):
            return Gate("support.requests", self.fd.me)  # the store says who may
        home = next((t for t in gates if action in gates[t]), None)
        if home is None:
            return None
        return Gate(elsewhere=f"that key works on the {_TAB_WORDS[home]} tab")

    # -- actions ---------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_open(self) -> None:
        w = self.current_workspace()
        if w is not None:
            self.fd.open_workspace(w.path, first_page=True)

    @work(group=ASKING, exit_on_error=False)
    async def action_new(self) -> None:
        svc, name = self.fd.svc, self.contract_name
        if self.tab == "workspaces":
            form = FormScreen(f"New workspace in {name}", [
                FormField("name", "Name:", placeholder="e.g. Staging", check=name_problem,
                          hint="3–40 letters, digits, spaces, - and _"),
            ], lambda v: svc.create_workspace(f"{name}/{v['name']}"), submit_label="Create",
                intro="New workspaces are ◔ Limited: flows stop after their work time. "
                      "You become the workspace's owner.")
        else:
            form = FormScreen(f"Invite a member to {name}", [
                FormField("email", "Email of a registered user:", placeholder="name@example.com"),
                FormField("role", "Role:", options=[(r, r) for r in CONTRACT_ROLES], value="member"),
            ], lambda v: svc.invite_member(name, v["email"], v["role"]), submit_label="Invite")
        if await self.app.push_screen_wait(form):
            self.reload()

    @work(group=ASKING, exit_on_error=False)
    async def action_edit(self) -> None:
        m = self.current_member()
        if m is None:
            return
        svc, name = self.fd.svc, self.contract_name
        if await self.app.push_screen_wait(FormScreen(f"Role of {m.email} in {name}", [
            FormField("role", "Role:", options=[(r, r) for r in CONTRACT_ROLES], value=m.role),
        ], lambda v: svc.set_member_role(name, m.email, v["role"]), submit_label="Change")):
            self.reload()

    def action_approve(self) -> None:
        if r := self.current_request():
            self.approve_request(r)

    def action_delete(self) -> None:
        if self.tab == "requests":
            if r := self.current_request():
                self.decline_request(r)
        elif self.tab == "workspaces":
            if w := self.current_workspace():
                self.delete_workspace(w.path)
        elif m := self.current_member():
            self.remove_member(m)

    @work(group=ASKING, exit_on_error=False)
    async def remove_member(self, m: MemberView) -> None:
        name = self.contract_name
        if await self.app.push_screen_wait(ConfirmScreen(
                f"Remove {m.email}?",
                f"{m.name} loses the {m.role} role in {name} and every role in its "
                "workspaces.", confirm_label="Remove")):
            self.act(self.fd.svc.remove_member, name, m.email, done=f"{m.email} removed from {name}")

    def action_convert(self) -> None:
        w = self.current_workspace()
        if w is not None:
            self.convert_workspace(w.path, w.kind)
