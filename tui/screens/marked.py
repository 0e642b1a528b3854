"""A flow list that takes marks (the workspace's Flows tab, the Time left screen).

Start, stop and restart act on the marked flows when there are any (one confirmation
with the numbers, then one store call: all or none), else on the highlighted flow.
"""

from __future__ import annotations

from textual import work

from store.views import FlowView

from .flow_actions import ASKING, FlowActions
from .marks import Marks, run_marked


class MarkedFlows(FlowActions):
    marks: Marks

    def current_flow(self) -> FlowView | None:
        raise NotImplementedError

    def _repaint_marks(self) -> None:
        raise NotImplementedError

    def action_clear_marks(self) -> None:
        self.marks.clear()
        self._repaint_marks()

    @work(group=ASKING, exit_on_error=False)
    async def _run_marked(self, action: str) -> None:
        if await run_marked(self, action, sorted(self.marks.ids)) is not None:
            self.marks.clear()
            self._repaint_marks()
            self.reload()

    def _on_flow(self, action: str) -> None:
        """Start, stop or restart: the marked flows when there are any, else the highlighted."""
        if self.marks:
            self._run_marked(action)
        elif f := self.current_flow():
            {"start": self.start_flow, "stop": self.stop_flow,
             "restart": self.restart_flow}[action](f)
