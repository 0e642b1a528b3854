"""Editing a flow's steps, its history of revisions, and going back to an earlier one.

Each edit is one revision (``store.flowdefs.commit``). Step 1 is the flow's
trigger and its only one: it can be neither removed nor moved, nothing moves
onto it, and no second trigger is added. Nothing here touches the flow's
status, start time, deadline or queue: queued messages finish on the
revision they entered with.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from .. import flowdefs
from ..components import component
from ..errors import Conflict, InvalidInput, NotFound
from ..flowdefs import Steps
from ..flowdiff import Difference, diff
from ..models import Credential, Flow, FlowRevision, User
from ..rows import ident
from ..views import FlowView, RevisionView
from .base import Tx, reads, writes
from .flows import FlowService, parse_step

TRIGGER_RULE = "step 1 is the flow's only trigger"


def _position(n: int, steps: Steps, path: str, what: str = "step") -> int:
    if not isinstance(n, int) or not 1 <= n <= len(steps):
        raise NotFound(f"flow {path} has no {what} {n} (it has {len(steps)} steps)")
    return n


class RevisionService(FlowService):
    # -- editing the steps ---------------------------------------------------------------
    @writes
    def add_step(self, t: Tx, path: str, spec: str | tuple[str, str | None],
                 at: int | None = None) -> FlowView:
        """Add an action at the end, or at position ``at`` (2 or later)."""
        scope, flow = self._editable(t, path, "flow.edit")
        comp_name, cred_name = parse_step(spec) if isinstance(spec, str) else spec
        comp = component(comp_name)
        steps = flowdefs.current_steps(t.s, ident(flow))
        full = f"{scope.path}/{flow.name}"
        pos = len(steps) + 1 if at is None else at
        if not isinstance(pos, int) or not 1 <= pos <= len(steps) + 1:
            raise InvalidInput(f"--at {pos}: a step of {full} goes at 2 to {len(steps) + 1}")
        if comp.kind == "trigger":
            raise InvalidInput(f"{comp.name} is a trigger and {TRIGGER_RULE}; add an action "
                               "(transform, http or log)")
        if pos == 1:
            raise InvalidInput(f"{TRIGGER_RULE}; add the step at 2 or later")
        cred_id = self._resolve_credential(t, scope, comp.name, cred_name, pos)
        new = flowdefs.step(comp.name, cred_id, self._credential_name(t, cred_id))
        steps.insert(pos - 1, new)
        self._edited(t, scope, flow, steps, f"added step {pos} ({flowdefs.describe(new)})",
                     {"step": pos, "component": comp.name})
        return self._full_view(t, scope, flow)

    @writes
    def remove_step(self, t: Tx, path: str, n: int) -> FlowView:
        scope, flow = self._editable(t, path, "flow.edit")
        steps = flowdefs.current_steps(t.s, ident(flow))
        full = f"{scope.path}/{flow.name}"
        _position(n, steps, full)
        if n == 1:
            raise InvalidInput(f"{TRIGGER_RULE}: it cannot be removed")
        gone = steps.pop(n - 1)
        self._edited(t, scope, flow, steps, f"removed step {n} ({flowdefs.describe(gone)})",
                     {"step": n, "component": gone["component"]})
        return self._full_view(t, scope, flow)

    @writes
    def move_step(self, t: Tx, path: str, n: int, to: int) -> FlowView:
        scope, flow = self._editable(t, path, "flow.edit")
        steps = flowdefs.current_steps(t.s, ident(flow))
        full = f"{scope.path}/{flow.name}"
        _position(n, steps, full)
        _position(to, steps, full, "position")
        if n == 1:
            raise InvalidInput(f"{TRIGGER_RULE}: it stays first")
        if to == 1:
            raise InvalidInput(f"{TRIGGER_RULE}: no action moves onto it")
        if n == to:
            raise InvalidInput(f"step {n} of {full} is already at {to}")
        moving = steps.pop(n - 1)
        steps.insert(to - 1, moving)
        self._edited(t, scope, flow, steps, f"moved step {n} ({moving['component']}) to {to}",
                     {"step": to, "from": n, "component": moving["component"]})
        return self._full_view(t, scope, flow)

    # -- history and differences --------------------------------------------------------
    @reads
    def flow_history(self, t: Tx, path: str) -> list[RevisionView]:
        """Every revision of the flow, newest first."""
        _, flow = self._flow(t, path)
        rows = t.s.execute(
            select(FlowRevision, col(User.email)).outerjoin(User, col(User.id) == col(FlowRevision.by_id))
            .where(col(FlowRevision.flow_id) == flow.id).order_by(col(FlowRevision.number).desc())).all()
        return [RevisionView(revision=r.number, at=r.at, by=email or "system", change=r.change,
                             type=r.type, steps=[_public_step(x) for x in r.steps])
                for r, email in rows]

    def _definition(self, t: Tx, flow: Flow, number: int | None, path: str
                    ) -> tuple[str, Steps]:
        """A revision's type and steps (None: the current one, credentials named as now)."""
        if number is None or number == flow.revision:
            return flow.type, flowdefs.current_steps(t.s, ident(flow))
        rev = flowdefs.revision(t.s, ident(flow), number)
        if rev is None:
            raise NotFound(f"flow {path} has no revision {number} (it is at {flow.revision})")
        return rev.type, [dict(x) for x in rev.steps]

    @reads
    def diff_flows(self, t: Tx, path: str, other: str | None = None, *,
                   revision: int | None = None, to: int | None = None) -> list[Difference]:
        """What differs, step by step: flow ``path`` (before) against flow ``other`` (after),
        or revision ``revision`` against ``to`` (default: the current one), or, with neither,
        the flow's last change. Credentials by name; never a secret."""
        if other is not None and (revision is not None or to is not None):
            raise InvalidInput("compare two flows, or two revisions of one, not both")
        if to is not None and revision is None:
            raise InvalidInput("--to needs --revision")
        scope, flow = self._flow(t, path)
        full = f"{scope.path}/{flow.name}"
        if other is not None:
            _, flow2 = self._flow(t, other)
            return diff(flow.type, flowdefs.current_steps(t.s, ident(flow)), flow2.type,
                        flowdefs.current_steps(t.s, ident(flow2)))
        if revision is None:
            if flow.revision == 1:
                return []
            revision = flow.revision - 1
        before = self._definition(t, flow, revision, full)
        after = self._definition(t, flow, to, full)
        return diff(before[0], before[1], after[0], after[1])

    # -- going back -----------------------------------------------------------------------
    @writes
    def rollback_flow(self, t: Tx, path: str, number: int) -> FlowView:
        """A new revision equal to revision ``number``; refused, naming the step, if a
        credential it used is gone."""
        scope, flow = self._editable(t, path, "flow.rollback")
        full = f"{scope.path}/{flow.name}"
        if number == flow.revision:
            raise Conflict(f"revision {number} is the current revision of {full}")
        flow_type, steps = self._definition(t, flow, number, full)
        for pos, x in enumerate(steps, start=1):
            if not x.get("credential_id"):
                continue
            cred = t.s.get(Credential, x["credential_id"])
            if cred is None or cred.workspace_id != flow.workspace_id or \
                    cred.component != x["component"]:
                raise InvalidInput(
                    f"step {pos} ({x['component']}) of revision {number} used credential "
                    f"{x.get('credential')!r}, which is gone from {scope.path}; add it again "
                    "or edit the flow instead")
            x["credential"] = cred.name
        self._type_may_change(flow, flow_type, full)
        change = f"rolled back to revision {number}"
        new = flowdefs.commit(t, flow, steps, flow_type, change)
        t.event("flow.rolled_back", flow=flow, path=full,
                detail={"to": number, "revision": new, "change": change})
        return self._full_view(t, scope, flow)

    @staticmethod
    def _type_may_change(flow: Flow, flow_type: str, full: str) -> None:
        if flow.status == "active" and flow.type != flow_type:
            raise Conflict(f"flow {full} is active and this would switch it from {flow.type} to "
                           f"{flow_type}; stop it first (a running flow keeps its type)")


def _public_step(x: dict[str, Any]) -> dict[str, Any]:
    """A step of a revision as history shows it (no ids; settings as a diff shows them)."""
    from ..flowdiff import shown

    return shown(x)
