"""The work-time rule and everything that stops a flow.

Every stop goes through ``_stop``: one conditional UPDATE (only flows that
are still active), then the purge of their queues and one event per flow,
in the caller's transaction. Two processes sweeping at once cannot both
stop the same flow, because the second UPDATE no longer matches it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.sql.functions import Function
from sqlmodel import Session, col

from .clock import iso
from .models import Contract, Event, Flow, Message, UTCTime, Workspace
from .policy import LOG_MAX_ENTRIES, LOG_RETENTION, WORK_TIME
from .rows import table_of, touched
from .views import SweepResult

if TYPE_CHECKING:
    from .engine import Store


def deadline_for(kind: str, started_at: datetime) -> datetime | None:
    """Limited workspaces give a flow eight hours; full ones no deadline."""
    return started_at + WORK_TIME if kind == "limited" else None


_stopped = Table(
    "fd_stopped_flows", MetaData(), Column("id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)


_chosen = Table(
    "fd_chosen_flows", MetaData(), Column("id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)


#: up to this many ids go in the statement itself (the planner then looks the flows up by
#: id; given a temporary table instead, it may walk the status index); more, in a table
_INLINE_IDS = 5_000


def choose(s: Session, ids: list[int]) -> Any:
    """A condition on flows: one of ``ids`` (however many)."""
    if len(ids) <= _INLINE_IDS:
        return table_of(Flow).c.id.in_(ids)
    table = _mark(s, ids, _chosen)
    return table_of(Flow).c.id.in_(select(table.c.id))


def _mark(s: Session, ids: list[int], table: Table = _stopped) -> Table:
    """Put ``ids`` in a per-connection temporary table, so what follows is set-based."""
    conn = s.connection()
    table.create(conn, checkfirst=True)
    conn.execute(table.delete())
    conn.execute(table.insert(), [{"id": i} for i in ids])
    return table


def _json_detail(s: Session, **fields: Any) -> Function[Any]:
    """A JSON object built by the database (json_object / json_build_object)."""
    build = func.json_build_object if s.get_bind().dialect.name == "postgresql" else func.json_object
    args: list[Any] = []
    for key, value in fields.items():
        args += [literal(key), value]
    return build(*args)


def _paths_of_marked(s: Session) -> dict[int, str]:
    rows = s.execute(
        select(col(Flow.id), col(Contract.name), col(Workspace.name), col(Flow.name))
        .join(Workspace, col(Workspace.id) == col(Flow.workspace_id))
        .join(Contract, col(Contract.id) == col(Workspace.contract_id))
        .where(col(Flow.id).in_(select(_stopped.c.id)))
    ).all()
    return {fid: f"{c}/{w}/{f}" for fid, c, w, f in rows}


def _stop(s: Session, condition: Any, *, reason: str, at: Any, kind: str,
          actor_id: int | None, event_at: datetime | None = None) -> list[tuple[int, int, datetime]]:
    """Stop every active flow matching ``condition``; return (id, lost, stopped_at).

    One conditional UPDATE, then set-based statements over the flows it
    stopped: their queues purged and one event each, all in this transaction.
    """
    flows = table_of(Flow)
    stmt = (
        update(flows)
        .where(flows.c.status == "active", condition)
        .values(status="stopped", stop_reason=reason, stopped_at=at, deadline=None,
                lost_messages=flows.c.queued, queued=0)
        .returning(flows.c.id, flows.c.lost_messages, flows.c.stopped_at)
    )
    rows = [tuple(r) for r in s.execute(stmt)]
    if not rows:
        return []
    marked = _mark(s, [r[0] for r in rows])
    in_marked = select(marked.c.id)
    s.execute(delete(table_of(Message)).where(table_of(Message).c.flow_id.in_(in_marked)))
    path = col(Contract.name) + literal("/") + col(Workspace.name) + literal("/") + col(Flow.name)
    source = (
        select(
            flows.c.stopped_at if event_at is None else literal(event_at, UTCTime),
            literal(actor_id, Integer), literal(kind), literal("audit"),
            col(Workspace.contract_id), col(Workspace.id), col(Flow.id), path,
            _json_detail(s, lost_messages=col(Flow.lost_messages), reason=literal(reason)),
        )
        .select_from(flows.join(Workspace, col(Workspace.id) == flows.c.workspace_id)
                     .join(Contract, col(Contract.id) == col(Workspace.contract_id)))
        .where(flows.c.id.in_(in_marked))
    )
    ev = table_of(Event).c
    s.execute(insert(table_of(Event)).from_select(
        [ev.at, ev.actor_id, ev.kind, ev.category, ev.contract_id, ev.workspace_id,
         ev.flow_id, ev.path, ev.detail], source))
    return rows


def stop_overdue(s: Session, now: datetime) -> list[tuple[int, int, datetime]]:
    """Stop every active flow whose deadline has come, at its deadline, as the system."""
    return _stop(
        s, and_(col(Flow.deadline).is_not(None), col(Flow.deadline) <= now),
        reason="work_time_limit", at=col(Flow.deadline), kind="flow.auto_stopped", actor_id=None,
    )


def any_overdue(s: Session, now: datetime) -> bool:
    return bool(s.scalar(select(exists().where(
        col(Flow.status) == "active", col(Flow.deadline).is_not(None), col(Flow.deadline) <= now))))


def stop_overdue_if_any(store: Store, now: datetime) -> int:
    """The guard before every read: a cheap check, and a sweep only when one is due."""
    if not store.run(lambda s: any_overdue(s, now), write=False):
        return 0
    return len(store.run(lambda s: stop_overdue(s, now), write=True))


def stop_flow(s: Session, flow_id: int, now: datetime, *, reason: str, actor_id: int | None,
              kind: str = "flow.stopped") -> tuple[int, int, datetime] | None:
    rows = _stop(s, col(Flow.id) == flow_id, reason=reason, at=now, kind=kind, actor_id=actor_id,
                 event_at=now)
    return rows[0] if rows else None


def stop_contract_flows(s: Session, contract_id: int, now: datetime,
                        actor_id: int | None) -> list[tuple[int, int, datetime]]:
    in_contract = col(Flow.workspace_id).in_(
        select(col(Workspace.id)).where(col(Workspace.contract_id) == contract_id))
    return _stop(s, in_contract, reason="contract_suspended", at=now, kind="flow.stopped",
                 actor_id=actor_id, event_at=now)


def stop_flows(s: Session, condition: Any, now: datetime,
               actor_id: int | None) -> list[tuple[int, int, datetime]]:
    """A person's stop of every active flow matching ``condition`` (queues dropped, one
    ``flow.stopped`` event each); return (id, lost, stopped_at) of those it stopped."""
    return _stop(s, condition, reason="manual", at=now, kind="flow.stopped", actor_id=actor_id,
                 event_at=now)


def start_flows(s: Session, condition: Any, now: datetime, actor_id: int | None) -> list[int]:
    """Start every flow matching ``condition`` that is not active, with one ``flow.started``
    event each (the deadline it got, its workspace's kind); return the ids it started.

    Set-based: one conditional UPDATE and one INSERT … SELECT per workspace kind."""
    flows = table_of(Flow)
    started: list[int] = []
    for kind in ("limited", "full"):
        deadline = deadline_for(kind, now)
        of_kind = flows.c.workspace_id.in_(select(col(Workspace.id)).where(col(Workspace.kind) == kind))
        ids = [r[0] for r in s.execute(
            update(flows).where(flows.c.status != "active", of_kind, condition)
            .values(status="active", started_at=now, deadline=deadline, stopped_at=None,
                    stop_reason=None, lost_messages=0)
            .returning(flows.c.id))]
        if not ids:
            continue
        started += ids
        marked = _mark(s, ids)
        path = col(Contract.name) + literal("/") + col(Workspace.name) + literal("/") + col(Flow.name)
        source = (
            select(literal(now, UTCTime), literal(actor_id, Integer), literal("flow.started"),
                   literal("audit"), col(Workspace.contract_id), col(Workspace.id), col(Flow.id), path,
                   _json_detail(s, deadline=literal(iso(deadline)) if deadline else null(),
                                workspace_kind=literal(kind)))
            .select_from(flows.join(Workspace, col(Workspace.id) == flows.c.workspace_id)
                         .join(Contract, col(Contract.id) == col(Workspace.contract_id)))
            .where(flows.c.id.in_(select(marked.c.id)))
        )
        ev = table_of(Event).c
        s.execute(insert(table_of(Event)).from_select(
            [ev.at, ev.actor_id, ev.kind, ev.category, ev.contract_id, ev.workspace_id,
             ev.flow_id, ev.path, ev.detail], source))
    return started


def start_flow(s: Session, flow_id: int, kind: str, now: datetime) -> bool:
    """Start an inactive or stopped flow; False when it is already active."""
    result = s.execute(
        update(Flow)
        .where(col(Flow.id) == flow_id, col(Flow.status) != "active")
        .values(status="active", started_at=now, deadline=deadline_for(kind, now),
                stopped_at=None, stop_reason=None, lost_messages=0),
        execution_options={"synchronize_session": False},
    )
    return touched(result) == 1


def convert_deadlines(s: Session, workspace_id: int, to: str, now: datetime) -> int:
    """On conversion, active flows lose their deadline (to full) or get a fresh one (to limited)."""
    return touched(s.execute(
        update(Flow).where(col(Flow.workspace_id) == workspace_id, col(Flow.status) == "active")
        .values(deadline=deadline_for(to, now)),
        execution_options={"synchronize_session": False},
    )) or 0


def prune_logs(s: Session, now: datetime) -> int:
    """Drop flow-log entries past their workspace's retention, and over its count cap."""
    pruned = 0
    for kind, keep in LOG_RETENTION.items():
        in_kind = col(Event.workspace_id).in_(select(col(Workspace.id)).where(col(Workspace.kind) == kind))
        pruned += touched(s.execute(
            delete(Event).where(col(Event.category) == "log", col(Event.at) < now - keep, in_kind),
            execution_options={"synchronize_session": False},
        )) or 0
        cap = LOG_MAX_ENTRIES.get(kind)
        if cap is None:
            continue
        ranked = (
            select(col(Event.id), func.row_number().over(
                partition_by=col(Event.flow_id), order_by=(col(Event.at).desc(), col(Event.id).desc())
            ).label("rn"))
            .where(col(Event.category) == "log", in_kind)
            .subquery()
        )
        pruned += touched(s.execute(
            delete(Event).where(col(Event.id).in_(select(ranked.c.id).where(ranked.c.rn > cap))),
            execution_options={"synchronize_session": False},
        )) or 0
    return pruned


def sweep(store: Store, now: datetime | None = None) -> SweepResult:
    """One enforcement sweep: stop what is overdue, prune the flow log. Idempotent."""
    def body(s: Session) -> SweepResult:
        at = now or store.now(s)
        rows = stop_overdue(s, at)
        paths = _paths_of_marked(s) if rows else {}
        pruned = prune_logs(s, at)
        s.info["flowdeck_changed"] = bool(rows or pruned)
        return SweepResult(
            stopped=len(rows), lost_messages=sum(r[1] for r in rows), pruned_events=pruned,
            flows=sorted(paths.values()),
        )

    return store.run(body, write=True)
