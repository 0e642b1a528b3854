"""The Events tab of a workspace: its audit trail and flow log, newest first."""

from __future__ import annotations

from datetime import datetime

from ...widgets.table import Column
from ..event_rows import event_cells
from .pane import RecordPane, WorkspaceData


class EventsPane(RecordPane):
    def __init__(self) -> None:
        super().__init__("Events", "events", [
            Column("at", "At", width=16, sortable=False),
            Column("actor", "Who", width=14, sortable=False),
            Column("kind", "What", width=20, sortable=False),
            Column("detail", "Detail", sortable=False),
        ], sort="at")

    def show(self, data: WorkspaceData, now: datetime) -> None:
        if (table := self.table) is not None:
            matches = self.deck.matches
            table.sync([(str(e.id), event_cells(e, now))
                        for e in data.events if matches(e.kind, e.actor, e.path)])

    def describe(self, data: WorkspaceData) -> str:
        return "The audit trail and flow log of this workspace, newest first."
