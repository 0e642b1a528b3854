"""The Flows tab of a workspace: the paged list, its marks, and the keys that act on flows.

Space marks the highlighted flow, ``L`` marks every flow the time limit
stopped (the store names them: a list of 100,000 flows is never read whole),
``U`` clears the marks. Start, stop and restart act on the marked flows when
there are any (``marks.run_marked``: one confirmation with the totals, one
change), else on the highlighted one.
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.binding import Binding

from store.errors import FlowdeckError
from store.views import FlowView

from ..widgets.paged_table import PagedTable
from . import flow_actions, workspace_forms
from .base import Gate
from .flow_list import FlowSource
from .marked import MarkedFlows
from .marks import PROMOTION, Marks, plural

BINDINGS = [
    Binding("space", "mark", "Mark", key_display="␣", id="workspace.mark"),
    Binding("L", "mark_stopped", "Mark all the limit stopped", show=False,
            id="workspace.mark_stopped"),
    Binding("U", "clear_marks", "Clear marks", show=False, id="workspace.clear_marks"),
]


class FlowsTab(MarkedFlows):
    """What the workspace screen does with its flows (mixed into ``WorkspaceScreen``)."""

    path: str
    marks: Marks
    _source: FlowSource | None

    def _flows_table(self) -> PagedTable:
        return self.query_one("#flows-table", PagedTable)

    def current_flow(self) -> FlowView | None:
        found = self.query("#flows-table")
        if not found:  # not composed yet
            return None
        row = found.first(PagedTable).current_row
        return row.payload if row is not None else None

    def flow_gates(self, ws) -> dict:
        """The Flows tab's keys -> what each needs (see ``WorkspaceScreen.gate``)."""
        f = self.current_flow()
        flow = {"row": "flow", "selected": f is not None}
        return {
            "open": lambda: Gate(**flow),
            "new": lambda: Gate("flow.create", ws),
            "mark": lambda: Gate(**flow),
            "mark_stopped": lambda: Gate(),
            "clear_marks": lambda: Gate(row="mark", selected=bool(self.marks),
                                        missing="no flow is marked"),
            **{key: (lambda action=action: Gate(action, ws, **flow))
               for key, action in flow_actions.STORE_ACTIONS.items()},
        }

    def flow_detail(self, f: FlowView) -> str:
        """The words after the badge for the highlighted flow: marks and promotion first."""
        parts = []
        if self.marks:
            parts.append(f"{plural(len(self.marks), 'flow')} marked (s x R act on them).")
        others = self._source.promoted.get(f.id) if self._source is not None else None
        if others:
            where = ", ".join(o.rsplit("/", 1)[-1] for o in others)
            parts.append(f"{PROMOTION} differs from its namesake in {where}.")
        return " ".join(parts)

    # -- marks ------------------------------------------------------------------------------
    def _repaint_marks(self) -> None:
        table = self._flows_table()
        promoted = self._source.promoted if self._source is not None else {}
        with self.app.batch_update():
            for index, row in table.visible_rows():
                table.set_cell(index, "mark", self.marks.cell(row.payload.id,
                                                              row.payload.id in promoted))
        self._marks_changed()

    def _marks_changed(self) -> None:
        """Subclasses repaint the detail line and the keys on offer."""

    def action_mark(self) -> None:
        table = self._flows_table()
        if (f := self.current_flow()) is None:
            return
        self.marks.toggle(f.id)
        promoted = self._source.promoted if self._source is not None else {}
        table.set_cell(table.cursor, "mark", self.marks.cell(f.id, f.id in promoted))
        if table.cursor < table.row_count - 1:
            table.cursor += 1  # on to the next, as file managers do
        self._marks_changed()

    @work(group="act", exit_on_error=False)
    async def action_mark_stopped(self) -> None:
        try:
            ids = await asyncio.to_thread(self.fd.svc.flow_ids, self.path, status="stopped",
                                          stop_reason="work_time_limit")
        except FlowdeckError as exc:
            self.notify(exc.line(), severity="error")
            return
        added = self.marks.add(ids)
        self.notify(f"{plural(len(ids), 'flow')} stopped by the time limit; {added:,} newly "
                    f"marked, {plural(len(self.marks), 'flow')} marked in all"
                    if ids else "No flow here was stopped by the time limit")
        self._repaint_marks()

    def action_open(self) -> None:
        if f := self.current_flow():
            self.fd.open_flow(f.path)

    def action_start(self) -> None:
        self._on_flow("start")

    def action_stop(self) -> None:
        self._on_flow("stop")

    def action_restart(self) -> None:
        self._on_flow("restart")

    def action_send(self) -> None:
        if f := self.current_flow():
            flow_actions.send(self, f)

    def action_switch_type(self) -> None:
        if f := self.current_flow():
            flow_actions.switch_type(self, f)

    def action_copy(self) -> None:
        if f := self.current_flow():
            workspace_forms.copy_flow(self, f)
