"""A workspace: flows with live countdowns, credentials, members and events."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.lazy import Lazy
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from store.views import CredentialView, EventView, MemberView, WorkspaceView

from ..format import KIND_EXPLANATION, LIMITED_BANNER, badge, short_when
from ..live import FlowWatch
from ..widgets.breadcrumb import Breadcrumb
from ..widgets.detail import DetailLine
from ..widgets.paged_table import PagedTable
from ..widgets.table import Column, RecordTable
from . import workspace_forms
from .base import FilterBar, Gate
from .event_rows import event_cells
from .flow_list import COLUMNS, FirstPage, FlowSource
from .marks import Marks
from .workspace_actions import confirm_delete_workspace, convert_workspace_form, request_full_form
from .workspace_flows import BINDINGS as FLOW_BINDINGS
from .workspace_flows import FlowsTab

_TAB_WORDS = {"flows": "Flows (1)", "credentials": "Credentials (2)", "members": "Members (3)",
              "events": "Events (4)"}


@dataclass
class WorkspaceData:
    """Everything but the flows, which the paged list fetches itself."""

    workspace: WorkspaceView
    credentials: list[CredentialView]
    members: list[MemberView]
    events: list[EventView]
    open_request: bool


class WorkspaceScreen(FlowsTab):
    CSS_PATH = "workspace.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open", id="workspace.open"),
        Binding("s", "start", "Start", id="workspace.start"),
        Binding("x", "stop", "Stop", id="workspace.stop"),
        Binding("R", "restart", "Restart", show=False, id="workspace.restart"),
        Binding("n", "new", "New", id="workspace.new"),
        Binding("e", "edit", "Edit", id="workspace.edit"),
        Binding("d", "delete", "Delete", id="workspace.delete"),
        Binding("v", "reveal", "Reveal", id="workspace.reveal"),
        Binding("m", "send", "Send messages", show=False, id="workspace.send"),
        Binding("t", "switch_type", "Switch ordinary/realtime", show=False, id="workspace.type"),
        Binding("c", "copy", "Copy to workspace", show=False, id="workspace.copy"),
        Binding("F", "request_full", "Ask support for Full", show=False, id="workspace.request"),
        Binding("K", "convert", "Convert kind (support)", show=False, id="workspace.convert"),
        Binding("W", "rename", "Rename workspace", show=False, id="workspace.rename"),
        Binding("D", "delete_workspace", "Delete workspace", show=False, id="workspace.drop"),
        Binding("1", "tab('flows')", "Flows tab", show=False, id="workspace.tab1"),
        Binding("2", "tab('credentials')", "Credentials tab", show=False, id="workspace.tab2"),
        Binding("3", "tab('members')", "Members tab", show=False, id="workspace.tab3"),
        Binding("4", "tab('events')", "Events tab", show=False, id="workspace.tab4"),
        *FLOW_BINDINGS,
    ]

    def __init__(self, path: str, first: FirstPage | None = None) -> None:
        super().__init__()
        self.path = path
        self.first = first
        self._source: FlowSource | None = None  # what the flow list shows now
        self.marks = first.source.marks if first is not None else Marks()
        self.data: WorkspaceData | None = None
        self.watch = None
        self.screen_name = f"Workspace {path}"

    def compose(self) -> ComposeResult:
        contract, name = self.path.split("/")
        yield Breadcrumb(contract, name, "limited", who=self.fd.who)
        yield Static(LIMITED_BANNER, classes="banner", id="banner")
        with TabbedContent(id="tabs", initial="flows"):
            with TabPane("Flows", id="flows"):
                yield PagedTable(COLUMNS, id="flows-table")
            with TabPane("Credentials", id="credentials"):
                yield Lazy(RecordTable([
                    Column("name", "Credential", width=20), Column("component", "Component", width=9),
                    Column("fields", "Secret fields", width=22), Column("used", "Used by", width=16),
                ], id="credentials-table"))
            with TabPane("Members", id="members"):
                yield Lazy(RecordTable([
                    Column("email", "Email", width=30), Column("name", "Name", width=22),
                    Column("role", "Role", width=10),
                ], id="members-table"))
            with TabPane("Events", id="events"):
                yield Lazy(RecordTable([
                    Column("at", "At", width=16, sortable=False),
                    Column("actor", "Who", width=14, sortable=False),
                    Column("kind", "What", width=20, sortable=False),
                    Column("detail", "Detail", sortable=False),
                ], id="events-table", sort="at"))
        yield DetailLine(id="detail")
        yield FilterBar(placeholder="filter by name")
        yield Footer()

    def on_mount(self) -> None:
        if self.first is not None:  # read before the screen opened: show it at once
            self.watch = self.first.source.watch
            self._source = self.first.source
            self.query_one("#flows-table", PagedTable).preload(
                self.first.source, self.first.count, self.first.rows)
        else:
            self.watch = FlowWatch(self.app)
            self._show_flows(self.path)  # the list first: it does not wait for the rest
        super().on_mount()

    # -- data ---------------------------------------------------------------------------
    def load(self) -> WorkspaceData:
        svc = self.fd.svc
        ws = svc.get_workspace(self.path, counts=False)
        open_request = bool(svc.list_requests(workspace=ws.path, status="open")) \
            if ws.kind == "limited" else False
        return WorkspaceData(ws, svc.list_credentials(ws.path),
                             svc.list_workspace_members(ws.path),
                             svc.list_events(ws.path, limit=200), open_request)

    def show(self, data: WorkspaceData) -> None:
        self.data = data
        ws = data.workspace
        self.path = ws.path
        self.query_one(Breadcrumb).set_kind(ws.kind)
        banner = self.query_one("#banner", Static)
        banner.display = ws.kind == "limited"
        if data.open_request:
            banner.update(LIMITED_BANNER + "  ✉ A request to make it Full is with support.")
        else:
            banner.update(LIMITED_BANNER)
        now = self.fd.clock.now()
        self._show_flows(ws.path)
        if (creds := self._table("credentials-table")) is not None:
            creds.sync(creds.sort_rows([
                (str(c.id), [Text(c.name, style="bold"), c.component,
                             ", ".join(f"{k}={v}" for k, v in c.masked.items()),
                             ", ".join(c.used_by) or "—"])
                for c in data.credentials if self.matches(c.name, c.component)]))
        if (members := self._table("members-table")) is not None:
            members.sync(members.sort_rows([
                (m.email, [m.email, m.name, m.role])
                for m in data.members if self.matches(m.email, m.name)]))
        if (events := self._table("events-table")) is not None:
            events.sync([
                (str(e.id), event_cells(e, now))
                for e in data.events if self.matches(e.kind, e.actor, e.path)])
        self._describe()
        self.offer()

    # -- the flows: a paged list ------------------------------------------------------------
    def _flow_source(self, path: str) -> FlowSource:
        table = self.query_one("#flows-table", PagedTable)
        return FlowSource(self.app, self.watch, path, self.filter_text,
                          table.sort_key or "name", table.sort_reverse, self.marks)

    def _show_flows(self, path: str, *, fresh: bool = False) -> None:
        table = self.query_one("#flows-table", PagedTable)
        source = self._flow_source(path)
        old = self._source
        same = old is not None and old.key() == source.key()
        if same and not fresh:
            table.refresh_data()  # the table's source stays, and with it what it learnt
        else:
            self._source = source
            table.set_source(source)

    def on_paged_table_loaded(self, event: PagedTable.Loaded) -> None:
        self.watch.update([row.payload for row in event.rows])
        self.offer()  # rows or none: Open is on offer, or not

    def on_paged_table_highlighted(self, _event: PagedTable.Highlighted) -> None:
        self._describe()
        self.offer()  # a row or none: the keys that need one

    def on_paged_table_selected(self, _event: PagedTable.Selected) -> None:
        self.action_open()

    def on_paged_table_sort_changed(self, _event: PagedTable.SortChanged) -> None:
        self._show_flows(self.path, fresh=True)

    def tick(self) -> None:
        """Update the time cell of the flows in view only; reload when a deadline has come."""
        if self.watch is None or self.data is None:
            return
        now = self.fd.clock.now()
        table = self.query_one("#flows-table", PagedTable)
        due = False
        with self.app.batch_update():
            for index, row in table.visible_rows():
                table.set_cell(index, "time", self.watch.cell(row.payload, now))
                due = self.watch.check(row.payload, now) or due
        if due:
            self.reload()

    def apply_filter(self) -> None:
        self._show_flows(self.path)
        if self.data is not None:
            self.show(self.data)

    def on_record_table_sort_changed(self, _event: RecordTable.SortChanged) -> None:
        if self.data is not None:
            self.show(self.data)

    # -- the highlighted thing -------------------------------------------------------------
    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active or "flows"

    def _table(self, table_id: str) -> RecordTable | None:
        """A tab's table, once it has been mounted (the tabs out of view mount lazily)."""
        found = self.query(f"#{table_id}")
        return found.first(RecordTable) if found else None

    def _current(self, table_id: str, items, key_of):
        table = self._table(table_id)
        if self.data is None or table is None:
            return None
        key = table.current_key
        return next((i for i in items if key_of(i) == key), None)

    def current_credential(self) -> CredentialView | None:
        return self._current("credentials-table", self.data.credentials if self.data else [],
                             lambda c: str(c.id))

    def current_member(self) -> MemberView | None:
        return self._current("members-table", self.data.members if self.data else [],
                             lambda m: m.email)

    def _marks_changed(self) -> None:
        self._describe()
        self.offer()

    def _describe(self) -> None:
        detail = self.query_one("#detail", DetailLine)
        if self.data is None:
            return
        ws = self.data.workspace
        tab = self.tab
        if tab == "flows":
            f = self.current_flow()
            text = badge(ws.kind)
            if f is None:
                text.append("  No flows match." if self.filter_text else
                            "  No flows yet. Press n to create one.")
            else:
                extra = self.flow_detail(f)
                text.append(f"  {f.name}: {extra + ' ' if extra else ''}"
                            f"{KIND_EXPLANATION[ws.kind]}")
            detail.update(text)
        elif tab == "credentials":
            c = self.current_credential()
            detail.update(f"{c.name}: {c.component} credential with {', '.join(c.fields)}; "
                          f"updated {short_when(c.updated_at, self.fd.clock.now())} by "
                          f"{c.updated_by or 'unknown'}. Secrets stay masked; v reveals (recorded)."
                          if c else "No credentials yet. Press n to add one.")
        elif tab == "members":
            m = self.current_member()
            detail.update(f"{m.name} <{m.email}> is {m.role} of {ws.path}" if m else "")
        else:
            detail.update("The audit trail and flow log of this workspace, newest first.")

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()
        self.offer()

    def on_tabbed_content_tab_activated(self, _event) -> None:
        if self.data is not None:
            self.show(self.data)
        self._describe()
        self.offer()
        self.call_after_refresh(self.focus_main)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "flows-table":
            self.action_open()

    # -- what is offered (the store decides: store/actions.py) ------------------------------
    def gate(self, action: str) -> Gate | None:
        if action == "tab":
            return None
        ws = self.data.workspace if self.data else None
        c, m = self.current_credential(), self.current_member()
        cred = {"row": "credential", "selected": c is not None}
        member = {"row": "member", "selected": m is not None}
        # the flows' keys follow the caller's role in the workspace, not the highlighted flow's
        # state: they stay put as the cursor moves (the store answers for the flow itself)
        gates = {
            "flows": self.flow_gates(ws),
            "credentials": {
                "new": lambda: Gate("credential.create", ws),
                "edit": lambda: Gate("credential.edit", c or ws, **cred),
                "delete": lambda: Gate("credential.edit", c or ws, **cred),
                "reveal": lambda: Gate("credential.reveal", c or ws, **cred),
            },
            "members": {
                "new": lambda: Gate("workspace.members", ws),
                "edit": lambda: Gate("workspace.members", m or ws, **member),
                "delete": lambda: Gate("workspace.members", m or ws, **member),
            },
            "events": {},
        }
        anywhere = {"request_full": "workspace.request_full", "convert": "workspace.convert",
                    "rename": "workspace.rename", "delete_workspace": "workspace.delete"}
        if action in anywhere:
            return Gate(anywhere[action], ws)
        tab = self.tab
        if action in gates[tab]:
            return gates[tab][action]()
        homes = [t for t in gates if action in gates[t]]
        if not homes:
            return None
        return Gate(elsewhere="that key works on the "
                    + " and ".join(_TAB_WORDS[t] for t in homes) + f" tab{'s' * (len(homes) > 1)}")

    # -- actions ------------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_new(self) -> None:
        {"flows": workspace_forms.new_flow, "credentials": workspace_forms.new_credential,
         "members": workspace_forms.add_member}.get(self.tab, lambda s: None)(self)

    def action_edit(self) -> None:
        if self.tab == "credentials" and (c := self.current_credential()):
            workspace_forms.edit_credential(self, c)
        elif self.tab == "members" and (m := self.current_member()):
            workspace_forms.change_member_role(self, m)

    def action_delete(self) -> None:
        if self.tab == "credentials" and (c := self.current_credential()):
            workspace_forms.delete_credential(self, c)
        elif self.tab == "members" and (m := self.current_member()):
            workspace_forms.remove_member(self, m)

    def action_reveal(self) -> None:
        if c := self.current_credential():
            workspace_forms.reveal_credential(self, c)

    def action_request_full(self) -> None:
        request_full_form(self, self.path)

    def action_convert(self) -> None:
        if self.data:
            convert_workspace_form(self, self.path, self.data.workspace.kind)

    def action_rename(self) -> None:
        workspace_forms.rename_workspace(self)

    def action_delete_workspace(self) -> None:
        confirm_delete_workspace(self, self.path, after=lambda _r: self.app.pop_screen())
