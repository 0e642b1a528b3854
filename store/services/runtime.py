"""What people see of the runtime and do about it: executions, throughput, failed messages.

Anyone who may see a flow may read its executions, throughput and failed
messages (the flow log is theirs to browse); retrying or discarding failed
messages takes the owner, admin or integrator role in the workspace.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import col

from ..actions import refuse
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Event, Flow, FlowRevision, Message
from ..policy import THROUGHPUT_KEEP, THROUGHPUT_RATE_MINUTES, list_rows
from ..rows import id_col, ident
from ..runtime import throughput
from ..views import ExecutionView, FailedMessageView
from .base import Tx, reads, writes
from .flowviews import FlowReading

EXECUTION_KINDS = ("execution.succeeded", "execution.retrying", "execution.failed")
#: Throughput is kept per minute for THROUGHPUT_KEEP: a series reaches that far back.
MAX_MINUTES = int(THROUGHPUT_KEEP / timedelta(minutes=1))


def execution_view(e: Event) -> ExecutionView:
    d: dict[str, Any] = dict(e.detail or {})
    outcome = d.get("outcome") or e.kind.split(".", 1)[-1]
    return ExecutionView(id=ident(e), at=e.at, message=d.get("message"), step=d.get("step"),
                         component=d.get("component"), outcome=outcome, status=d.get("status"),
                         ms=d.get("ms"), attempt=d.get("attempt"), error=d.get("error"))


class RuntimeService(FlowReading):
    # -- reading ------------------------------------------------------------------------
    @reads
    def list_executions(self, t: Tx, path: str, *, limit: int = 50) -> list[ExecutionView]:
        """The flow's latest step runs, newest first (from the flow log)."""
        _, flow = self._flow(t, path)
        rows = t.s.scalars(
            select(Event).where(col(Event.flow_id) == flow.id, col(Event.kind).in_(EXECUTION_KINDS))
            .order_by(col(Event.at).desc(), col(Event.id).desc()).limit(list_rows(limit))).all()
        return [execution_view(e) for e in rows]

    @reads
    def list_failed(self, t: Tx, path: str, *, limit: int = 100) -> list[FailedMessageView]:
        """Messages parked after their retries ran out, oldest first."""
        _, flow = self._flow(t, path)
        rows = t.s.scalars(select(Message).where(col(Message.flow_id) == flow.id,
                                                 col(Message.failed).is_(True))
                           .order_by(col(Message.id)).limit(list_rows(limit))).all()
        steps = {number: steps for number, steps in t.s.execute(  # each message's own revision
            select(col(FlowRevision.number), col(FlowRevision.steps)).where(
                col(FlowRevision.flow_id) == flow.id,
                col(FlowRevision.number).in_({m.revision for m in rows})))}

        def component(m: Message) -> str | None:
            mine = steps.get(m.revision) or []
            return mine[m.step - 1]["component"] if 0 < m.step <= len(mine) else None

        return [FailedMessageView(id=ident(m), step=m.step, component=component(m),
                                  attempts=m.attempts, error=m.error, enqueued_at=m.enqueued_at,
                                  payload=m.payload) for m in rows]

    @reads
    def step_sample(self, t: Tx, path: str, position: int) -> tuple[bool, Any]:
        """The payload of the newest message waiting at (or parked at) step ``position`` of the
        flow's current revision: what that step takes in next, for trying a transform before
        it is saved. (False, None) when no message is there."""
        _, flow = self._flow(t, path)
        row = t.s.scalars(select(Message).where(
            col(Message.flow_id) == flow.id, col(Message.step) == position,
            col(Message.revision) == flow.revision).order_by(col(Message.id).desc()).limit(1)).first()
        return (False, None) if row is None else (True, row.payload)

    @reads
    def flow_throughput(self, t: Tx, path: str, minutes: int = 30) -> list[int]:
        """Messages the flow finished in each of the last ``minutes`` minutes, oldest first."""
        if not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
            raise InvalidInput(f"minutes must be between 1 and {MAX_MINUTES}")
        _, flow = self._flow(t, path)
        return throughput.series(t.s, ident(flow), t.now, minutes)

    @reads
    def throughput_rates(self, t: Tx, scope: str | None = None,
                         ids: list[int] | None = None) -> dict[int, float]:
        """Messages per minute (recent average) of each flow in ``scope`` (or of ``ids`` in it)."""
        q = self._flow_query(t, scope, None, None).with_only_columns(id_col(Flow.id))
        if ids is not None:
            q = q.where(col(Flow.id).in_(ids))
        ids = list(t.s.scalars(q).all())
        return throughput.rates(t.s, ids, t.now, THROUGHPUT_RATE_MINUTES)

    # -- changing ---------------------------------------------------------------------------
    def _failed_ids(self, t: Tx, path: str, ids: list[int] | None) -> tuple[Flow, str, list[int]]:
        scope, flow = self._flow(t, path)
        refuse("failed.handle", self._scope_subject(t, scope))
        full_path = f"{scope.path}/{flow.name}"
        parked = set(t.s.scalars(select(id_col(Message.id)).where(
            col(Message.flow_id) == flow.id, col(Message.failed).is_(True))).all())
        if ids is None:
            if not parked:
                raise Conflict(f"flow {full_path} has no failed messages")
            return flow, full_path, sorted(parked)
        if not ids:
            raise InvalidInput("name at least one failed message (or all of them)")
        missing = [i for i in ids if i not in parked]
        if missing:
            raise NotFound(f"flow {full_path} has no failed message {missing[0]}")
        return flow, full_path, sorted(set(ids))

    @writes
    def retry_failed(self, t: Tx, path: str, ids: list[int] | None = None) -> int:
        """Put failed messages (``ids``, or all) back in the queue for a fresh set of tries."""
        flow, full_path, chosen = self._failed_ids(t, path, ids)
        for i in range(0, len(chosen), 500):
            t.s.execute(update(Message).where(col(Message.id).in_(chosen[i:i + 500]))
                        .values(failed=False, attempts=0, available_at=None, error=None,
                                claim=None, claimed_until=None),
                        execution_options={"synchronize_session": False})
        t.event("message.retried", flow=flow, path=full_path, detail={"count": len(chosen)})
        return len(chosen)

    @writes
    def discard_failed(self, t: Tx, path: str, ids: list[int] | None = None) -> int:
        """Drop failed messages (``ids``, or all) from the queue for good."""
        flow, full_path, chosen = self._failed_ids(t, path, ids)
        for i in range(0, len(chosen), 500):
            t.s.execute(delete(Message).where(col(Message.id).in_(chosen[i:i + 500])),
                        execution_options={"synchronize_session": False})
        t.s.execute(update(Flow).where(col(Flow.id) == flow.id)
                    .values(queued=col(Flow.queued) - len(chosen)),
                    execution_options={"synchronize_session": False})
        t.event("message.discarded", flow=flow, path=full_path, detail={"count": len(chosen)})
        return len(chosen)
