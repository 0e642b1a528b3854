"""Starting, stopping and restarting several flows as one change (DESIGN section 2c).

The caller names flows (paths or ids), or asks for every flow of a contract or
workspace that matches filters (status, stop reason, workspace kind). Every
flow is checked first, in order: the caller's permission in its workspace, a
suspended contract, a conflict (starting an active flow, stopping one that is
not). The first refusal names its flow and nothing changes. Then the change
is set-based: one conditional UPDATE stops what is active (``flow.stopped``
with ``lost_messages``, one event per flow), one per workspace kind starts
(``flow.started``), all in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col

from .. import worktime
from ..actions import Subject, refusal
from ..errors import Conflict, InvalidInput, NotFound
from ..models import (
    FLOW_STATUSES,
    STOP_REASONS,
    Contract,
    Flow,
    FlowStatus,
    Workspace,
    WorkspaceKind,
    WorkspaceMember,
)
from ..names import name_key, split_path
from ..permissions import require_writable
from ..rows import id_col
from ..views import FlowRunResult, FlowRunView
from .base import Tx, reads, writes
from .flowviews import FlowReading

ACTIONS = ("start", "stop", "restart")
STATUSES = FLOW_STATUSES  # the --status words: the store's own
KINDS = ("limited", "full")
OUTCOMES = {"start": "started", "stop": "stopped", "restart": "restarted"}

#: ids per IN list when flows are named by id (well under every backend's limit)
_CHUNK = 5_000


@dataclass(frozen=True)
class _Target:
    id: int
    path: str
    workspace: str  # its workspace's path
    kind: WorkspaceKind
    status: FlowStatus
    stop_reason: str | None
    queued: int
    role: str | None
    contract: Contract


def _choice(value: str | None, allowed: Sequence[str], what: str) -> str | None:
    if value is None:
        return None
    word = value.strip().lower().replace(" ", "_")
    if word not in allowed:
        raise InvalidInput(f"{what} {value!r} is not {', '.join(allowed[:-1])} or {allowed[-1]}")
    return word


def picked_statuses(action: str, status: str | None, stop_reason: str | None) -> tuple[str, ...]:
    """The statuses a filtered ``action`` picks: the flows it makes sense for, narrowed by
    ``status`` and ``stop_reason`` (refused where the two cannot meet)."""
    natural = {"start": ("inactive", "stopped"), "stop": ("active",),
               "restart": ("active", "stopped")}[action]
    if stop_reason is not None:
        if status not in (None, "stopped"):
            raise InvalidInput(f"only stopped flows have a stop reason; {status} flows have none")
        status = "stopped"
    if status is None:
        return natural
    if status not in natural:
        raise InvalidInput({
            "start": "active flows are already started; restart them for a fresh work time",
            "stop": f"only active flows can be stopped; {status} flows are not running",
        }.get(action, f"cannot {action} {status} flows"))
    return (status,)


def _chunks(items: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


class FlowRunService(FlowReading):
    @writes
    def run_flows(self, t: Tx, action: str, paths: Sequence[str] | None = None, *,
                  ids: Sequence[int] | None = None, scope: str | None = None,
                  status: str | None = None, stop_reason: str | None = None,
                  kind: str | None = None) -> FlowRunView:
        """Start, stop or restart the named flows (``paths`` or ``ids``), or every flow in
        ``scope`` (a contract or workspace) matching the filters: all of them or none."""
        return self._run(t, action, paths, ids, scope, status, stop_reason, kind)

    @reads
    def plan_flows(self, t: Tx, action: str, paths: Sequence[str] | None = None, *,
                   ids: Sequence[int] | None = None, scope: str | None = None,
                   status: str | None = None, stop_reason: str | None = None,
                   kind: str | None = None) -> FlowRunView:
        """What ``run_flows`` with the same request would do (refused the same way); nothing
        changes. A confirmation says its numbers."""
        require_writable(self.readonly)
        targets = self._targets(t, action, paths, ids, scope, status, stop_reason, kind)
        lost = {x.id: x.queued for x in targets if x.status == "active" and action != "start"}
        return self._answer(t.now, action, targets, lost, done=False)

    @reads
    def flow_ids(self, t: Tx, scope: str, *, status: str | None = None,
                 stop_reason: str | None = None) -> list[int]:
        """The ids of the flows of ``scope`` (a contract or workspace) with that status and
        stop reason: what a list marks at once without reading its rows."""
        q = self._flow_query(t, scope, None, _choice(status, STATUSES, "status")).with_only_columns(
            id_col(Flow.id))
        if stop_reason is not None:
            q = q.where(col(Flow.stop_reason) == _choice(stop_reason, STOP_REASONS, "stop reason"))
        return list(t.s.scalars(q.order_by(col(Flow.id))))

    # -- the one way flows start and stop at a person's request ---------------------------
    def _run(self, t: Tx, action: str, paths: Sequence[str] | None = None,
             ids: Sequence[int] | None = None, scope: str | None = None,
             status: str | None = None, stop_reason: str | None = None,
             kind: str | None = None) -> FlowRunView:
        targets = self._targets(t, action, paths, ids, scope, status, stop_reason, kind)
        if not targets:
            return self._answer(t.now, action, [], {}, done=True)
        chosen = worktime.choose(t.s, [x.id for x in targets])
        lost: dict[int, int] = {}
        if action in ("stop", "restart"):
            lost = {fid: n for fid, n, _ in worktime.stop_flows(t.s, chosen, t.now, t.actor_id)}
            if action == "stop":
                self._all_changed(targets, set(lost), "stopped")
        if action in ("start", "restart"):
            started = set(worktime.start_flows(t.s, chosen, t.now, t.actor_id))
            self._all_changed(targets, started, "started")
        t.s.expire_all()  # the ORM's copies of these flows are stale now
        return self._answer(t.now, action, targets, lost, done=True)

    @staticmethod
    def _all_changed(targets: list[_Target], changed: set[int], verb: str) -> None:
        """Another process changed a flow between the checks and the update: all or none."""
        for x in targets:
            if x.id not in changed:
                raise Conflict(f"flow {x.path} changed while it was being {verb}; nothing "
                               "changed, try again")

    def _answer(self, now: datetime, action: str, targets: list[_Target], lost: dict[int, int],
                *, done: bool) -> FlowRunView:
        results = []
        for x in targets:
            deadline = None if action == "stop" else worktime.deadline_for(x.kind, now)
            results.append(FlowRunResult(
                id=x.id, path=x.path, workspace_kind=x.kind, outcome=OUTCOMES[action],
                before=x.status, status="stopped" if action == "stop" else "active",
                deadline=deadline,
                remaining_seconds=int((deadline - now).total_seconds()) if deadline else None,
                lost_messages=lost.get(x.id, 0)))
        return FlowRunView(action=action, flows=results, changed=len(results),
                           lost_messages=sum(r.lost_messages for r in results), done=done)

    # -- which flows, and may they -------------------------------------------------------
    def _targets(self, t: Tx, action: str, paths: Sequence[str] | None, ids: Sequence[int] | None,
                 scope: str | None, status: str | None, stop_reason: str | None,
                 kind: str | None) -> list[_Target]:
        if action not in ACTIONS:
            raise InvalidInput(f"an action is start, stop or restart, not {action!r}")
        named = bool(paths) or bool(ids)
        filtered = scope is not None or any(v is not None for v in (status, stop_reason, kind))
        if named and filtered:
            raise InvalidInput("name the flows, or give a contract or workspace with filters; "
                               "not both")
        if not named and scope is None:
            raise InvalidInput("name the flows, or a contract or workspace to pick them from")
        if named:
            targets = self._named(t, list(paths or []), list(ids or []))
        else:
            assert scope is not None  # neither named nor scoped is refused above
            targets = self._filtered(t, action, scope, _choice(status, STATUSES, "status"),
                                     _choice(stop_reason, STOP_REASONS, "stop reason"),
                                     _choice(kind, KINDS, "workspace kind"))
        many = filtered or len(targets) > 1
        for x in targets:
            self._check(t, action, x, many)
        return targets

    def _check(self, t: Tx, action: str, x: _Target, many: bool) -> None:
        """The refusal of ``store/actions.py`` for this flow (a permission or a suspended
        contract prefixed with the flow's path when several are asked for)."""
        refused = refusal(f"flow.{action}", Subject(
            where=x.workspace, path=x.path, readonly=self.readonly, support=t.is_support,
            contract=x.contract.name, suspended=x.contract.status == "suspended", role=x.role,
            flow_status=x.status, stop_reason=x.stop_reason))
        if refused is None:
            return
        if many and x.path not in refused.message:  # a state's refusal names the flow already
            raise type(refused)(f"{x.path}: {refused.message}")
        raise type(refused)(refused.message)

    _COLUMNS = (col(Flow.id), col(Flow.name), col(Flow.name_key), col(Flow.status), col(Flow.stop_reason),
                col(Flow.queued),
                col(Workspace.name), col(Workspace.kind), Contract, col(WorkspaceMember.role))

    @staticmethod
    def _target(row: Sequence[Any]) -> _Target:
        fid, name, _key, status, reason, queued, ws_name, kind, contract, role = row
        ws = f"{contract.name}/{ws_name}"
        return _Target(fid, f"{ws}/{name}", ws, kind, status, reason, queued, role, contract)

    def _filtered(self, t: Tx, action: str, scope: str, status: str | None, stop_reason: str | None,
                  kind: str | None) -> list[_Target]:
        if scope.count("/") > 1:
            raise InvalidInput(f"{scope!r} must be CONTRACT or CONTRACT/WORKSPACE")
        q = (self._flow_query(t, scope, None, None).with_only_columns(*self._COLUMNS)
             .where(col(Flow.status).in_(picked_statuses(action, status, stop_reason))))
        if stop_reason is not None:
            q = q.where(col(Flow.stop_reason) == stop_reason)
        if kind is not None:
            q = q.where(col(Workspace.kind) == kind)
        q = q.order_by(col(Contract.name_key), col(Workspace.name_key), col(Flow.name_key))
        return [self._target(r) for r in t.s.execute(q)]

    def _named(self, t: Tx, paths: list[str], ids: list[int]) -> list[_Target]:
        found: dict[int, _Target] = {}
        # paths: each workspace resolved once, its named flows read in one query
        wanted: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for path in paths:
            c, w, f = split_path(path, 3, "flow")
            wanted.setdefault((c, w), []).append((path, name_key(f)))
        by_path: dict[str, _Target] = {}
        for (c, w), names in wanted.items():
            rows = t.s.execute(
                self._flow_query(t, f"{c}/{w}", None, None).with_only_columns(*self._COLUMNS)
                .where(col(Flow.name_key).in_({k for _, k in names}))).all()
            keyed = {r[2]: self._target(r) for r in rows}
            for path, key in names:
                if key not in keyed:
                    raise NotFound(f"no flow {path!r}")
                by_path[path] = keyed[key]
        by_id: dict[int, _Target] = {}
        wanted_ids = [int(i) for i in ids]
        for chunk in _chunks(wanted_ids):
            q = (self._flow_query(t, None, None, None).with_only_columns(*self._COLUMNS)
                 .where(col(Flow.id).in_(chunk)))
            by_id.update((r[0], self._target(r)) for r in t.s.execute(q))
        for fid in wanted_ids:
            if fid not in by_id:
                raise NotFound(f"no flow with id {fid}")
        # in the order asked, each flow once
        for x in [by_path[p] for p in paths] + [by_id[i] for i in wanted_ids]:
            found.setdefault(x.id, x)
        return list(found.values())
