"""Helpers for the store's tests: raw row counts and flow-log entries.

These read the tables directly, under the services, so a test can check
what a service left behind (or did not); ``to_full`` and ``events`` are two
shortcuts through the services that the work-time tests share.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, inspect, select, text

from store.engine import Store
from store.models import Event, Flow, Message


def count(store: Store, model, *where) -> int:
    """Rows of ``model`` matching ``where``, read directly from the tables."""
    return store.run(
        lambda s: s.scalar(select(func.count()).select_from(model).where(*where)) or 0,
        write=False)


def table_counts(store: Store) -> dict[str, int]:
    """Rows in every table of the store."""
    def body(s):
        names = inspect(s.connection()).get_table_names()
        return {n: s.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}

    return store.run(body, write=False)


def overdue_active(store: Store, now: datetime) -> int:
    """Flows still marked active although their deadline has come (raw, no sweep)."""
    return count(store, Flow, Flow.status == "active", Flow.deadline.is_not(None),
                 Flow.deadline <= now)


def queued_rows(store: Store, flow_id: int) -> int:
    return count(store, Message, Message.flow_id == flow_id)


def add_log_entries(store: Store, flow_view, contract_id: int, times: list[datetime],
                    kind: str = "flow.executed") -> None:
    """Write flow-log entries for a flow, as the runtime and `log` steps do."""
    rows = [
        dict(at=at, actor_id=None, kind=kind, category="log", contract_id=contract_id,
             workspace_id=flow_view.workspace_id, flow_id=flow_view.id, path=flow_view.path,
             detail={"n": i})
        for i, at in enumerate(times)
    ]
    store.run(lambda s: s.execute(insert(Event), rows), write=True)


def log_times(store: Store, flow_id: int) -> list[datetime]:
    """The times of a flow's log entries, newest first."""
    return store.run(lambda s: list(s.scalars(
        select(Event.at).where(Event.flow_id == flow_id, Event.category == "log")
        .order_by(Event.at.desc()))), write=False)


def to_full(w, ws: str = "Acme/Staging") -> None:
    """Support converts the world's workspace ``ws`` to Full."""
    w.as_("support").convert_workspace(ws, "full")


def events(fd, path: str, kind: str) -> list:
    """The events of one ``kind`` at ``path`` as the caller ``fd`` sees them, newest first."""
    return fd.list_events(path, kinds=[kind], limit=1000)
