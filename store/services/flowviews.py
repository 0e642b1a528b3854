"""Reading flows: one flow in full, or a page of a long list."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Select, and_, func, or_, select
from sqlmodel import col

from ..actions import FLOW_ACTIONS, NO_OFFER, STEP_ACTIONS, Offer, offer
from ..components import COMPONENTS
from ..errors import InvalidInput
from ..models import (
    Contract,
    ContractMember,
    Credential,
    Flow,
    FlowStatus,
    FlowStep,
    FlowType,
    Message,
    StopReason,
    Workspace,
    WorkspaceKind,
    WorkspaceMember,
)
from ..names import name_key
from ..permissions import REVEAL_CREDENTIALS
from ..rows import ident
from ..views import FlowView, StepView
from .base import ServiceBase, Tx, WsScope

#: sort key -> (column, ascending by default) pairs, most significant first
SORTS = {
    "name": ((col(Flow.name_key), True),),
    "status": ((col(Flow.status), True), (col(Flow.name_key), True)),
    "deadline": ((col(Flow.deadline).is_(None), True), (col(Flow.deadline), True), (col(Flow.name_key),
                                                                                    True)),
    "queued": ((col(Flow.queued), False), (col(Flow.name_key), True)),
    "started": ((col(Flow.started_at), False), (col(Flow.name_key), True)),
    "type": ((col(Flow.type), True), (col(Flow.name_key), True)),
}


def remaining(flow: Flow, now: datetime) -> int | None:
    if flow.status != "active" or flow.deadline is None:
        return None
    return max(0, int((flow.deadline - now).total_seconds()))


def webhook_path(flow: Flow, steps: list[StepView] | None, role: str | None) -> str | None:
    """``/hooks/<token>`` of a webhook-triggered flow, for those who may see its secrets."""
    if not steps or steps[0].component != "webhook" or not flow.webhook_token:
        return None
    return f"/hooks/{flow.webhook_token}" if role in REVEAL_CREDENTIALS.roles else None


def flow_view(flow: Flow, contract: Contract, ws: Workspace, now: datetime,
              steps: list[StepView] | None = None, role: str | None = None,
              older: int = 0, allowed: Offer = NO_OFFER) -> FlowView:
    return FlowView(
        id=ident(flow), path=f"{contract.name}/{ws.name}/{flow.name}", name=flow.name,
        contract=contract.name, workspace=ws.name, workspace_id=ident(ws),
        workspace_kind=cast(WorkspaceKind, ws.kind), status=cast(FlowStatus, flow.status),
        type=cast(FlowType, flow.type), started_at=flow.started_at, deadline=flow.deadline,
        remaining_seconds=remaining(flow, now), stopped_at=flow.stopped_at,
        stop_reason=cast(StopReason | None, flow.stop_reason), queued_messages=flow.queued,
        lost_messages=flow.lost_messages if flow.status == "stopped" else 0,
        steps=steps or [], role=role, created_at=flow.created_at, revision=flow.revision,
        queued_on_older_revisions=older,
        webhook_path=webhook_path(flow, steps, role), offer=allowed,
    )


class FlowReading(ServiceBase):
    def _flow_view(self, t: Tx, flow: Flow, contract: Contract, ws: Workspace,
                   steps: list[StepView], role: str | None, older: int = 0) -> FlowView:
        """A flow with what the caller may do with it now (``store/actions.py``)."""
        subject = self._ws_subject(t, contract, ws, None, role,
                                   path=f"{contract.name}/{ws.name}/{flow.name}",
                                   flow_status=flow.status, stop_reason=flow.stop_reason)
        return flow_view(flow, contract, ws, t.now, steps, role, older,
                         offer(subject, FLOW_ACTIONS))

    def _steps(self, t: Tx, flow_ids: list[int], scope: WsScope | None = None
               ) -> dict[int, list[StepView]]:
        """The steps of flows; with the flows' ``scope`` (one workspace), what the caller may
        do with each."""
        if not flow_ids:
            return {}
        queued = dict(  # a step's queue: messages at it on the flow's current revision
            ((fid, pos), n) for fid, pos, n in t.s.execute(
                select(col(Message.flow_id), col(Message.step), func.count())
                .join(Flow, col(Flow.id) == col(Message.flow_id))
                .where(col(Message.flow_id).in_(flow_ids), col(Message.revision) == col(Flow.revision))
                .group_by(col(Message.flow_id), col(Message.step)))
        )
        rows = t.s.execute(
            select(FlowStep, col(Credential.name)).outerjoin(
                Credential, col(Credential.id) == col(FlowStep.credential_id))
            .where(col(FlowStep.flow_id).in_(flow_ids)).order_by(col(FlowStep.flow_id),
                                                                 col(FlowStep.position))
        ).all()
        out: dict[int, list[StepView]] = {}
        for step, cred_name in rows:
            comp = COMPONENTS.get(step.component)
            allowed = NO_OFFER if scope is None else offer(self._scope_subject(
                t, scope, step=step.position, component=step.component), STEP_ACTIONS)
            out.setdefault(step.flow_id, []).append(StepView(
                position=step.position, component=step.component, credential=cred_name,
                settings=dict(step.settings or {}), queued=queued.get((step.flow_id, step.position), 0),
                kind=comp.kind if comp else "action", offer=allowed))
        return out

    def _visible_workspaces(self, t: Tx) -> Select[int | None]:
        q = select(col(Workspace.id))
        if t.user is None or t.is_support:
            return q
        admin_of = select(col(ContractMember.contract_id)).where(
            col(ContractMember.user_id) == t.user.id, col(ContractMember.role).in_(("owner", "admin")))
        member_of = select(col(WorkspaceMember.workspace_id)).where(col(WorkspaceMember.user_id) == t.user.id)
        return q.where(or_(col(Workspace.contract_id).in_(admin_of), col(Workspace.id).in_(member_of)))

    def _flow_query(self, t: Tx, scope: str | None, search: str | None, status: str | None
                    ) -> Select[Flow, Workspace, Contract, str]:
        uid = t.user.id if t.user else -1
        q = (select(Flow, Workspace, Contract, col(WorkspaceMember.role))
             .join(Workspace, col(Workspace.id) == col(Flow.workspace_id))
             .join(Contract, col(Contract.id) == col(Workspace.contract_id))
             .outerjoin(WorkspaceMember, and_(col(WorkspaceMember.workspace_id) == col(Workspace.id),
                                              col(WorkspaceMember.user_id) == uid)))
        if scope:
            parts = scope.split("/")
            if len(parts) == 1:
                contract, crole = self._contract(t, parts[0])
                q = q.where(col(Workspace.id).in_(self._visible_workspace_ids(t, contract, crole)))
            elif len(parts) == 2:
                ws = self._workspace(t, scope)
                q = q.where(col(Flow.workspace_id) == ws.workspace.id)
            else:
                raise InvalidInput(f"{scope!r} must be CONTRACT or CONTRACT/WORKSPACE")
        else:
            q = q.where(col(Workspace.id).in_(self._visible_workspaces(t)))
        if search:
            q = q.where(col(Flow.name_key).contains(name_key(search), autoescape=True))
        if status:
            if status not in ("inactive", "active", "stopped"):
                raise InvalidInput(f"status {status!r} is not inactive, active or stopped")
            q = q.where(col(Flow.status) == status)
        return q

    def _page(self, t: Tx, scope: str | None = None, *, search: str | None = None,
              status: str | None = None, sort: str = "name", descending: bool = False,
              offset: int = 0, limit: int | None = None, with_steps: bool = True) -> list[FlowView]:
        q = self._flow_query(t, scope, search, status)
        if sort not in SORTS:
            raise InvalidInput(f"cannot sort by {sort!r}; sort by {', '.join(SORTS)}")
        pairs = list(SORTS[sort])
        if sort == "name" and (not scope or "/" not in scope):
            pairs = [(col(Contract.name_key), True), (col(Workspace.name_key), True), *pairs]
        order = [col.asc() if asc != descending else col.desc() for col, asc in pairs]
        q = q.order_by(*order, col(Flow.id).desc() if descending else col(Flow.id)).offset(max(0, offset))
        if limit is not None:
            q = q.limit(max(0, limit))
        rows = t.s.execute(q).all()
        ids = [f.id for f, *_ in rows]
        steps = self._steps(t, ids) if with_steps else {}
        older = self._older(t, ids) if with_steps else {}
        return [self._flow_view(t, f, c, w, steps.get(f.id, []), role, older.get(f.id, 0))
                for f, w, c, role in rows]

    def _older(self, t: Tx, flow_ids: list[int]) -> dict[int, int]:
        """Messages of each flow still on an earlier revision than the flow's current one."""
        if not flow_ids:
            return {}
        return dict(t.s.execute(
            select(col(Message.flow_id), func.count()).join(Flow, col(Flow.id) == col(Message.flow_id))
            .where(col(Message.flow_id).in_(flow_ids), col(Message.revision) != col(Flow.revision))
            .group_by(col(Message.flow_id))).all())

    def _count_flows(self, t: Tx, scope: str | None = None, *, search: str | None = None,
                     status: str | None = None) -> int:
        if scope and scope.count("/") == 1:  # one workspace: count its flows, no joins
            ws = self._workspace(t, scope).workspace
            q = select(func.count()).select_from(Flow).where(col(Flow.workspace_id) == ws.id)
            if search:
                q = q.where(col(Flow.name_key).contains(name_key(search), autoescape=True))
            if status:
                self._flow_query(t, scope, None, status)  # the same check of the status word
                q = q.where(col(Flow.status) == status)
            return t.s.scalar(q) or 0
        q = self._flow_query(t, scope, search, status).with_only_columns(col(Flow.id))
        return self._count(t, q)

    def _full_view(self, t: Tx, scope: WsScope, flow: Flow) -> FlowView:
        steps = self._steps(t, [ident(flow)], scope).get(ident(flow), [])
        older = self._older(t, [ident(flow)]).get(ident(flow), 0)
        return self._flow_view(t, flow, scope.contract, scope.workspace, steps, scope.role, older)
