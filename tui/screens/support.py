"""Support staff's inbox: requests to make workspaces Full, to approve or decline."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer

from store.views import SupportRequestView

from ..format import badge, short_when
from ..widgets.breadcrumb import Breadcrumb
from ..widgets.detail import DetailLine
from ..widgets.table import Column, RecordTable
from .base import FilterBar, Gate
from .requests import RequestActions

STATUS_STYLE = {"open": "bold cyan", "approved": "green", "declined": "red"}


class SupportScreen(RequestActions):
    CSS_PATH = "support.tcss"
    screen_name = "Support requests"
    BINDINGS = [
        Binding("enter", "open", "Open workspace", id="support.open"),
        Binding("a", "approve", "Approve", id="support.approve"),
        Binding("d", "decline", "Decline", id="support.decline"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[SupportRequestView] = []

    def compose(self) -> ComposeResult:
        yield Breadcrumb("Support requests", who=self.fd.who)
        yield RecordTable([
            Column("id", "#", width=4), Column("workspace", "Workspace", width=26),
            Column("kind", "Kind", width=10), Column("status", "Status", width=9),
            Column("by", "Asked by", width=22), Column("at", "At", width=16),
        ], id="requests", sort="id")
        yield DetailLine(id="detail")
        yield FilterBar(placeholder="filter by workspace")
        yield Footer()

    def load(self) -> list[SupportRequestView]:
        return self.fd.svc.list_requests()

    def show(self, data: list[SupportRequestView]) -> None:
        self.requests = data
        now = self.fd.clock.now()
        table = self.query_one(RecordTable)
        rows = [(str(r.id), [Text(str(r.id), justify="right"), r.path, badge(r.workspace_kind),
                             Text(r.status, style=STATUS_STYLE[r.status]), r.requested_by or "—",
                             short_when(r.created_at, now)])
                for r in data if self.matches(r.path, r.requested_by or "", r.reason)]
        rows = table.sort_rows(rows, {"id": lambda t: int(t.plain)})
        if table.sort_key == "id" and not table.sort_reverse:
            rows.reverse()  # newest first until the user sorts
        table.sync(rows)
        self._describe()
        self.offer()

    def apply_filter(self) -> None:
        self.show(self.requests)

    def on_record_table_sort_changed(self, _event) -> None:
        self.show(self.requests)

    def current(self) -> SupportRequestView | None:
        key = self.query_one(RecordTable).current_key
        return next((r for r in self.requests if str(r.id) == key), None)

    def _describe(self) -> None:
        r = self.current()
        detail = self.query_one("#detail", DetailLine)
        if r is None:
            detail.update("No support requests.")
            return
        text = f"#{r.id} {r.path}: “{r.reason}”"
        if r.status != "open":
            text += f" — {r.status} by {r.handled_by or 'support'}"
            if r.decision:
                text += f": {r.decision}"
        detail.update(text)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()
        self.offer()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def gate(self, action: str) -> Gate | None:
        """The store decides (store/actions.py); the keys need a request highlighted."""
        r = self.current()
        if action == "open":
            return Gate(row="support request", selected=r is not None)
        if action in ("approve", "decline"):
            return Gate("request.decide", r, row="support request", selected=r is not None)
        return None

    def action_open(self) -> None:
        if r := self.current():
            self.fd.jump(r.path)

    def action_approve(self) -> None:
        if r := self.current():
            self.approve_request(r)

    def action_decline(self) -> None:
        if r := self.current():
            self.decline_request(r)

