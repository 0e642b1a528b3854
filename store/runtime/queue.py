"""The queue, as the worker sees it: claim a message, move it on, finish or fail it.

Each function is one transaction. A claim is a conditional UPDATE that
only takes a message nobody holds (or whose holder's lease has lapsed) of
an active flow whose deadline has not come, so any number of workers may
claim at once. Moving on, finishing and failing succeed only while the
claim is still the caller's: a flow stopped meanwhile has dropped the
message, and what the step produced is then thrown away. A worker that
dies holding a claim loses nothing; the lease lapses and another worker
runs the step again (at-least-once).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, insert, or_, select, update
from sqlmodel import Session

from .. import worktime
from ..models import Contract, Credential, Event, Flow, FlowStep, Message, Workspace
from ..policy import CLAIM_LEASE, STEP_RETRIES, retry_delay
from . import throughput
from .steps import StepError, StepOutcome, StepSpec


@dataclass
class Claim:
    """A message a worker holds, with what it needs to run the flow's steps."""

    message_id: int
    flow_id: int
    step: int
    payload: Any
    attempts: int
    token: str
    path: str
    contract_id: int
    workspace_id: int
    deadline: datetime | None
    steps: dict[int, StepSpec]
    enqueued_at: datetime | None = None

    def key(self) -> str:
        """Names this step of this message for the target, the same on every retry."""
        stamp = int(self.enqueued_at.timestamp()) if self.enqueued_at else 0
        return f"flowdeck-{self.flow_id}-{self.message_id}-{stamp}-{self.step}"

    def next_step(self) -> int | None:
        later = [p for p in self.steps if p > self.step]
        return min(later) if later else None


_pick = random.Random()


def _claimable(now: datetime):
    return or_(Message.claimed_until.is_(None), Message.claimed_until <= now)


def claim_next(store, token: str) -> Claim | None:
    """Take the oldest message that may run now of a flow chosen at random among those that
    have one (so one flow's backlog does not starve the others), or None."""

    def body(s: Session) -> Claim | None:
        s.info["flowdeck_changed"] = False  # a claim alone changes nothing anyone sees
        now = store.clock.now()
        live = and_(Flow.status == "active", or_(Flow.deadline.is_(None), Flow.deadline > now))
        runnable = and_(Message.failed.is_(False),
                        or_(Message.available_at.is_(None), Message.available_at <= now),
                        _claimable(now))
        waiting = s.scalars(select(Flow.id).where(
            live, exists().where(Message.flow_id == Flow.id, runnable))).all()
        if not waiting:
            return None
        oldest = (
            select(Message.id).join(Flow, Flow.id == Message.flow_id)
            .where(Message.flow_id == _pick.choice(waiting), live, runnable)
            .order_by(Message.id).limit(1).scalar_subquery()
        )
        row = s.execute(
            update(Message).where(Message.id == oldest, _claimable(now))
            .values(claim=token, claimed_until=now + CLAIM_LEASE)
            .returning(Message.id, Message.flow_id, Message.step, Message.payload,
                       Message.attempts, Message.enqueued_at),
            execution_options={"synchronize_session": False},
        ).first()
        if row is None:
            return None
        mid, fid, step, payload, attempts, enqueued_at = row
        flow, ws, contract = s.execute(
            select(Flow, Workspace, Contract).join(Workspace, Workspace.id == Flow.workspace_id)
            .join(Contract, Contract.id == Workspace.contract_id).where(Flow.id == fid)).one()
        steps = {
            st.position: StepSpec(st.position, st.component, dict(st.settings or {}), name, sealed)
            for st, name, sealed in s.execute(
                select(FlowStep, Credential.name, Credential.secret)
                .outerjoin(Credential, Credential.id == FlowStep.credential_id)
                .where(FlowStep.flow_id == fid))
        }
        return Claim(mid, fid, step, payload, attempts, token,
                     f"{contract.name}/{ws.name}/{flow.name}", contract.id, ws.id,
                     flow.deadline, steps, enqueued_at)

    return store.run(body, write=True)


def _mine(claim: Claim):
    return (Message.id == claim.message_id, Message.claim == claim.token)


def _log(claim: Claim, at: datetime, kind: str, detail: dict[str, Any]) -> dict:
    return dict(at=at, actor_id=None, kind=kind, category="log", contract_id=claim.contract_id,
                workspace_id=claim.workspace_id, flow_id=claim.flow_id, path=claim.path,
                detail=detail)


def execution(claim: Claim, outcome: str, ms: int, extra: dict[str, Any] | None = None) -> dict:
    spec = claim.steps.get(claim.step)
    return {"message": claim.message_id, "step": claim.step,
            "component": spec.component if spec else None, "outcome": outcome, "ms": ms,
            **(extra or {})}


