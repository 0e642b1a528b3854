"""Watching flows on screen: countdown cells, the fifteen-minute notice, the stop.

The deadline comes from the store; this only measures the time left
against the app's clock and says so. When a countdown reaches zero the
screen reloads, and the store's own enforcement stops the flow.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from store.policy import COUNTDOWN_NOTICE
from store.views import FlowView

from .format import STOP_REASON_WORDS, hms, remaining_at, time_cell

if TYPE_CHECKING:
    from .app import FlowdeckApp
    from .widgets.paged_table import PagedTable


class FlowWatch:
    """Remembers what the flows on screen looked like, to say what changed."""

    KEEP = 5_000  # flows remembered; a long list only ever shows a page of them

    def __init__(self, app: FlowdeckApp) -> None:
        self.app = app
        self.flows: dict[str, FlowView] = {}
        self._last_left: dict[str, int] = {}

    def update(self, flows: list[FlowView]) -> None:
        """New data from the store: announce flows that stopped since the last look."""
        for new in flows:
            key = str(new.id)
            old = self.flows.get(key)
            if old is not None and old.status == "active" and new.status == "stopped" \
                    and new.stop_reason in ("work_time_limit", "step_failed", "contract_suspended"):
                lost = new.lost_messages
                self.app.say_once(
                    (new.id, f"stop {new.stopped_at}"),
                    f"{new.name} stopped: {STOP_REASON_WORDS[new.stop_reason]}; "
                    f"{lost} queued message{'s' if lost != 1 else ''} lost",
                    severity="error" if lost else "warning")
            self.flows[key] = new
        if len(self.flows) > self.KEEP:
            for key in list(self.flows)[: len(self.flows) - self.KEEP]:
                del self.flows[key]
                self._last_left.pop(key, None)

    def cell(self, flow: FlowView, now: datetime) -> Text:
        return time_cell(flow.status, flow.deadline, flow.started_at, flow.stop_reason,
                         flow.lost_messages, now)

    def check(self, flow: FlowView, now: datetime) -> bool:
        """Say the fifteen-minute notice when it is crossed; True when the deadline has come."""
        if flow.status != "active" or flow.deadline is None:
            return False
        key = str(flow.id)
        left = remaining_at(flow.deadline, now) or 0
        before = self._last_left.get(key)
        notice = int(COUNTDOWN_NOTICE.total_seconds())
        if before is not None and before > notice >= left > 0:
            self.app.say_once((flow.id, f"notice {flow.deadline}"),
                              f"{flow.name} stops in {hms(left)} (work-time limit); "
                              "restart it for a fresh work time")
        self._last_left[key] = left
        return left <= 0

    def tick(self, now: datetime) -> tuple[dict[str, Text], bool]:
        """The time cells of every remembered flow as of ``now``, and whether one is due."""
        cells: dict[str, Text] = {}
        due = False
        for key, flow in self.flows.items():
            cells[key] = self.cell(flow, now)
            due = self.check(flow, now) or due
        return cells, due

    def tick_rows(self, table: PagedTable, now: datetime) -> bool:
        """Update the time cells of the rows ``table`` shows (only those: a list of a hundred
        thousand flows shows a screenful); True when a deadline among them has come."""
        due = False
        with self.app.batch_update():
            for index, row in table.visible_rows():
                table.set_cell(index, "time", self.cell(row.payload, now))
                due = self.check(row.payload, now) or due
        return due
