"""Accepting a webhook request: ``POST /hooks/<token>`` with a JSON body.

One transaction decides and enqueues: an unknown token, a flow that is not
active (or past its deadline) or whose trigger is not ``webhook`` answers
404; a contract that has had ``WEBHOOK_RATE_LIMIT`` requests accepted in
the sliding window answers 429; a full queue answers 503; otherwise the
body is enqueued at the trigger and the request counted. Accepted requests
are rows in ``webhook_hits``, so every worker serving webhooks agrees on
the count, and only accepted requests count (old rows are pruned by the
runtime's housekeeping; the count only looks inside the window). The caller is anonymous: no
answer names a contract, workspace or flow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from ..models import Contract, Flow, FlowStep, Message, WebhookHit, Workspace
from ..policy import WEBHOOK_RATE_LIMIT, WEBHOOK_RATE_WINDOW, queue_cap
from ..rows import table_of

if TYPE_CHECKING:
    from ..engine import Store


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


#: The flow behind a token, with what the answer depends on: built once, compiled once.
_FIND = (
    select(col(Flow.id), col(Flow.status), col(Flow.deadline), col(Flow.queued), col(Workspace.kind),
           col(Contract.id), col(Contract.status), col(FlowStep.component), col(Flow.revision))
    .join(Workspace, col(Workspace.id) == col(Flow.workspace_id))
    .join(Contract, col(Contract.id) == col(Workspace.contract_id))
    .outerjoin(FlowStep, (col(FlowStep.flow_id) == col(Flow.id)) & (col(FlowStep.position) == 1))
    .where(col(Flow.webhook_token) == bindparam("token")))
_RECENT = (select(func.count(), func.min(col(WebhookHit.at)))
           .where(col(WebhookHit.contract_id) == bindparam("contract"),
                  col(WebhookHit.at) > bindparam("since")))
_FLOWS = table_of(Flow).c
_RESERVE = (update(table_of(Flow)).where(_FLOWS.id == bindparam("flow"),
                                         _FLOWS.status == "active",
                                         _FLOWS.queued + 1 <= bindparam("cap"))
            .values(queued=_FLOWS.queued + 1).returning(_FLOWS.queued))
_HIT = insert(table_of(WebhookHit))
_MESSAGE = insert(table_of(Message)).returning(table_of(Message).c.id)


def accept(store: Store, token: str, payload: Any) -> HookAnswer:
    """Enqueue ``payload`` into the webhook flow whose token is ``token``, or say why not."""
    return accept_many(store, [(token, payload)])[0]


def accept_many(store: Store, requests: list[tuple[str, Any]]) -> list[HookAnswer]:
    """``accept`` for several requests in one transaction, in order (the server batches the
    requests that arrive while the previous batch is being written)."""

    def body(s: Session) -> list[HookAnswer]:
        now = store.clock.now()
        window_start = now - WEBHOOK_RATE_WINDOW
        recent: dict[int | None, list[Any]] = {}  # contract -> [accepted in the window, oldest]
        conn = s.connection()  # Core, not the ORM: nothing here needs objects
        answers = [_one(conn, now, window_start, recent, token, payload)
                   for token, payload in requests]
        s.info["flowdeck_changed"] = any(a.accepted for a in answers)
        return answers

    return store.run(body, write=True)


def _one(s: Connection, now: datetime, window_start: datetime,
         recent: dict[int | None, list[Any]],
         token: str,
         payload: Any) -> HookAnswer:
    row = s.execute(_FIND, {"token": token}).first()
    if row is None:
        return NOT_FOUND
    flow_id, status, deadline, _queued, kind, contract_id, contract_status, trigger, revision = row
    if status != "active" or trigger != "webhook" or contract_status != "active" or (
            deadline is not None and deadline <= now):
        return NOT_FOUND
    counted = recent.get(contract_id)
    if counted is None:
        counted = recent[contract_id] = list(
            s.execute(_RECENT, {"contract": contract_id, "since": window_start}).one())
    if counted[0] >= WEBHOOK_RATE_LIMIT:
        oldest = counted[1]
        wait = (oldest + WEBHOOK_RATE_WINDOW - now).total_seconds() if oldest else 1
        limit = WEBHOOK_RATE_LIMIT
        window = int(WEBHOOK_RATE_WINDOW.total_seconds())
        return HookAnswer(429, {"error": f"too many requests: at most {limit} in any "
                                         f"{window} seconds; retry later"},
                          retry_after=max(1, math.ceil(wait)), flow_id=flow_id)
    cap = queue_cap(kind)
    queued = s.execute(_RESERVE, {"flow": flow_id, "cap": cap}).scalar()
    if queued is None:  # full (or stopped meanwhile, which the row above would have said)
        return HookAnswer(503, {"error": f"the queue is full ({cap:,} messages); retry later"},
                          flow_id=flow_id)
    s.execute(_HIT, {"contract_id": contract_id, "at": now})
    counted[0] += 1
    counted[1] = counted[1] or now
    message_id = s.execute(_MESSAGE, {"flow_id": flow_id, "step": 1, "revision": revision,
                                      "enqueued_at": now, "attempts": 0, "failed": False,
                                      "payload": payload}).scalar_one()
    return HookAnswer(202, {"accepted": True, "message": message_id, "queued": queued},
                      flow_id=flow_id)