def _write_events(s: Session, claim: Claim, now: datetime, kind: str, detail: dict,
                  logs: list[dict] | None = None) -> None:
    rows = [_log(claim, now, kind, detail)]
    rows += [_log(claim, now, "log.written", entry) for entry in logs or []]
    s.execute(insert(Event), rows)


def advance(store, claim: Claim, result: StepOutcome, ms: int) -> bool:
    """The step ran: hand its output to the next step, keeping the claim. False: claim lost."""
    nxt = claim.next_step()
    assert nxt is not None

    def body(s: Session) -> datetime | None | bool:
        now = store.clock.now()
        stopped = worktime.stop_overdue(s, now)
        moved = s.execute(
            update(Message).where(*_mine(claim))
            .values(step=nxt, payload=result.output, attempts=0, available_at=None, error=None,
                    claimed_until=now + CLAIM_LEASE),
            execution_options={"synchronize_session": False}).rowcount
        if not moved:
            s.info["flowdeck_changed"] = bool(stopped)
            return False
        _write_events(s, claim, now, "execution.succeeded",
                      execution(claim, "succeeded", ms, result.detail), result.logs)
        return s.scalar(select(Flow.deadline).where(Flow.id == claim.flow_id))

    answer = store.run(body, write=True)
    if answer is False:
        return False
    claim.step, claim.payload, claim.attempts, claim.deadline = nxt, result.output, 0, answer
    return True


def complete(store, claim: Claim, result: StepOutcome, ms: int) -> bool:
    """The last step ran: the message is done and leaves the queue. False: claim lost."""

    def body(s: Session) -> bool:
        now = store.clock.now()
        stopped = worktime.stop_overdue(s, now)
        done = s.execute(delete(Message).where(*_mine(claim)),
                         execution_options={"synchronize_session": False}).rowcount
        if not done:
            s.info["flowdeck_changed"] = bool(stopped)
            return False
        s.execute(update(Flow).where(Flow.id == claim.flow_id, Flow.queued > 0)
                  .values(queued=Flow.queued - 1), execution_options={"synchronize_session": False})
        throughput.count(s, claim.flow_id, now, processed=1)
        _write_events(s, claim, now, "execution.succeeded",
                      execution(claim, "succeeded", ms, {**result.detail, "completed": True}),
                      result.logs)
        return True

    return store.run(body, write=True)


def fail(store, claim: Claim, error: StepError, ms: int) -> str:
    """The step failed: retry later, or (retries spent) park the message in a full workspace
    or stop a limited workspace's flow. Returns retrying, parked, flow_stopped or lost."""

    def body(s: Session) -> str:
        now = store.clock.now()
        stopped = worktime.stop_overdue(s, now)
        attempts = s.scalar(select(Message.attempts).where(*_mine(claim)))
        if attempts is None:
            s.info["flowdeck_changed"] = bool(stopped)
            return "lost"
        attempt = attempts + 1
        detail = execution(claim, "", ms, {**error.detail, "attempt": attempt,
                                            "error": error.message})
        if attempt <= STEP_RETRIES:
            wait = retry_delay(attempt)
            s.execute(update(Message).where(*_mine(claim))
                      .values(attempts=attempt, available_at=now + wait, error=error.message,
                              claim=None, claimed_until=None),
                      execution_options={"synchronize_session": False})
            detail.update(outcome="retrying", retry_in=int(wait.total_seconds()))
            _write_events(s, claim, now, "execution.retrying", detail)
            return "retrying"
        kind = s.scalar(select(Workspace.kind).join(Flow, Flow.workspace_id == Workspace.id)
                        .where(Flow.id == claim.flow_id))
        throughput.count(s, claim.flow_id, now, failed=1)
        if kind == "limited":
            detail["outcome"] = "flow_stopped"
            _write_events(s, claim, now, "execution.failed", detail)
            worktime.stop_flow(s, claim.flow_id, now, reason="step_failed", actor_id=None)
            return "flow_stopped"
        s.execute(update(Message).where(*_mine(claim))
                  .values(attempts=attempt, failed=True, error=error.message, claim=None,
                          claimed_until=None, available_at=None),
                  execution_options={"synchronize_session": False})
        detail["outcome"] = "parked"
        _write_events(s, claim, now, "execution.failed", detail)
        return "parked"

    return store.run(body, write=True)


def release(store, claim: Claim) -> None:
    """Give a claim back untouched (the worker is stopping, or the deadline came)."""

    def body(s: Session) -> None:
        s.info["flowdeck_changed"] = False
        s.execute(update(Message).where(*_mine(claim)).values(claim=None, claimed_until=None),
                  execution_options={"synchronize_session": False})

    store.run(body, write=True)
