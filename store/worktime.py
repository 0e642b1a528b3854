"""The work-time rule and everything that stops a flow.

Every stop goes through ``_stop``: one conditional UPDATE (only flows that
are still active), then the purge of their queues and one event per flow,
in the caller's transaction. Two processes sweeping at once cannot both
stop the same flow, because the second UPDATE no longer matches it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlmodel import Session

from .models import Contract, Event, Flow, Message, Workspace
from .policy import LOG_MAX_ENTRIES, LOG_RETENTION, WORK_TIME
from .views import SweepResult

_CHUNK = 500


def deadline_for(kind: str, started_at: datetime) -> datetime | None:
    """Limited workspaces give a flow eight hours; full ones no deadline."""
    return started_at + WORK_TIME if kind == "limited" else None


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _paths(s: Session, ids: list[int]) -> dict[int, tuple[int, int, str]]:
    """flow id -> (contract id, workspace id, 'Contract/Workspace/Flow')."""
    out: dict[int, tuple[int, int, str]] = {}
    for chunk in _chunks(ids):
        rows = s.execute(
            select(Flow.id, Contract.id, Workspace.id, Contract.name, Workspace.name, Flow.name)
            .join(Workspace, Workspace.id == Flow.workspace_id)
            .join(Contract, Contract.id == Workspace.contract_id)
            .where(Flow.id.in_(chunk))
        ).all()
        for fid, cid, wid, cname, wname, fname in rows:
            out[fid] = (cid, wid, f"{cname}/{wname}/{fname}")
    return out


def _stop(s: Session, condition: Any, *, reason: str, at: Any, kind: str,
          actor_id: int | None, event_at: datetime | None = None,
          extra: dict[str, Any] | None = None) -> list[tuple[int, int, datetime]]:
    """Stop every active flow matching ``condition``; return (id, lost, stopped_at)."""
    stmt = (
        update(Flow)
        .where(Flow.status == "active", condition)
        .values(status="stopped", stop_reason=reason, stopped_at=at, deadline=None,
                lost_messages=Flow.queued, queued=0)
        .returning(Flow.id, Flow.lost_messages, Flow.stopped_at)
    )
    rows = [tuple(r) for r in s.execute(stmt, execution_options={"synchronize_session": False})]
    if not rows:
        return []
    ids = [r[0] for r in rows]
    for chunk in _chunks(ids):
        s.execute(delete(Message).where(Message.flow_id.in_(chunk)))
    paths = _paths(s, ids)
    events = []
    for fid, lost, stopped_at in rows:
        cid, wid, path = paths[fid]
        events.append(dict(
            at=event_at or stopped_at, actor_id=actor_id, kind=kind, category="audit",
            contract_id=cid, workspace_id=wid, flow_id=fid, path=path,
            detail={"lost_messages": lost, "reason": reason, **(extra or {})},
        ))
    for i in range(0, len(events), _CHUNK):
        s.execute(insert(Event), events[i:i + _CHUNK])
    return rows


def stop_overdue(s: Session, now: datetime) -> list[tuple[int, int, datetime]]:
    """Stop every active flow whose deadline has come, at its deadline, as the system."""
    return _stop(
        s, and_(Flow.deadline.is_not(None), Flow.deadline <= now),
        reason="work_time_limit", at=Flow.deadline, kind="flow.auto_stopped", actor_id=None,
    )


def any_overdue(s: Session, now: datetime) -> bool:
    return bool(s.scalar(select(exists().where(
        Flow.status == "active", Flow.deadline.is_not(None), Flow.deadline <= now))))


def stop_overdue_if_any(store, now: datetime) -> int:
    """The guard before every read: a cheap check, and a sweep only when one is due."""
    if not store.run(lambda s: any_overdue(s, now), write=False):
        return 0
    return len(store.run(lambda s: stop_overdue(s, now), write=True))


def stop_flow(s: Session, flow_id: int, now: datetime, *, reason: str, actor_id: int | None,
              kind: str = "flow.stopped") -> tuple[int, int, datetime] | None:
    rows = _stop(s, Flow.id == flow_id, reason=reason, at=now, kind=kind, actor_id=actor_id,
                 event_at=now)
    return rows[0] if rows else None


def stop_contract_flows(s: Session, contract_id: int, now: datetime, actor_id: int | None) -> list:
    in_contract = Flow.workspace_id.in_(
        select(Workspace.id).where(Workspace.contract_id == contract_id))
    return _stop(s, in_contract, reason="contract_suspended", at=now, kind="flow.stopped",
                 actor_id=actor_id, event_at=now)


def start_flow(s: Session, flow_id: int, kind: str, now: datetime) -> bool:
    """Start an inactive or stopped flow; False when it is already active."""
    result = s.execute(
        update(Flow)
        .where(Flow.id == flow_id, Flow.status != "active")
        .values(status="active", started_at=now, deadline=deadline_for(kind, now),
                stopped_at=None, stop_reason=None, lost_messages=0),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def convert_deadlines(s: Session, workspace_id: int, to: str, now: datetime) -> int:
    """On conversion, active flows lose their deadline (to full) or get a fresh one (to limited)."""
    return s.execute(
        update(Flow).where(Flow.workspace_id == workspace_id, Flow.status == "active")
        .values(deadline=deadline_for(to, now)),
        execution_options={"synchronize_session": False},
    ).rowcount or 0


def prune_logs(s: Session, now: datetime) -> int:
    """Drop flow-log entries past their workspace's retention, and over its count cap."""
    pruned = 0
    for kind, keep in LOG_RETENTION.items():
        in_kind = Event.workspace_id.in_(select(Workspace.id).where(Workspace.kind == kind))
        pruned += s.execute(
            delete(Event).where(Event.category == "log", Event.at < now - keep, in_kind),
            execution_options={"synchronize_session": False},
        ).rowcount or 0
        cap = LOG_MAX_ENTRIES.get(kind)
        if cap is None:
            continue
        ranked = (
            select(Event.id, func.row_number().over(
                partition_by=Event.flow_id, order_by=(Event.at.desc(), Event.id.desc())
            ).label("rn"))
            .where(Event.category == "log", in_kind)
            .subquery()
        )
        pruned += s.execute(
            delete(Event).where(Event.id.in_(select(ranked.c.id).where(ranked.c.rn > cap))),
            execution_options={"synchronize_session": False},
        ).rowcount or 0
    return pruned


def sweep(store, now: datetime | None = None) -> SweepResult:
    """One enforcement sweep: stop what is overdue, prune the flow log. Idempotent."""
    def body(s: Session) -> SweepResult:
        at = now or store.clock.now()
        rows = stop_overdue(s, at)
        pruned = prune_logs(s, at)
        s.info["flowdeck_changed"] = bool(rows or pruned)
        paths = _paths(s, [r[0] for r in rows]) if rows else {}
        return SweepResult(
            stopped=len(rows), lost_messages=sum(r[1] for r in rows), pruned_events=pruned,
            flows=[paths[r[0]][2] for r in rows],
        )

    return store.run(body, write=True)
