"""Accepting a webhook request: ``POST /hooks/<flow id>`` with a JSON body.

One transaction decides and enqueues: an unknown flow, one that is not
active (or past its deadline) or whose trigger is not ``webhook`` answers
404; a contract that has had ``WEBHOOK_RATE_LIMIT`` requests accepted in
the sliding window answers 429; a full queue answers 503; otherwise the
body is enqueued at the trigger and the request counted. Accepted requests
are rows in ``webhook_hits``, so every worker serving webhooks agrees on
the count, and only accepted requests count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from .. import worktime
from ..errors import FlowdeckError, QuotaExceeded
from ..models import Contract, Flow, FlowStep, Message, WebhookHit, Workspace
from ..policy import WEBHOOK_RATE_LIMIT, WEBHOOK_RATE_WINDOW
from ..services.base import Tx
from ..services.messages import reserve


@dataclass(frozen=True)
class HookAnswer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    retry_after: int | None = None  # seconds, for a 429

    @property
    def accepted(self) -> bool:
        return self.status == 202


NOT_FOUND = HookAnswer(404, {"error": "no active webhook flow with that id"})


def accept(store, flow_id: int, payload: Any) -> HookAnswer:
    """Enqueue ``payload`` into webhook flow ``flow_id``, or say why not."""

    def body(s: Session) -> HookAnswer:
        now = store.clock.now()
        stopped = worktime.stop_overdue(s, now)
        s.info["flowdeck_changed"] = bool(stopped)
        row = s.execute(
            select(Flow, Workspace, Contract).join(Workspace, Workspace.id == Flow.workspace_id)
            .join(Contract, Contract.id == Workspace.contract_id).where(Flow.id == flow_id)).first()
        if row is None:
            return NOT_FOUND
        flow, ws, contract = row
        trigger = s.scalar(select(FlowStep.component).where(FlowStep.flow_id == flow.id,
                                                            FlowStep.position == 1))
        if flow.status != "active" or trigger != "webhook" or contract.status != "active" or (
                flow.deadline is not None and flow.deadline <= now):
            return NOT_FOUND
        window_start = now - WEBHOOK_RATE_WINDOW
        s.execute(delete(WebhookHit).where(WebhookHit.contract_id == contract.id,
                                           WebhookHit.at <= window_start),
                  execution_options={"synchronize_session": False})
        recent, oldest = s.execute(
            select(func.count(), func.min(WebhookHit.at))
            .where(WebhookHit.contract_id == contract.id, WebhookHit.at > window_start)).one()
        if recent >= WEBHOOK_RATE_LIMIT:
            wait = (oldest + WEBHOOK_RATE_WINDOW - now).total_seconds() if oldest else 1
            limit = WEBHOOK_RATE_LIMIT
            window = int(WEBHOOK_RATE_WINDOW.total_seconds())
            return HookAnswer(429, {"error": f"contract {contract.name} has had {limit} webhook "
                                             f"requests in the last {window} seconds"},
                              retry_after=max(1, math.ceil(wait)))
        path = f"{contract.name}/{ws.name}/{flow.name}"
        try:
            reserve(Tx(s, now, None), flow, ws.kind, 1, path)
        except QuotaExceeded as exc:
            return HookAnswer(503, {"error": str(exc)})
        except FlowdeckError:
            return NOT_FOUND
        s.execute(insert(WebhookHit).values(contract_id=contract.id, at=now))
        message_id = s.execute(insert(Message).values(
            flow_id=flow.id, step=1, revision=flow.revision, enqueued_at=now, attempts=0,
            failed=False, payload=payload)
        ).inserted_primary_key[0]
        s.info["flowdeck_changed"] = True
        queued = s.scalar(select(Flow.queued).where(Flow.id == flow.id))
        return HookAnswer(202, {"accepted": True, "message": message_id, "queued": queued})

    return store.run(body, write=True)
