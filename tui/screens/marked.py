"""A flow list that takes marks (the workspace's Flows tab, the Time left screen).

Start, stop and restart act on the marked flows when there are any (one confirmation
with the numbers, then one store call: all or none), else on the highlighted flow.
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.markup import escape

from store.errors import FlowdeckError

from .base import ASKING
from .flow_actions import FlowActions
from .marks import Marks, confirmation, summary


class MarkedFlows(FlowActions):
    marks: Marks

    def repaint_marks_shown(self) -> None:
        """The marks changed: repaint the mark cells in view, the detail line, the keys."""
        raise NotImplementedError

    def action_clear_marks(self) -> None:
        self.marks.clear()
        self.repaint_marks_shown()

    @work(group=ASKING, exit_on_error=False)
    async def _run_marked(self, action: str) -> None:
        """Plan ``action`` on the marked flows, confirm with its numbers, then run it as one
        change; done, the marks are cleared."""
        svc, ids = self.fd.svc, sorted(self.marks.ids)
        try:
            plan = await asyncio.to_thread(svc.plan_flows, action, ids=ids)
        except FlowdeckError as exc:
            self.notify(escape(exc.line()), severity="error", timeout=8)
            return
        if not plan.flows:
            self.notify(f"none of the marked flows can be {action}ed", severity="warning")
            return
        if not await self.app.push_screen_wait(confirmation(plan)):
            return
        try:
            done = await asyncio.to_thread(svc.run_flows, action, ids=ids)
        except FlowdeckError as exc:
            self.notify(escape(exc.line()), severity="error", timeout=8)
            return
        self.notify(summary(done))
        self.marks.clear()
        self.repaint_marks_shown()
        self.reload()

    def _on_flow(self, action: str) -> None:
        """Start, stop or restart: the marked flows when there are any, else the highlighted."""
        if self.marks:
            self._run_marked(action)
        else:
            super()._on_flow(action)
