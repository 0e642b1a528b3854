"""The rules a store must keep whatever happened to the processes using it (DESIGN section 2).

``problems(store, now)`` reads the tables directly (no sweep first) and lists
every broken rule in words; an empty list means the store is sound:

- no flow is active past its deadline (meant to be read after a sweep at ``now``);
- every flow stopped by the work-time limit has exactly one ``flow.auto_stopped``
  event at its ``stopped_at``, and no flow has two auto-stops at one instant;
- a flow that is not active has no queued message;
- every flow's ``queued`` counter equals the messages it holds.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from store.clock import utc
from store.engine import Store
from store.models import Event, Flow, Message


def problems(store: Store, now: datetime | None = None) -> list[str]:
    def read(s):
        flows = s.execute(select(Flow.id, Flow.name, Flow.status, Flow.deadline, Flow.stop_reason,
                                 Flow.stopped_at, Flow.queued)).all()
        held = dict(s.execute(select(Message.flow_id, func.count()).group_by(Message.flow_id)).all())
        stops = s.execute(select(Event.flow_id, Event.at)
                          .where(Event.kind == "flow.auto_stopped")).all()
        return flows, held, stops

    flows, held, stops = store.run(read, write=False)
    found: list[str] = []
    per_instant = Counter((fid, utc(at)) for fid, at in stops)
    for (fid, at), n in per_instant.items():
        if n > 1:
            found.append(f"flow {fid} has {n} flow.auto_stopped events at {at}")
    for fid, name, status, deadline, reason, stopped_at, queued in flows:
        if now is not None and status == "active" and deadline is not None and deadline <= now:
            found.append(f"flow {name} is active past its deadline {deadline}")
        if status == "stopped" and reason == "work_time_limit" \
                and per_instant.get((fid, utc(stopped_at)), 0) != 1:
            found.append(f"flow {name} stopped by the work-time limit at {stopped_at} has "
                         f"{per_instant.get((fid, utc(stopped_at)), 0)} flow.auto_stopped events then")
        if status != "active" and held.get(fid, 0):
            found.append(f"flow {name} is {status} but holds {held[fid]} queued messages")
        if queued != held.get(fid, 0):
            found.append(f"flow {name} counts {queued} queued messages but holds {held.get(fid, 0)}")
    return found


def auto_stops(store: Store) -> Counter:
    """How many ``flow.auto_stopped`` events each flow (by path) has."""
    rows = store.run(lambda s: s.execute(
        select(Event.path).where(Event.kind == "flow.auto_stopped")).scalars().all(), write=False)
    return Counter(rows)


def sqlite_integrity(path) -> str:
    """``PRAGMA integrity_check`` of a SQLite file, from a connection of its own."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(str(path))) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
