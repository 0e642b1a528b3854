"""The audit trail and flow log, newest first, limited to what the caller may see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select
from sqlmodel import col

from ..errors import InvalidInput
from ..models import ContractMember, Event, User, Workspace, WorkspaceMember
from ..policy import list_rows
from ..views import EventView
from .base import ServiceBase, Tx, reads


class EventService(ServiceBase):
    def _visible(self, t: Tx, scan_by_time: bool = False) -> ColumnElement[bool] | None:
        """A condition: the events the caller may see.

        With ``scan_by_time`` the ids are wrapped (``id + 0``) so the database walks the
        time index and filters, instead of gathering every visible event to sort it.
        """
        if t.user is None or t.is_support:
            return None
        wid = col(Event.workspace_id) + 0 if scan_by_time else col(Event.workspace_id)
        cid = col(Event.contract_id) + 0 if scan_by_time else col(Event.contract_id)
        uid = t.user.id
        contracts = select(col(ContractMember.contract_id)).where(col(ContractMember.user_id) == uid)
        admin_of = select(col(ContractMember.contract_id)).where(
            col(ContractMember.user_id) == uid, col(ContractMember.role).in_(("owner", "admin")))
        member_ws = select(col(WorkspaceMember.workspace_id)).where(col(WorkspaceMember.user_id) == uid)
        admin_ws = select(col(Workspace.id)).where(col(Workspace.contract_id).in_(admin_of))
        # Events of a deleted workspace lose their workspace id but keep their path
        # (names never hold '/'): only those who saw every workspace see them then.
        contract_level = ~col(Event.path).contains("/", autoescape=True)
        return or_(
            and_(col(Event.workspace_id).is_(None), cid.in_(contracts), contract_level),
            and_(col(Event.workspace_id).is_(None), cid.in_(admin_of)),
            wid.in_(member_ws),
            wid.in_(admin_ws),
        )

    @reads
    def list_events(self, t: Tx, path: str | None = None, *, limit: int = 50,
                    kinds: list[str] | None = None, category: str | None = None,
                    before_id: int | None = None) -> list[EventView]:
        list_rows(limit)
        q = select(Event, col(User.email)).outerjoin(User, col(User.id) == col(Event.actor_id))
        visible = self._visible(t, scan_by_time=not path)
        if visible is not None:
            q = q.where(visible)
        if path:
            parts = path.split("/")
            if len(parts) == 1:
                contract, _ = self._contract(t, path)
                q = q.where(col(Event.contract_id) == contract.id)
            elif len(parts) == 2:
                q = q.where(col(Event.workspace_id) == self._workspace(t, path).workspace.id)
            elif len(parts) == 3:
                _, flow = self._flow(t, path)
                q = q.where(col(Event.flow_id) == flow.id)
            else:
                raise InvalidInput(f"{path!r} is not a contract, workspace or flow path")
        if kinds:
            q = q.where(col(Event.kind).in_(kinds))
        if category:
            q = q.where(col(Event.category) == category)
        if before_id is not None:
            q = q.where(col(Event.id) < before_id)
        rows = t.s.execute(q.order_by(col(Event.at).desc(), col(Event.id).desc()).limit(limit)).all()
        return [
            EventView(id=e.id, at=e.at, actor=email or "system", kind=e.kind, path=e.path,
                      detail=dict(e.detail or {}), category=e.category)
            for e, email in rows
        ]
