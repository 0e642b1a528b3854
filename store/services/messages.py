"""Messages sent into a flow's queue, within the queue cap of its workspace."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import col

from ..actions import refuse
from ..clock import iso
from ..errors import Conflict, InvalidInput, QuotaExceeded
from ..models import Flow, Message
from ..policy import MAX_SEND, queue_cap
from ..rows import touched
from .base import ServiceBase, Tx, writes


def parse_payload(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--payload is not JSON: {exc.msg} at character {exc.pos}") from None


def reserve(t: Tx, flow: Flow, kind: str, count: int, path: str) -> None:
    """Take room for ``count`` messages in an active flow, atomically, or refuse."""
    cap = queue_cap(kind)
    taken = touched(t.s.execute(
        update(Flow).where(col(Flow.id) == flow.id, col(Flow.status) == "active",
                           col(Flow.queued) + count <= cap)
        .values(queued=col(Flow.queued) + count), execution_options={"synchronize_session": False},
    ))
    if taken == 1:
        return
    t.s.refresh(flow)
    if flow.status != "active":
        raise Conflict(f"flow {path} is {flow.status}; messages go only into an active flow")
    raise QuotaExceeded(
        f"flow {path} holds {flow.queued} of at most {cap:,} queued messages in a {kind} "
        f"workspace; {count} more would exceed the cap")


class MessageService(ServiceBase):
    @writes
    def send_messages(self, t: Tx, path: str, count: int = 1, payload: Any = None) -> int:
        """Enqueue ``count`` messages at the flow's trigger; returns the new queue depth."""
        if not isinstance(count, int) or count < 1 or count > MAX_SEND:
            raise InvalidInput(f"--count must be between 1 and {MAX_SEND:,}")
        scope, flow = self._flow(t, path)
        full_path = f"{scope.path}/{flow.name}"
        refuse("flow.send", self._scope_subject(t, scope, path=full_path,
                                                flow_status=flow.status))
        reserve(t, flow, scope.workspace.kind, count, full_path)
        sender = t.user.email if t.user else "system"
        rows = [
            dict(flow_id=flow.id, step=1, revision=flow.revision, enqueued_at=t.now, attempts=0,
                 failed=False,
                 payload=payload if payload is not None else
                 {"seq": i + 1, "sent_by": sender, "sent_at": iso(t.now)})
            for i in range(count)
        ]
        for i in range(0, len(rows), 1000):
            t.s.execute(insert(Message), rows[i:i + 1000])
        t.event("message.sent", flow=flow, path=full_path, category="log",
                detail={"count": count})
        t.s.refresh(flow)
        return flow.queued
