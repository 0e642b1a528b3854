"""The Events tab of the flow screen: its audit trail and flow log, but its executions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.app import ComposeResult
from textual.widgets import TabPane

from ...widgets.table import Column, RecordTable
from ..event_rows import event_cells
from .data import FlowData


class EventsPane(TabPane):
    def __init__(self) -> None:
        super().__init__("Events", id="events")

    def compose(self) -> ComposeResult:
        yield RecordTable([
            Column("at", "At", width=16, sortable=False),
            Column("actor", "Who", width=14, sortable=False),
            Column("kind", "What", width=18, sortable=False),
            Column("detail", "Detail", sortable=False),
        ], id="flow-events", sort="at")

    def show(self, data: FlowData, now: datetime, matches: Callable[..., bool]) -> None:
        self.query_one(RecordTable).sync([
            (str(e.id), event_cells(e, now, with_name=False))
            for e in data.events if matches(e.kind, e.actor)])
