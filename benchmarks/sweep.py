"""The sweep, measured: the store's set-based sweep, and the naive way beside it.

The baseline stops overdue flows one by one through the ORM, as code that
did not know better would: load the flow, change it, delete its messages,
add its event, commit. It is timed on a sample and reported per flow.
"""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlmodel import Session

from store import worktime
from store.clock import FrozenClock, parse_instant
from store.engine import open_store
from store.models import Contract, Event, Flow, Message, Workspace


def set_based(url: str, at: str) -> tuple[float, int]:
    store = open_store(url, FrozenClock(parse_instant(at)))
    try:
        started = time.perf_counter()
        result = worktime.sweep(store)
        return time.perf_counter() - started, result.stopped
    finally:
        store.close()


def one_by_one(url: str, at: str, sample: int) -> float:
    """Seconds per flow to stop ``sample`` overdue flows one at a time through the ORM."""
    now = parse_instant(at)
    store = open_store(url, FrozenClock(now))
    try:
        with Session(store.engine) as s:
            ids = s.scalars(select(Flow.id).where(Flow.status == "active", Flow.deadline <= now)
                            .limit(sample)).all()
        started = time.perf_counter()
        for fid in ids:
            with Session(store.engine) as s:
                flow = s.get(Flow, fid)
                ws = s.get(Workspace, flow.workspace_id)
                contract = s.get(Contract, ws.contract_id)
                messages = s.scalars(select(Message).where(Message.flow_id == fid)).all()
                for m in messages:
                    s.delete(m)
                flow.status, flow.stop_reason = "stopped", "work_time_limit"
                flow.stopped_at, flow.deadline = flow.deadline, None
                flow.lost_messages, flow.queued = len(messages), 0
                s.add(Event(at=flow.stopped_at, actor_id=None, kind="flow.auto_stopped",
                            category="audit", contract_id=contract.id, workspace_id=ws.id,
                            flow_id=fid, path=f"{contract.name}/{ws.name}/{flow.name}",
                            detail={"lost_messages": len(messages), "reason": "work_time_limit"}))
                s.commit()
        return (time.perf_counter() - started) / max(1, len(ids))
    finally:
        store.close()
