"""Accepting a webhook request: ``POST /hooks/<token>`` with a JSON body.

One transaction decides and enqueues: an unknown token, a flow that is not
active (or past its deadline) or whose trigger is not ``webhook`` answers
404; a contract that has had ``WEBHOOK_RATE_LIMIT`` requests accepted in
the sliding window answers 429; a full queue answers 503; otherwise the
body is enqueued at the trigger and the request counted. Accepted requests
are rows in ``webhook_hits``, so every worker serving webhooks agrees on
the count, and only accepted requests count. The caller is anonymous: no
answer names a contract, workspace or flow.
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
from ..policy import WEBHOOK_RATE_LIMIT, WEBHOOK_RATE_WINDOW, queue_cap
from ..services.base import Tx
from ..services.messages import reserve


@dataclass(frozen=True)
class HookAnswer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    retry_after: int | None = None  # seconds, for a 429
    flow_id: int | None = None  # for the log, never for the caller

    @property
    def accepted(self) -> bool:
        return self.status == 202


NOT_FOUND = HookAnswer(404, {"error": "no active webhook flow at this address"})


def accept(store, token: str, payload: Any) -> HookAnswer:
    """Enqueue ``payload`` into the webhook flow whose token is ``token``, or say why not."""

    def body(s: Session) -> HookAnswer:
        now = store.clock.now()
        stopped = worktime.stop_overdue(s, now)
        s.info["flowdeck_changed"] = bool(stopped)
        row = s.execute(
            select(Flow, Workspace, Contract).join(Workspace, Workspace.id == Flow.workspace_id)
            .join(Contract, Contract.id == Workspace.contract_id).where(Flow.webhook_token == token)).first()
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
            return HookAnswer(429, {"error": f"too many requests: at most {limit} in any "
                                             f"{window} seconds; retry later"},
                              retry_after=max(1, math.ceil(wait)), flow_id=flow.id)
        path = f"{contract.name}/{ws.name}/{flow.name}"
        try:
            reserve(Tx(s, now, None), flow, ws.kind, 1, path)
        except QuotaExceeded:
            return HookAnswer(503, {"error": f"the queue is full ({queue_cap(ws.kind):,} messages); "
                                             "retry later"}, flow_id=flow.id)
        except FlowdeckError:
            return NOT_FOUND
        s.execute(insert(WebhookHit).values(contract_id=contract.id, at=now))
        message_id = s.execute(insert(Message).values(
            flow_id=flow.id, step=1, enqueued_at=now, attempts=0, failed=False, payload=payload)
        ).inserted_primary_key[0]
        s.info["flowdeck_changed"] = True
        queued = s.scalar(select(Flow.queued).where(Flow.id == flow.id))
        return HookAnswer(202, {"accepted": True, "message": message_id, "queued": queued},
                          flow_id=flow.id)

    return store.run(body, write=True)
