"""A flow list that takes marks (the workspace's Flows tab, the Time left screen).

Start, stop and restart act on the marked flows when there are any (one confirmation
with the numbers, then one store call: all or none), else on the highlighted flow.
"""

from __future__ import annotations

from textual import work

from store.views import FlowView

from . import flow_actions
from .base import FlowdeckScreen
from .marks import Marks, run_marked


class MarkedFlows(FlowdeckScreen):
    marks: Marks

    def current_flow(self) -> FlowView | None:
        raise NotImplementedError

    def _repaint_marks(self) -> None:
        raise NotImplementedError

    def action_clear_marks(self) -> None:
        self.marks.clear()
        self._repaint_marks()

    @work(group="act", exit_on_error=False)
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
            {"start": flow_actions.start, "stop": flow_actions.stop,
             "restart": flow_actions.restart}[action](self, f)
