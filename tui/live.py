"""Watching flows on screen: countdown cells, the fifteen-minute notice, the stop.

The deadline comes from the store; this only measures the time left
against the app's clock and says so. When a countdown reaches zero the
screen reloads, and the store's own enforcement stops the flow.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from store.policy import COUNTDOWN_NOTICE
from store.views import FlowView

from .format import STOP_REASON_WORDS, hms, remaining_at, time_cell


class FlowWatch:
    def __init__(self, app) -> None:
        self.app = app
        self.flows: dict[str, FlowView] = {}
        self._last_left: dict[str, int] = {}

    def update(self, flows: list[FlowView]) -> None:
        """New data from the store: announce flows that stopped since the last look."""
        fresh = {str(f.id): f for f in flows}
        for key, new in fresh.items():
            old = self.flows.get(key)
            if old is not None and old.status == "active" and new.status == "stopped" \
                    and new.stop_reason in ("work_time_limit", "step_failed", "contract_suspended"):
                lost = new.lost_messages
                self.app.say_once(
                    (new.id, f"stop {new.stopped_at}"),
                    f"{new.name} stopped: {STOP_REASON_WORDS[new.stop_reason]}; "
                    f"{lost} queued message{'s' if lost != 1 else ''} lost",
                    severity="error" if lost else "warning")
        self.flows = fresh

    def cell(self, flow: FlowView, now: datetime) -> Text:
        return time_cell(flow.status, flow.deadline, flow.started_at, flow.stop_reason,
                         flow.lost_messages, now)

    def tick(self, now: datetime) -> tuple[dict[str, Text], bool]:
        """The time cells as of ``now``, and whether a deadline has come (reload due)."""
        cells: dict[str, Text] = {}
        due = False
        notice = int(COUNTDOWN_NOTICE.total_seconds())
        for key, flow in self.flows.items():
            cells[key] = self.cell(flow, now)
            if flow.status != "active" or flow.deadline is None:
                continue
            left = remaining_at(flow.deadline, now) or 0
            before = self._last_left.get(key)
            if before is not None and before > notice >= left > 0:
                self.app.say_once((flow.id, f"notice {flow.deadline}"),
                                  f"{flow.name} stops in {hms(left)} (work-time limit); "
                                  "restart it for a fresh work time")
            self._last_left[key] = left
            if left <= 0:
                due = True
        return cells, due
