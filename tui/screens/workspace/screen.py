"""A workspace: flows with live countdowns, credentials, members and events, a pane per tab.

The screen binds the keys and asks the store what is on offer (``gate``); each tab's pane
holds its table, its words and its actions (``flows.py``, ``credentials.py``,
``members.py``, ``events.py``).
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static, TabbedContent

from store.names import name_problem
from store.views import FlowView

from ...format import LIMITED_BANNER
from ...live import FlowWatch
from ...widgets.breadcrumb import Breadcrumb
from ...widgets.detail import DetailLine
from ...widgets.paged_table import PagedTable
from ...widgets.table import RecordTable
from ..base import ASKING, FilterBar, Gate
from ..flow_list import FirstPage
from ..form import FormField, FormScreen
from ..marked import MarkedFlows
from ..marks import Marks
from ..workspace_actions import WorkspaceActions
from .credentials import CredentialsPane
from .events import EventsPane
from .flows import BINDINGS as FLOW_BINDINGS
from .flows import FlowsPane
from .members import MembersPane
from .pane import WorkspaceData, WorkspacePane

_TAB_WORDS = {"flows": "Flows (1)", "credentials": "Credentials (2)", "members": "Members (3)",
              "events": "Events (4)"}
#: the keys that work on any tab -> the store's action
_ANYWHERE = {"request_full": "workspace.request_full", "convert": "workspace.convert",
             "rename": "workspace.rename", "delete_workspace": "workspace.delete"}


class WorkspaceScreen(MarkedFlows, WorkspaceActions):
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
        self.marks = first.source.marks if first is not None else Marks()
        self.data: WorkspaceData | None = None
        self.watch: FlowWatch | None = None
        self.screen_name = f"Workspace {path}"
        self.flows = FlowsPane()
        self.credentials = CredentialsPane()
        self.members = MembersPane()
        self.events = EventsPane()
        self.panes: dict[str, WorkspacePane] = {
            "flows": self.flows, "credentials": self.credentials, "members": self.members,
            "events": self.events}
        #: each tab's keys, to say where a key works (read once: a key check is frequent)
        self._keys = {tab: frozenset(pane.gates(None)) for tab, pane in self.panes.items()}
        self._tabs: TabbedContent | None = None

    def compose(self) -> ComposeResult:
        contract, name = self.path.split("/")
        yield Breadcrumb(contract, name, "limited", who=self.fd.who)
        yield Static(LIMITED_BANNER, classes="banner", id="banner")
        with TabbedContent(id="tabs", initial="flows"):
            yield from self.panes.values()
        yield DetailLine(id="detail")
        yield FilterBar(placeholder="filter by name")
        yield Footer()

    def on_mount(self) -> None:
        self._tabs = self.query_one(TabbedContent)
        if self.first is not None:  # read before the screen opened: show it at once
            self.watch = self.first.source.watch
            self.flows.preload(self.first)
        else:
            self.watch = FlowWatch(self.fd)
            self.flows.show_flows(self.path)  # the list first: it does not wait for the rest
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
        for pane in self.panes.values():
            pane.show(data, now)
        self._describe()
        self.offer()

    def done(self, message: str) -> None:
        """A form of a tab went through: say so, and read again."""
        self.notify(message)
        self.reload()

    def on_paged_table_loaded(self, event: PagedTable.Loaded) -> None:
        if self.watch is not None:
            self.watch.update([row.payload for row in event.rows])
        self.offer()  # rows or none: Open is on offer, or not

    def on_paged_table_highlighted(self, _event: PagedTable.Highlighted) -> None:
        self._describe()
        self.offer()  # a row or none: the keys that need one

    def on_paged_table_selected(self, _event: PagedTable.Selected) -> None:
        self.action_open()

    def on_paged_table_sort_changed(self, _event: PagedTable.SortChanged) -> None:
        self.flows.show_flows(self.path, fresh=True)

    def tick(self) -> None:
        """Update the time cell of the flows in view only; reload when a deadline has come."""
        if self.watch is None or self.data is None:
            return
        if self.watch.tick_rows(self.flows.table, self.fd.clock.now()):
            self.reload()

    def apply_filter(self) -> None:
        self.flows.show_flows(self.path)
        if self.data is not None:
            self.show(self.data)

    def on_record_table_sort_changed(self, _event: RecordTable.SortChanged) -> None:
        if self.data is not None:
            self.show(self.data)

    # -- the highlighted thing -------------------------------------------------------------
    @property
    def tab(self) -> str:
        tabs = self._tabs or self.query_one(TabbedContent)
        return tabs.active or "flows"

    def current_flow(self) -> FlowView | None:
        return self.flows.current_flow()

    def repaint_marks_shown(self) -> None:
        self.flows.repaint_marks()
        self._describe()
        self.offer()

    def _describe(self) -> None:
        if self.data is None:
            return
        self.query_one("#detail", DetailLine).update(self.panes[self.tab].describe(self.data))

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()
        self.offer()

    def on_tabbed_content_tab_activated(self, _event: TabbedContent.TabActivated) -> None:
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
        if action in _ANYWHERE:
            return Gate(_ANYWHERE[action], ws)
        tab = self.tab
        gates = self.panes[tab].gates(ws)
        if action in gates:
            return gates[action]()
        homes = [t for t, keys in self._keys.items() if t != tab and action in keys]
        if not homes:
            return None
        return Gate(elsewhere="that key works on the "
                    + " and ".join(_TAB_WORDS[t] for t in homes) + f" tab{'s' * (len(homes) > 1)}")

    # -- actions: the active tab's pane does the work ----------------------------------------
    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_new(self) -> None:
        self.panes[self.tab].new()

    def action_edit(self) -> None:
        self.panes[self.tab].edit()

    def action_delete(self) -> None:
        self.panes[self.tab].delete()

    def action_reveal(self) -> None:
        if self.tab == "credentials":
            self.credentials.reveal()

    def action_open(self) -> None:
        if f := self.current_flow():
            self.fd.open_flow(f.path)

    def action_mark(self) -> None:
        self.flows.mark()
        self._describe()
        self.offer()

    def action_mark_stopped(self) -> None:
        self.flows.mark_stopped()

    def action_request_full(self) -> None:
        self.request_full(self.path)

    def action_convert(self) -> None:
        if self.data:
            self.convert_workspace(self.path, self.data.workspace.kind)

    def action_rename(self) -> None:
        self.rename_workspace()

    def action_delete_workspace(self) -> None:
        self.delete_workspace(self.path, leave=True)

    @work(group=ASKING, exit_on_error=False)
    async def rename_workspace(self) -> None:
        svc, path = self.fd.svc, self.path
        name = path.split("/")[1]
        renamed = await self.app.push_screen_wait(FormScreen(f"Rename workspace {path}", [
            FormField("name", "New name:", value=name, check=name_problem),
        ], lambda v: svc.rename_workspace(path, v["name"]), submit_label="Rename"))
        if renamed:
            self.path = renamed.path
            self.reload()
