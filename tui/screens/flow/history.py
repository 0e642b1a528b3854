"""The flow's History tab: every revision (number, when, by whom, what changed), and going
back to one of them (asks first, showing what would change, Cancel focused)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from rich.text import Text
from textual import work

from store.errors import FlowdeckError
from store.views import RevisionView

from ...format import short_when
from ..base import ASKING, FlowdeckScreen
from ..event_rows import who
from .data import FlowData
from .pane import Matches, TablePane
from .review import ReviewScreen


def history_row(r: RevisionView, now: datetime, current: int) -> list[object]:
    """Revision, when, by whom, what changed (the current revision marked ●, in bold)."""
    style = "bold" if r.revision == current else ""
    change = Text("● " if r.revision == current else "  ", style="green")
    change.append(r.change, style=style)
    return [Text(str(r.revision), style=style, justify="right"), short_when(r.at, now),
            who(r.by), change]


class HistoryPane(TablePane):
    TITLE, PANE_ID, TABLE_ID, SORT = "History", "history", "flow-history", "revision"
    COLUMNS = [("revision", "Rev", 4), ("at", "At", 16), ("by", "By", 14),
               ("change", "Change", None)]

    def show(self, data: FlowData, now: datetime, matches: Matches) -> None:
        current = data.flow.revision
        self.table.sync([
            (str(r.revision), history_row(r, now, current)) for r in data.history
            if matches(r.change, r.by)])


class HistoryActions(FlowdeckScreen):
    """Roll back from the History tab (the screen binds the key)."""

    path: str
    data: FlowData | None

    def current_revision(self) -> RevisionView | None:
        raise NotImplementedError

    @work(group=ASKING, exit_on_error=False)
    async def action_rollback(self) -> None:
        rev = self.current_revision()
        if self.data is None or rev is None:
            return
        flow, svc = self.data.flow, self.fd.svc
        try:
            rows = await asyncio.to_thread(svc.diff_flows, flow.path, revision=flow.revision,
                                           to=rev.revision)
        except FlowdeckError as exc:
            self.notify(exc.line(), severity="error")
            return
        result = await self.app.push_screen_wait(ReviewScreen(
            f"Roll {flow.name} back to revision {rev.revision}?",
            f"A new revision equal to revision {rev.revision} ({rev.change}); revision "
            f"{flow.revision} stays in the history. Messages already inside finish on the "
            "revision they entered with. What changes:",
            rows, lambda: svc.rollback_flow(flow.path, rev.revision), confirm_label="Roll back"))
        if result:
            self.notify(f"{flow.name} rolled back to revision {rev.revision}: now revision "
                        f"{result.revision}")
            self.reload()
