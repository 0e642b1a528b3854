"""The frame every service runs in: one transaction, the caller, the clock.

A service method is written as ``def m(self, t: Tx, ...)`` and decorated
with ``@reads`` or ``@writes``; callers call ``svc.m(...)``. ``@writes``
refuses in a read-only session before touching anything, stops overdue
flows inside the same transaction first, and commits only if the method
returns: a refusal leaves no trace but its message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from .. import worktime
from ..actions import Subject
from ..clock import Clock
from ..engine import Store
from ..errors import NotFound
from ..models import Contract, ContractMember, Event, Flow, User, Workspace, WorkspaceMember
from ..names import name_key, split_path
from ..permissions import require_writable
from ..rows import ident

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Tx:
    """One transaction as one caller at one instant."""

    s: Session
    now: datetime
    user: User | None  # None: the system (workers)

    @property
    def is_support(self) -> bool:
        return bool(self.user and self.user.support)

    @property
    def actor_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def person_id(self) -> int:
        """The caller's id, for what only a person does (the system never makes a contract
        or a workspace)."""
        if self.user is None:
            raise ValueError("only a person does this, not the system")
        return ident(self.user)

    def event(self, kind: str, *, contract: Contract | None = None,
              workspace: Workspace | None = None, flow: Flow | None = None,
              path: str = "", detail: dict[str, Any] | None = None,
              category: str = "audit", system: bool = False) -> None:
        """Record an event in this transaction. ``detail`` must never hold a secret."""
        workspace_id = workspace.id if workspace else (flow.workspace_id if flow else None)
        contract_id = contract.id if contract else None
        if contract_id is None and workspace_id is not None:
            contract_id = (workspace or self.s.get_one(Workspace, workspace_id)).contract_id
        self.s.add(Event(
            at=self.now, actor_id=None if system else self.actor_id, kind=kind,
            category=category, contract_id=contract_id, workspace_id=workspace_id,
            flow_id=flow.id if flow else None, path=path, detail=detail or {},
        ))


@dataclass
class WsScope:
    """A workspace as one caller sees it."""

    contract: Contract
    workspace: Workspace
    contract_role: str | None
    role: str | None  # the caller's workspace role

    @property
    def path(self) -> str:
        return f"{self.contract.name}/{self.workspace.name}"


def reads(fn: Callable[Concatenate[Any, Tx, P], R]) -> Callable[Concatenate[Any, P], R]:
    """Run in a read transaction, after any overdue flow has been stopped."""

    @functools.wraps(fn)
    def wrapper(self: ServiceBase, *args: P.args, **kwargs: P.kwargs) -> R:
        now = self.store.clock.now()
        worktime.stop_overdue_if_any(self.store, now)
        return self.store.run(lambda s: fn(self, self._tx(s, now), *args, **kwargs), write=False)

    return cast("Callable[Concatenate[Any, P], R]", wrapper)  # wraps() keeps fn's own type


def writes(fn: Callable[Concatenate[Any, Tx, P], R]) -> Callable[Concatenate[Any, P], R]:
    """Run as one write transaction (refused up front in a read-only session)."""

    @functools.wraps(fn)
    def wrapper(self: ServiceBase, *args: P.args, **kwargs: P.kwargs) -> R:
        require_writable(self.readonly)

        def body(s: Session) -> R:
            now = self.store.now(s)
            worktime.stop_overdue(s, now)
            return fn(self, self._tx(s, now), *args, **kwargs)

        return self.store.run(body, write=True)

    return cast("Callable[Concatenate[Any, P], R]", wrapper)  # wraps() keeps fn's own type


class ServiceBase:
    """The caller (an email, or None for the system) against one store."""

    def __init__(self, store: Store, actor: str | None, *, readonly: bool = False) -> None:
        self.store = store
        self.actor = actor.strip().lower() if actor else None
        self.readonly = readonly

    @property
    def clock(self) -> Clock:
        return self.store.clock

    def _tx(self, s: Session, now: datetime) -> Tx:
        user = None
        if self.actor is not None:
            user = s.scalars(select(User).where(col(User.email) == self.actor)).first()
            if user is None:
                raise NotFound(
                    f"no registered user {self.actor!r}; support staff register users "
                    "with 'flowdeck user add'"
                )
        return Tx(s, now, user)

    @staticmethod
    def _emails(t: Tx, ids: Iterable[int | None]) -> dict[int | None, str]:
        """The emails of these users, by id (None and no ids: nothing to ask)."""
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        return {i: e for i, e in t.s.execute(select(col(User.id),
                                                    col(User.email)).where(col(User.id).in_(wanted))).all()}

    # -- finding things the caller may see ---------------------------------
    def _contract(self, t: Tx, name: str) -> tuple[Contract, str | None]:
        if not name or "/" in name:
            split_path(name, 1, "contract")
        contract = t.s.scalars(select(Contract).where(col(Contract.name_key) == name_key(name))).first()
        role = None
        if contract is not None and t.user is not None:
            role = t.s.scalar(select(col(ContractMember.role)).where(
                col(ContractMember.contract_id) == contract.id, col(ContractMember.user_id) == t.user.id))
        if contract is None or (t.user is not None and role is None and not t.is_support):
            raise NotFound(f"no contract {name!r}")
        return contract, role

    def _workspace(self, t: Tx, path: str) -> WsScope:
        contract_name, ws_name = split_path(path, 2, "workspace")
        contract, contract_role = self._contract(t, contract_name)
        ws = t.s.scalars(select(Workspace).where(
            col(Workspace.contract_id) == contract.id, col(Workspace.name_key) == name_key(ws_name))).first()
        role = None
        if ws is not None and t.user is not None:
            role = t.s.scalar(select(col(WorkspaceMember.role)).where(
                col(WorkspaceMember.workspace_id) == ws.id, col(WorkspaceMember.user_id) == t.user.id))
        visible = ws is not None and (
            t.user is None or t.is_support or role is not None
            or contract_role in ("owner", "admin")
        )
        if ws is None or not visible:
            raise NotFound(f"no workspace {path!r}")
        return WsScope(contract, ws, contract_role, role)

    def _flow(self, t: Tx, path: str) -> tuple[WsScope, Flow]:
        c, w, f = split_path(path, 3, "flow")
        scope = self._workspace(t, f"{c}/{w}")
        flow = t.s.scalars(select(Flow).where(
            col(Flow.workspace_id) == scope.workspace.id, col(Flow.name_key) == name_key(f))).first()
        if flow is None:
            raise NotFound(f"no flow {path!r}")
        return scope, flow

    def _visible_workspace_ids(self, t: Tx, contract: Contract,
                               contract_role: str | None) -> Select[int | None]:
        """A select of the ids of the workspaces of ``contract`` the caller may see."""
        q = select(col(Workspace.id)).where(col(Workspace.contract_id) == contract.id)
        if t.user is None or t.is_support or contract_role in ("owner", "admin"):
            return q
        return q.join(WorkspaceMember, col(WorkspaceMember.workspace_id) == col(Workspace.id)).where(
            col(WorkspaceMember.user_id) == t.user.id)

    # -- what the caller may do (store/actions.py) ---------------------------
    def _contract_subject(self, t: Tx, contract: Contract, role: str | None) -> Subject:
        return Subject(where=contract.name, path=contract.name, readonly=self.readonly,
                       support=t.is_support, contract=contract.name,
                       suspended=contract.status == "suspended", contract_role=role)

    def _ws_subject(self, t: Tx, contract: Contract, workspace: Workspace,
                    contract_role: str | None, role: str | None, **state: Any) -> Subject:
        path = f"{contract.name}/{workspace.name}"
        return Subject(where=path, path=state.pop("path", path), readonly=self.readonly,
                       support=t.is_support, contract=contract.name,
                       suspended=contract.status == "suspended", contract_role=contract_role,
                       role=role, **state)

    def _scope_subject(self, t: Tx, scope: WsScope, **state: Any) -> Subject:
        return self._ws_subject(t, scope.contract, scope.workspace, scope.contract_role,
                                scope.role, **state)

    def _count(self, t: Tx, stmt: Select[Any]) -> int:
        return t.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
