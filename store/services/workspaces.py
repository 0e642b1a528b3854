"""Workspaces: create, list, rename, convert, delete."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from sqlalchemy import Select, delete, func, select
from sqlmodel import col

from .. import worktime
from ..actions import WORKSPACE_ACTIONS, Subject, offer, refuse
from ..errors import ConfirmationRequired, Conflict, InvalidInput
from ..models import (
    WORKSPACE_KINDS,
    Contract,
    ContractMember,
    ContractRole,
    ContractStatus,
    Credential,
    Event,
    Flow,
    SupportRequest,
    Workspace,
    WorkspaceKind,
    WorkspaceMember,
    WorkspaceRole,
)
from ..names import check_name, name_key, split_path
from ..permissions import PROMOTE_FLOWS
from ..rows import ident
from ..views import DeletionPlan, WorkspaceView
from .base import ServiceBase, Tx, WsScope, reads, writes


def convert(t: Tx, scope: WsScope, to: str) -> int:
    """Change a workspace's kind, moving its active flows' deadlines; returns how many moved."""
    ws = scope.workspace
    moved = worktime.convert_deadlines(t.s, ident(ws), to, t.now)
    old, ws.kind = ws.kind, to
    t.s.add(ws)
    t.event("workspace.converted", workspace=ws, path=scope.path,
            detail={"from": old, "to": to, "active_flows": moved})
    return moved


class WorkspaceService(ServiceBase):
    def _ws_views(self, t: Tx, rows: list[tuple[Contract, Workspace, str | None, str | None]],
                  counts: bool = True) -> list[WorkspaceView]:
        ids = [w.id for _, w, _, _ in rows] if counts else []
        flows: dict[int, int] = {}
        active: dict[int, int] = {}
        creds: dict[int, int] = {}
        creators: dict[int | None, str] = {}
        asking = set(t.s.scalars(select(col(SupportRequest.workspace_id)).where(
            col(SupportRequest.workspace_id).in_([w.id for _, w, _, _ in rows]),
            col(SupportRequest.status) == "open")).all()) if rows else set()
        if ids:
            for wid, n in t.s.execute(select(col(Flow.workspace_id), func.count()).where(
                    col(Flow.workspace_id).in_(ids)).group_by(col(Flow.workspace_id))):
                flows[wid] = n
            for wid, n in t.s.execute(select(col(Flow.workspace_id), func.count()).where(
                    col(Flow.workspace_id).in_(ids), col(Flow.status) == "active"
            ).group_by(col(Flow.workspace_id))):
                active[wid] = n
            for wid, n in t.s.execute(select(col(Credential.workspace_id), func.count()).where(
                    col(Credential.workspace_id).in_(ids)).group_by(col(Credential.workspace_id))):
                creds[wid] = n
        user_ids = {w.created_by_id for _, w, _, _ in rows if w.created_by_id}
        if user_ids:
            creators = self._emails(t, user_ids)
        return [
            WorkspaceView(
                id=ident(w), path=f"{c.name}/{w.name}", name=w.name, contract=c.name, contract_id=ident(c),
                kind=cast(WorkspaceKind, w.kind), role=cast(WorkspaceRole | None, role),
                contract_role=cast(ContractRole | None, crole), created_at=w.created_at,
                created_by=creators.get(w.created_by_id), flows=flows.get(ident(w), 0),
                active_flows=active.get(ident(w), 0), credentials=creds.get(ident(w), 0),
                contract_status=cast(ContractStatus, c.status),
                offer=offer(self._ws_subject(t, c, w, crole, role, workspace_kind=w.kind,
                                             open_request=w.id in asking), WORKSPACE_ACTIONS),
            )
            for c, w, crole, role in rows
        ]

    def _view(self, t: Tx, scope: WsScope, counts: bool = True) -> WorkspaceView:
        return self._ws_views(t, [(scope.contract, scope.workspace, scope.contract_role,
                                   scope.role)], counts)[0]

    def _unique_ws_name(self, t: Tx, contract: Contract, name: str, exclude: int | None = None) -> None:
        clash = t.s.scalars(select(Workspace).where(
            col(Workspace.contract_id) == contract.id, col(Workspace.name_key) == name_key(name))).first()
        if clash is not None and clash.id != exclude:
            raise Conflict(f"contract {contract.name} already has a workspace named {clash.name!r}")

    @writes
    def create_workspace(self, t: Tx, path: str) -> WorkspaceView:
        contract_name, ws_name = split_path(path, 2, "workspace")
        contract, role = self._contract(t, contract_name)
        refuse("workspace.create", self._contract_subject(t, contract, role))
        ws_name = check_name(ws_name, "workspace name")
        self._unique_ws_name(t, contract, ws_name)
        ws = Workspace(contract_id=ident(contract), name=ws_name, name_key=name_key(ws_name),
                       kind="limited", created_by_id=t.actor_id, created_at=t.now)
        t.s.add(ws)
        t.s.flush()
        t.s.add(WorkspaceMember(workspace_id=ident(ws), user_id=t.person_id, role="owner"))
        t.event("workspace.created", workspace=ws, path=f"{contract.name}/{ws_name}",
                detail={"kind": "limited"})
        return self._view(t, WsScope(contract, ws, role, "owner"))

    @reads
    def list_workspaces(self, t: Tx, contract_name: str | None = None) -> list[WorkspaceView]:
        if contract_name:
            contracts = [self._contract(t, contract_name)]
        else:
            q = select(Contract, col(ContractMember.role)).outerjoin(
                ContractMember, (col(ContractMember.contract_id) == col(Contract.id))
                & (col(ContractMember.user_id) == (t.user.id if t.user else -1)))
            if t.user is not None and not t.is_support:
                q = q.where(col(ContractMember.role).is_not(None))
            contracts = list(t.s.execute(q.order_by(col(Contract.name_key))).all())
        rows: list[tuple[Contract, Workspace, str | None, str | None]] = []
        for contract, crole in contracts:
            visible = self._visible_workspace_ids(t, contract, crole)
            wq = (select(Workspace, col(WorkspaceMember.role))
                 .outerjoin(WorkspaceMember, (col(WorkspaceMember.workspace_id) == col(Workspace.id))
                            & (col(WorkspaceMember.user_id) == (t.user.id if t.user else -1)))
                 .where(col(Workspace.id).in_(visible)).order_by(col(Workspace.name_key)))
            rows.extend((contract, w, crole, r) for w, r in t.s.execute(wq).all())
        return self._ws_views(t, rows)

    # -- the workspaces a flow may go to -----------------------------------------
    def workspaces_for_copy(self, path: str) -> list[str]:
        """Other workspaces of the flow's contract the caller could copy into."""
        contract = split_path(path, 3, "flow")[0]
        return [w.path for w in self.list_workspaces(contract)
                if w.may("flow.copy") and w.path != "/".join(path.split("/")[:2])]

    def workspaces_for_promotion(self, path: str) -> list[str]:
        """Other workspaces of the flow's contract the caller could promote it into."""
        contract = path.split("/")[0]
        here = "/".join(path.split("/")[:2])
        return [w.path for w in self.list_workspaces(contract)
                if w.role in PROMOTE_FLOWS.roles and w.path != here]

    @reads
    def get_workspace(self, t: Tx, path: str, *, counts: bool = True) -> WorkspaceView:
        """One workspace; ``counts=False`` skips counting its flows and credentials (zeros)."""
        return self._view(t, self._workspace(t, path), counts)

    @writes
    def rename_workspace(self, t: Tx, path: str, new_name: str) -> WorkspaceView:
        scope = self._workspace(t, path)
        refuse("workspace.rename", self._scope_subject(t, scope))
        new_name = check_name(new_name, "workspace name")
        self._unique_ws_name(t, scope.contract, new_name, exclude=scope.workspace.id)
        old = scope.workspace.name
        scope.workspace.name, scope.workspace.name_key = new_name, name_key(new_name)
        t.s.add(scope.workspace)
        t.event("workspace.renamed", workspace=scope.workspace, path=scope.path,
                detail={"from": old, "to": new_name})
        return self._view(t, scope)

    @writes
    def convert_workspace(self, t: Tx, path: str, to: str) -> WorkspaceView:
        refuse("workspace.convert", Subject(readonly=self.readonly, support=t.is_support))
        to = (to or "").strip().lower()
        if to not in WORKSPACE_KINDS:
            raise InvalidInput(f"--to must be limited or full, not {to!r}")
        scope = self._workspace(t, path)
        refuse("workspace.convert", self._scope_subject(t, scope))
        if scope.workspace.kind == to:
            raise Conflict(f"{scope.path} is already {to}")
        convert(t, scope, to)
        if to == "full":
            for req in t.s.scalars(select(SupportRequest).where(
                    col(SupportRequest.workspace_id) == scope.workspace.id,
                    col(SupportRequest.status) == "open")).all():
                req.status, req.handled_by_id, req.handled_at = "approved", t.actor_id, t.now
                req.decision = "converted by support"
                t.s.add(req)
        return self._view(t, scope)

    # -- deletion --------------------------------------------------------------

    def _plan(self, t: Tx, scope: WsScope) -> DeletionPlan:
        wid = scope.workspace.id

        def count(q: Select[int]) -> int:
            return t.s.scalar(q) or 0

        return DeletionPlan(
            path=scope.path, kind=scope.workspace.kind,
            flows=count(select(func.count()).where(col(Flow.workspace_id) == wid)),
            active_flows=count(select(func.count()).where(col(Flow.workspace_id) == wid,
                                                          col(Flow.status) == "active")),
            credentials=count(select(func.count()).where(col(Credential.workspace_id) == wid)),
            queued_messages=count(select(func.coalesce(func.sum(col(Flow.queued)), 0)).where(
                col(Flow.workspace_id) == wid)),
            log_entries=count(select(func.count()).where(col(Event.workspace_id) == wid,
                                                         col(Event.category) == "log")),
        )

    @reads
    def workspace_deletion_plan(self, t: Tx, path: str) -> DeletionPlan:
        scope = self._workspace(t, path)
        # what a deletion would remove: shown to whoever may delete, in any session
        refuse("workspace.delete", replace(self._scope_subject(t, scope), readonly=False,
                                           suspended=False))
        return self._plan(t, scope)

    @writes
    def delete_workspace(self, t: Tx, path: str, *, yes: bool = False,
                         confirm: str | None = None) -> DeletionPlan:
        """Delete a workspace and all it holds. Full ones need their name typed as ``confirm``."""
        scope = self._workspace(t, path)
        refuse("workspace.delete", self._scope_subject(t, scope))
        plan = self._plan(t, scope)
        ws = scope.workspace
        named = confirm is not None and name_key(confirm) == ws.name_key
        if confirm is not None and not named:
            raise ConfirmationRequired(
                f"the confirmation {confirm!r} does not match the workspace name {ws.name!r}",
                plan, ws.name)
        if ws.kind == "full" and not named:
            raise ConfirmationRequired(
                f"{scope.path} is a Full workspace: type its name to delete it "
                f"({plan.describe()} would go)", plan, ws.name)
        if not (yes or named):
            raise ConfirmationRequired(
                f"deleting {scope.path} removes {plan.describe()}; confirm to go on", plan, ws.name)
        t.s.execute(delete(Event).where(col(Event.workspace_id) == ws.id, col(Event.category) == "log"),
                    execution_options={"synchronize_session": False})
        t.event("workspace.deleted", contract=scope.contract, path=scope.path,
                detail={"kind": ws.kind, "flows": plan.flows, "active_flows": plan.active_flows,
                        "credentials": plan.credentials, "lost_messages": plan.queued_messages})
        t.s.flush()
        t.s.execute(delete(Workspace).where(col(Workspace.id) == ws.id),
                    execution_options={"synchronize_session": False})
        t.s.expunge(ws)
        return plan
