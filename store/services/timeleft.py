"""What stops next: every active Limited flow the caller can see, soonest deadline first.

Across contracts, or within one contract or workspace; narrowed to the flows
stopping within a duration, or to paths containing a text. The store sorts,
counts and pages (like the workspace's flow list), so the first page of a
store of a million flows is one short walk of the ``(status, deadline)`` index.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, literal, select
from sqlmodel import col

from ..errors import InvalidInput
from ..models import Contract, Flow, Workspace
from ..names import name_key
from ..views import FlowView
from .base import Tx, reads
from .flowviews import FlowReading

_DURATION = re.compile(r"(?:(\d{1,6})d)?(?:(\d{1,7})h)?(?:(\d{1,9})m)?(?:(\d{1,10})s)?")
_LONGEST = timedelta(days=3650)


def parse_duration(text: str) -> timedelta:
    """'1h', '30m', '90s', '1h30m', '2d': a positive duration, or InvalidInput."""
    shown = (text or "").strip()
    match = _DURATION.fullmatch(shown.lower())
    if not shown or match is None or not any(match.groups()):
        raise InvalidInput(f"{text!r} is not a duration such as 1h, 30m, 90s or 1h30m")
    d, h, m, s = (int(g or 0) for g in match.groups())
    if d * 86400 + h * 3600 + m * 60 + s > _LONGEST.total_seconds():
        raise InvalidInput(f"{text!r} is longer than {_LONGEST.days} days")
    duration = timedelta(days=d, hours=h, minutes=m, seconds=s)
    if duration <= timedelta(0):
        raise InvalidInput(f"{text!r} is no time at all; give a duration such as 1h or 30m")
    return duration


def _within(within: timedelta | int | str | None) -> timedelta | None:
    if within is None or isinstance(within, timedelta):
        return within
    if isinstance(within, str):
        return parse_duration(within)
    return timedelta(seconds=int(within))


class TimeLeftReading(FlowReading):
    @reads
    def time_left_page(self, t: Tx, scope: str | None = None, *,
                       within: timedelta | int | str | None = None, search: str | None = None,
                       offset: int = 0, limit: int | None = 100, with_count: bool = True
                       ) -> tuple[int | None, list[FlowView]]:
        """Active Limited flows (all the caller can see, or those of ``scope``), soonest
        deadline first: the size of the set (optionally) and one page of it. ``within``
        keeps those stopping within that long; ``search`` those whose path contains it."""
        span = _within(within)
        q = self._flow_query(t, scope, None, "active").where(col(Flow.deadline).is_not(None))
        if span is not None:
            q = q.where(col(Flow.deadline) <= t.now + span)
        if search and search.strip():
            path = (col(Contract.name_key) + literal("/") + col(Workspace.name_key) + literal("/")
                    + col(Flow.name_key))
            q = q.where(path.contains(name_key(search.strip()), autoescape=True))
        count = self._count_time_left(t, scope, span) if with_count and not search else (
            self._count(t, q.with_only_columns(col(Flow.id))) if with_count else None)
        q = q.order_by(col(Flow.deadline), col(Flow.id)).offset(max(0, offset))
        if limit is not None:
            q = q.limit(max(0, limit))
        # each with what the caller may do with it (restart, stop: the time-left screen's keys)
        return count, [self._flow_view(t, f, c, w, [], role) for f, w, c, role in t.s.execute(q)]

    def _count_time_left(self, t: Tx, scope: str | None, span: timedelta | None) -> int:
        """The count without joins: flows of the visible workspaces, by the index."""
        if scope is None:
            visible = self._visible_workspaces(t)
        elif "/" in scope:
            visible = select(literal(self._workspace(t, scope).workspace.id))
        else:
            contract, role = self._contract(t, scope)
            visible = self._visible_workspace_ids(t, contract, role)
        q = select(func.count()).select_from(Flow).where(
            col(Flow.status) == "active", col(Flow.deadline).is_not(None),
            col(Flow.workspace_id).in_(visible))
        if span is not None:
            q = q.where(col(Flow.deadline) <= t.now + span)
        return t.s.scalar(q) or 0
