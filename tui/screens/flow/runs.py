"""The Executions and Failed tabs of the flow screen (rows: ``flow_runs``), and what an
operator does about failed messages: retry (a fresh set of tries) and discard (asks first;
they are gone for good)."""

from __future__ import annotations

from datetime import datetime

from textual import work

from store.views import FlowView

from .. import flow_runs
from ..base import ASKING, FlowdeckScreen
from ..confirm import ConfirmScreen
from ..flow_runs import plural
from .data import FlowData
from .pane import Matches, TablePane


class ExecutionsPane(TablePane):
    TITLE, PANE_ID, TABLE_ID, SORT = "Executions", "executions", "flow-executions", "at"
    COLUMNS = [("at", "At", 8), ("message", "Msg", 5), ("step", "Step", 11),
               ("outcome", "Outcome", 12), ("status", "HTTP", 4), ("ms", "ms", 5),
               ("error", "Error", 19)]

    def show(self, data: FlowData, now: datetime, matches: Matches) -> None:
        runs = self.table
        at_top = runs.cursor_row == 0  # watching the newest: stay with the newest
        runs.sync([(str(e.id), flow_runs.execution_row(e, now)) for e in data.executions
                   if matches(e.outcome, e.component or "", e.error or "")])
        if at_top and runs.row_count:
            runs.move_cursor(row=0, animate=False)


class FailedPane(TablePane):
    TITLE, PANE_ID, TABLE_ID, SORT = "Failed", "failed", "flow-failed", "id"
    COLUMNS = [("id", "Msg", 5), ("step", "Step", 11), ("attempts", "Tries", 5),
               ("since", "Since", 16), ("error", "Error", 22)]

    def show(self, data: FlowData, now: datetime, matches: Matches) -> str:
        """Fill the table; the tab's label (with the count)."""
        self.table.sync([
            (str(m.id), flow_runs.failed_row(m, now)) for m in data.failed
            if matches(m.error or "", m.component or "", str(m.id))])
        return f"Failed ({len(data.failed)})" if data.failed else "Failed"


class FailedActions(FlowdeckScreen):
    """The flow screen's keys on failed messages (the screen binds them)."""

    def retry_failed(self, flow: FlowView, ids: list[int] | None) -> None:
        """Put failed messages (``ids``, or all) back in the queue; no need to ask first."""
        self.act(self.fd.svc.retry_failed, flow.path, ids,
                 then=lambda n: self.notify(f"{plural(n, 'failed message')} of {flow.name} "
                                            "back in the queue for a fresh set of tries"))

    @work(group=ASKING, exit_on_error=False)
    async def discard_failed(self, flow: FlowView, ids: list[int] | None, count: int) -> None:
        """Ask first (they are gone for good), then discard."""
        if not await self.app.push_screen_wait(ConfirmScreen(
                f"Discard {plural(count, 'failed message')}?",
                f"{'It is' if count == 1 else 'They are'} dropped from {flow.name}'s queue for "
                "good; nothing will deliver them.", confirm_label="Discard")):
            return
        self.act(self.fd.svc.discard_failed, flow.path, ids,
                 then=lambda n: self.notify(f"{plural(n, 'failed message')} of "
                                            f"{flow.name} discarded"))
