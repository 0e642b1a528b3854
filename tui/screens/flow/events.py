"""The Events tab of the flow screen: its audit trail and flow log, but its executions."""

from __future__ import annotations

from datetime import datetime

from ..event_rows import event_cells
from .data import FlowData
from .pane import Matches, TablePane


class EventsPane(TablePane):
    TITLE, PANE_ID, TABLE_ID, SORT = "Events", "events", "flow-events", "at"
    COLUMNS = [("at", "At", 16), ("actor", "Who", 14), ("kind", "What", 18),
               ("detail", "Detail", None)]

    def show(self, data: FlowData, now: datetime, matches: Matches) -> None:
        self.table.sync([
            (str(e.id), event_cells(e, now, with_name=False))
            for e in data.events if matches(e.kind, e.actor)])
