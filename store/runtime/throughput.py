"""Messages processed per flow and minute: one small counter row per flow and minute.

The counters outlive the flow log (which limited workspaces prune hard), so
"messages per minute" stays true however busy a flow is. Several workers
add to the same row safely: the increment is one upsert.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from ..models import FlowThroughput
from ..policy import THROUGHPUT_KEEP
from ..rows import table_of, touched

MINUTE = timedelta(minutes=1)


def minute_of(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def count(s: Session, flow_id: int, at: datetime, *, processed: int = 0, failed: int = 0) -> None:
    """Add to the counters of ``flow_id`` for the minute of ``at``."""
    minute = minute_of(at)
    table = table_of(FlowThroughput)
    dialect = s.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]  # same call
        stmt = insert(table).values(flow_id=flow_id, minute=minute, processed=processed,
                                    failed=failed)
        stmt = stmt.on_conflict_do_update(
            index_elements=["flow_id", "minute"],
            set_={"processed": table.c.processed + processed, "failed": table.c.failed + failed})
        s.execute(stmt)
        return
    done = touched(s.execute(update(table).where(table.c.flow_id == flow_id, table.c.minute == minute)
                             .values(processed=table.c.processed + processed,
                                     failed=table.c.failed + failed)))
    if not done:
        s.execute(table.insert().values(flow_id=flow_id, minute=minute, processed=processed,
                                        failed=failed))


def series(s: Session, flow_id: int, now: datetime, minutes: int) -> list[int]:
    """Messages processed in each of the last ``minutes`` minutes, oldest first, ending now."""
    last = minute_of(now)
    first = last - MINUTE * (minutes - 1)
    rows: dict[datetime, int] = dict(s.execute(
        select(col(FlowThroughput.minute), col(FlowThroughput.processed))
        .where(col(FlowThroughput.flow_id) == flow_id, col(FlowThroughput.minute) >= first)).all())
    return [rows.get(first + MINUTE * i, 0) for i in range(minutes)]


def rates(s: Session, flow_ids: list[int], now: datetime, minutes: int) -> dict[int, float]:
    """Average messages per minute of each flow over the last ``minutes`` minutes."""
    if not flow_ids:
        return {}
    first = minute_of(now) - MINUTE * (minutes - 1)
    rows = s.execute(
        select(col(FlowThroughput.flow_id), func.sum(col(FlowThroughput.processed)))
        .where(col(FlowThroughput.flow_id).in_(flow_ids), col(FlowThroughput.minute) >= first)
        .group_by(col(FlowThroughput.flow_id))).all()
    found = {fid: (total or 0) / minutes for fid, total in rows}
    return {fid: found.get(fid, 0.0) for fid in flow_ids}


def prune(s: Session, now: datetime) -> int:
    return touched(s.execute(
        delete(FlowThroughput).where(col(FlowThroughput.minute) < now - THROUGHPUT_KEEP),
        execution_options={"synchronize_session": False})) or 0
