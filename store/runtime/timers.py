"""Timer triggers: an active flow whose first step is ``timer`` gets a message on its cron
schedule.

Each step remembers the last scheduled instant it fired for (``fired_at``);
a check fires the latest instant that has come since then (or since the
flow started), once, however long the worker was away. The mark moves by a
conditional UPDATE, so two workers checking at once fire a tick once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from .. import worktime
from ..clock import iso
from ..errors import FlowdeckError
from ..models import Contract, Event, Flow, FlowStep, Message, Workspace
from ..rows import ident, touched
from ..services.base import Tx
from ..services.messages import reserve

if TYPE_CHECKING:
    from ..engine import Store


def latest_due(cron: str, since: datetime, now: datetime) -> datetime | None:
    """The latest instant of ``cron`` after ``since`` and not after ``now``, or None.
    Raises ValueError for a schedule croniter does not accept."""
    from croniter import croniter

    latest = croniter(cron, now + timedelta(seconds=1)).get_prev(datetime)
    return latest if latest > since else None


class Timers:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._reported: set[tuple[int, str]] = set()  # bad schedules already recorded

    def fire_due(self) -> list[tuple[str, str]]:
        """Fire every timer whose time has come; return (flow path, what happened) pairs."""
        return self.store.run(self._fire, write=True)

    def _fire(self, s: Session) -> list[tuple[str, str]]:
        now = self.store.clock.now()
        stopped = worktime.stop_overdue(s, now)
        rows = s.execute(
            select(FlowStep, Flow, Workspace, Contract)
            .join(Flow, col(Flow.id) == col(FlowStep.flow_id))
            .join(Workspace, col(Workspace.id) == col(Flow.workspace_id))
            .join(Contract, col(Contract.id) == col(Workspace.contract_id))
            .where(col(Flow.status) == "active", col(FlowStep.position) == 1,
                   col(FlowStep.component) == "timer")
        ).all()
        happened: list[tuple[str, str]] = []
        for step, flow, ws, contract in rows:
            cron = str((step.settings or {}).get("cron") or "").strip()
            if not cron or flow.started_at is None:
                continue
            path = f"{contract.name}/{ws.name}/{flow.name}"
            since = max(step.fired_at or flow.started_at, flow.started_at)
            try:
                due = latest_due(cron, since, now)
            except (ValueError, KeyError) as exc:
                self._bad_schedule(s, step, flow, ws, path, cron, exc, now, happened)
                continue
            if due is None:
                continue
            unchanged = (col(FlowStep.fired_at).is_(None) if step.fired_at is None
                         else col(FlowStep.fired_at) == step.fired_at)
            moved = touched(s.execute(
                update(FlowStep).where(col(FlowStep.id) == step.id, unchanged)
                .values(fired_at=due), execution_options={"synchronize_session": False}))
            if not moved:  # another worker fired it
                continue
            try:
                reserve(Tx(s, now, None), flow, ws.kind, 1, path)
            except FlowdeckError as exc:
                self._event(s, flow, ws, path, now, "timer.skipped",
                            {"scheduled": iso(due), "reason": str(exc)})
                happened.append((path, "skipped: queue full"))
                continue
            s.execute(insert(Message).values(
                flow_id=flow.id, step=1, revision=flow.revision, enqueued_at=now, attempts=0, failed=False,
                payload={"fired_at": iso(due), "schedule": cron}))
            happened.append((path, f"fired {iso(due)}"))
        s.info["flowdeck_changed"] = bool(happened or stopped)
        return happened

    def _bad_schedule(self, s: Session, step: FlowStep, flow: Flow, ws: Workspace, path: str, cron: str,
                      exc: Exception, now: datetime, happened: list[tuple[str, str]]) -> None:
        if (ident(step), cron) in self._reported:
            return
        self._reported.add((ident(step), cron))
        self._event(s, flow, ws, path, now, "timer.invalid", {"schedule": cron, "error": str(exc)})
        happened.append((path, f"invalid schedule {cron!r}: {exc}"))

    @staticmethod
    def _event(s: Session, flow: Flow, ws: Workspace, path: str, now: datetime, kind: str,
               detail: dict[str, Any]) -> None:
        s.execute(insert(Event).values(
            at=now, actor_id=None, kind=kind, category="log", contract_id=ws.contract_id,
            workspace_id=ws.id, flow_id=flow.id, path=path, detail=detail))
