"""Members of contracts and of workspaces, and the last-owner rule."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import col

from ..actions import NO_OFFER, Offer, offer, refuse
from ..errors import Conflict, InvalidInput, NotFound, RuleViolation
from ..models import (
    CONTRACT_ROLES,
    WORKSPACE_ROLES,
    Contract,
    ContractMember,
    User,
    Workspace,
    WorkspaceMember,
)
from ..names import check_email
from ..rows import ident, touched
from ..views import MemberView
from .base import ServiceBase, Tx, WsScope, reads, writes


def _view(user: User, role: str, allowed: Offer = NO_OFFER) -> MemberView:
    return MemberView(email=user.email, name=user.name, role=role, support=user.support,
                      offer=allowed)


def _role(role: str, allowed: tuple[str, ...], where: str) -> str:
    role = (role or "").strip().lower()
    if role not in allowed:
        raise InvalidInput(f"{role!r} is not a {where} role; roles are {', '.join(allowed)}")
    return role


class MemberService(ServiceBase):
    def _registered(self, t: Tx, email: str) -> User:
        email = check_email(email)
        user = t.s.scalars(select(User).where(col(User.email) == email)).first()
        if user is None:
            raise NotFound(f"no registered user {email}")
        return user

    # -- contract members ----------------------------------------------------
    def _contract_for_members(self, t: Tx, name: str) -> Contract:
        contract, role = self._contract(t, name)
        refuse("contract.members", self._contract_subject(t, contract, role))
        # one change of a contract's members at a time (PostgreSQL: a row lock; SQLite's
        # writes are serial already), so two owners leaving at once cannot leave none
        t.s.execute(select(col(Contract.id)).where(col(Contract.id) == contract.id).with_for_update())
        return contract

    def _member(self, t: Tx, model: type[ContractMember] | type[WorkspaceMember], key: int,
                email: str, where: str) -> tuple[User, Any]:
        """A registered user and their membership row (NotFound when they hold none)."""
        user = self._registered(t, email)
        member = t.s.get(model, (key, user.id))
        if member is None:
            raise NotFound(f"{user.email} is not a member of {where}")
        return user, member

    def _join(self, t: Tx, model: type[ContractMember] | type[WorkspaceMember], key: int,
              user: User, role: str, where: str, kind: str, **event: Any) -> MemberView:
        """Make ``user`` a member (of the contract or workspace ``key``) with ``role``, and
        record ``kind``; refused when they are one already."""
        if t.s.get(model, (key, user.id)) is not None:
            raise Conflict(f"{user.email} is already a member of {where}")
        t.s.add(ContractMember(contract_id=key, user_id=ident(user), role=role)
                if model is ContractMember
                else WorkspaceMember(workspace_id=key, user_id=ident(user), role=role))
        t.event(kind, path=where, detail={"email": user.email, "role": role}, **event)
        return _view(user, role)

    def _owners(self, t: Tx, contract_id: int) -> int:
        return t.s.scalar(select(func.count()).where(
            col(ContractMember.contract_id) == contract_id, col(ContractMember.role) == "owner")) or 0

    @writes
    def invite_member(self, t: Tx, contract_name: str, email: str, role: str) -> MemberView:
        contract = self._contract_for_members(t, contract_name)
        role = _role(role, CONTRACT_ROLES, "contract")
        user = self._registered(t, email)
        return self._join(t, ContractMember, ident(contract), user, role, contract.name,
                          "member.invited", contract=contract)

    @writes
    def set_member_role(self, t: Tx, contract_name: str, email: str, role: str) -> MemberView:
        contract = self._contract_for_members(t, contract_name)
        role = _role(role, CONTRACT_ROLES, "contract")
        user, member = self._member(t, ContractMember, ident(contract), email, contract.name)
        if member.role == "owner" and role != "owner" and self._owners(t, ident(contract)) == 1:
            raise RuleViolation(
                f"{user.email} is the last owner of {contract.name}; make another member "
                "owner first"
            )
        old, member.role = member.role, role
        t.s.add(member)
        t.event("member.role_changed", contract=contract, path=contract.name,
                detail={"email": user.email, "from": old, "to": role})
        return _view(user, role)

    @writes
    def remove_member(self, t: Tx, contract_name: str, email: str) -> None:
        contract = self._contract_for_members(t, contract_name)
        user, member = self._member(t, ContractMember, ident(contract), email, contract.name)
        if member.role == "owner" and self._owners(t, ident(contract)) == 1:
            raise RuleViolation(
                f"{user.email} is the last owner of {contract.name} and cannot be removed"
            )
        ws_ids = select(col(Workspace.id)).where(col(Workspace.contract_id) == contract.id)
        dropped = touched(t.s.execute(delete(WorkspaceMember).where(
            col(WorkspaceMember.user_id) == user.id, col(WorkspaceMember.workspace_id).in_(ws_ids)),
            execution_options={"synchronize_session": False}))
        t.s.delete(member)
        t.event("member.removed", contract=contract, path=contract.name,
                detail={"email": user.email, "role": member.role,
                        "workspace_memberships_removed": dropped or 0})

    @reads
    def list_members(self, t: Tx, contract_name: str) -> list[MemberView]:
        contract, role = self._contract(t, contract_name)
        rows = t.s.execute(
            select(User, col(ContractMember.role)).join(ContractMember,
                                                        col(ContractMember.user_id) == col(User.id))
            .where(col(ContractMember.contract_id) == contract.id).order_by(col(User.email))).all()
        allowed = offer(self._contract_subject(t, contract, role), ("contract.members",))
        return [_view(u, r, allowed) for u, r in rows]

    # -- workspace members ---------------------------------------------------
    def _ws_for_members(self, t: Tx, path: str) -> WsScope:
        scope = self._workspace(t, path)
        refuse("workspace.members", self._scope_subject(t, scope))
        return scope

    @writes
    def add_workspace_member(self, t: Tx, path: str, email: str, role: str) -> MemberView:
        scope = self._ws_for_members(t, path)
        role = _role(role, WORKSPACE_ROLES, "workspace")
        user = self._registered(t, email)
        if t.s.get(ContractMember, (scope.contract.id, user.id)) is None:
            raise RuleViolation(
                f"{user.email} is not a member of contract {scope.contract.name}; "
                "a contract owner must invite them first"
            )
        return self._join(t, WorkspaceMember, ident(scope.workspace), user, role, scope.path,
                          "workspace.member_added", workspace=scope.workspace)

    @writes
    def set_workspace_member_role(self, t: Tx, path: str, email: str, role: str) -> MemberView:
        scope = self._ws_for_members(t, path)
        role = _role(role, WORKSPACE_ROLES, "workspace")
        user, member = self._member(t, WorkspaceMember, ident(scope.workspace), email, scope.path)
        old, member.role = member.role, role
        t.s.add(member)
        t.event("workspace.member_role_changed", workspace=scope.workspace, path=scope.path,
                detail={"email": user.email, "from": old, "to": role})
        return _view(user, role)

    @writes
    def remove_workspace_member(self, t: Tx, path: str, email: str) -> None:
        scope = self._ws_for_members(t, path)
        user, member = self._member(t, WorkspaceMember, ident(scope.workspace), email, scope.path)
        t.s.delete(member)
        t.event("workspace.member_removed", workspace=scope.workspace, path=scope.path,
                detail={"email": user.email, "role": member.role})

    @reads
    def list_workspace_members(self, t: Tx, path: str) -> list[MemberView]:
        scope = self._workspace(t, path)
        rows = t.s.execute(
            select(User, col(WorkspaceMember.role))
            .join(WorkspaceMember, col(WorkspaceMember.user_id) == col(User.id))
            .where(col(WorkspaceMember.workspace_id) == scope.workspace.id).order_by(col(User.email))).all()
        allowed = offer(self._scope_subject(t, scope), ("workspace.members",))
        return [_view(u, r, allowed) for u, r in rows]
