"""Support requests: a workspace asks to become Full; support staff decide."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlmodel import col

from ..actions import REQUEST_ACTIONS, Subject, offer, refuse
from ..errors import InvalidInput, NotFound
from ..models import Contract, SupportRequest, Workspace
from ..permissions import HANDLE_REQUESTS, require_support
from ..rows import ident
from ..text import check_text
from ..views import SupportRequestView
from .base import ServiceBase, Tx, WsScope, reads, writes
from .workspaces import convert


class SupportService(ServiceBase):
    def _request_views(self, t: Tx, where: ColumnElement[bool]) -> list[SupportRequestView]:
        q = (select(SupportRequest, Workspace, Contract)
             .join(Workspace, col(Workspace.id) == col(SupportRequest.workspace_id))
             .join(Contract, col(Contract.id) == col(Workspace.contract_id))
             .where(where).order_by(col(SupportRequest.id).desc()))
        rows = t.s.execute(q).all()
        ids = {r.requested_by_id for r, _, _ in rows} | {r.handled_by_id for r, _, _ in rows}
        emails = self._emails(t, ids)
        return [
            SupportRequestView(
                id=r.id, path=f"{c.name}/{w.name}", workspace_kind=w.kind, reason=r.reason,
                status=r.status, requested_by=emails.get(r.requested_by_id),
                created_at=r.created_at, handled_by=emails.get(r.handled_by_id),
                handled_at=r.handled_at, decision=r.decision,
                offer=offer(self._request_subject(t, r, w, c), REQUEST_ACTIONS))
            for r, w, c in rows
        ]

    def _request_subject(self, t: Tx, r: SupportRequest, w: Workspace, c: Contract) -> Subject:
        return self._ws_subject(t, c, w, None, None, request_id=r.id,
                                request_status=r.status)

    @writes
    def request_full(self, t: Tx, path: str, reason: str) -> SupportRequestView:
        scope: WsScope = self._workspace(t, path)
        refuse("workspace.request_full", self._scope_subject(t, scope))
        reason = " ".join(check_text(reason or "", "the reason").split())
        if not reason:
            raise InvalidInput("say why the workspace should become Full (--reason)")
        if len(reason) > 2000:
            raise InvalidInput("the reason is longer than 2,000 characters")
        asking = t.s.scalars(select(SupportRequest).where(
            col(SupportRequest.workspace_id) == scope.workspace.id,
            col(SupportRequest.status) == "open")).first() is not None
        refuse("workspace.request_full", self._scope_subject(
            t, scope, workspace_kind=scope.workspace.kind, open_request=asking))
        req = SupportRequest(workspace_id=ident(scope.workspace), requested_by_id=t.actor_id,
                             reason=reason, status="open", created_at=t.now)
        t.s.add(req)
        t.s.flush()
        t.event("support.requested", workspace=scope.workspace, path=scope.path,
                detail={"request": req.id, "reason": reason})
        return self._request_views(t, col(SupportRequest.id) == req.id)[0]

    @reads
    def list_requests(self, t: Tx, *, status: str | None = None,
                      workspace: str | None = None) -> list[SupportRequestView]:
        if workspace:
            scope = self._workspace(t, workspace)
            where = col(SupportRequest.workspace_id) == scope.workspace.id
        else:
            require_support(HANDLE_REQUESTS, t.is_support or t.user is None)
            where = col(SupportRequest.id).is_not(None)
        if status:
            where = where & (col(SupportRequest.status) == status)
        return self._request_views(t, where)

    def _open_request(self, t: Tx, request_id: int) -> tuple[SupportRequest, WsScope]:
        refuse("request.decide", Subject(readonly=self.readonly, support=t.is_support))
        req = t.s.get(SupportRequest, request_id)
        if req is None:
            raise NotFound(f"no support request {request_id}")
        ws = t.s.get_one(Workspace, req.workspace_id)
        contract = t.s.get_one(Contract, ws.contract_id)
        refuse("request.decide", self._request_subject(t, req, ws, contract))
        return req, WsScope(contract, ws, None, None)

    @writes
    def approve_request(self, t: Tx, request_id: int) -> SupportRequestView:
        req, scope = self._open_request(t, request_id)
        req.status, req.handled_by_id, req.handled_at = "approved", t.actor_id, t.now
        t.s.add(req)
        if scope.workspace.kind != "full":
            convert(t, scope, "full")
        t.event("support.approved", workspace=scope.workspace, path=scope.path,
                detail={"request": req.id})
        return self._request_views(t, col(SupportRequest.id) == req.id)[0]

    @writes
    def decline_request(self, t: Tx, request_id: int, reason: str | None = None
                        ) -> SupportRequestView:
        req, scope = self._open_request(t, request_id)
        reason = " ".join(check_text(reason or "", "the reason").split()) or None
        req.status, req.handled_by_id, req.handled_at = "declined", t.actor_id, t.now
        req.decision = reason
        t.s.add(req)
        t.event("support.declined", workspace=scope.workspace, path=scope.path,
                detail={"request": req.id, "reason": reason})
        return self._request_views(t, col(SupportRequest.id) == req.id)[0]
