"""The queue, as the worker sees it: claim a message, move it on, finish or fail it.

Each function is one transaction. A claim is a conditional UPDATE that
only takes a message nobody holds (or whose holder's lease has lapsed) of
an active flow whose deadline has not come, so any number of workers may
claim at once. Moving on, finishing and failing succeed only while the
claim is still the caller's and the flow may still run: a flow stopped
meanwhile has dropped the message, one whose deadline came keeps it for
the sweep to drop, and what the step produced is thrown away. A worker that
dies holding a claim loses nothing; the lease lapses and another worker
runs the step again (at-least-once).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import ColumnElement, and_, delete, exists, insert, or_, select, update
from sqlmodel import Session, col

from .. import worktime
from ..models import Contract, Credential, Event, Flow, FlowRevision, Message, Workspace
from ..policy import CLAIM_LEASE, STEP_RETRIES, retry_delay
from ..rows import touched
from . import throughput
from .steps import StepError, StepOutcome, StepSpec

if TYPE_CHECKING:
    from ..engine import Store


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

    def key(self, step: int) -> str:
        """Names a step of this message for the target, the same on every retry."""
        stamp = int(self.enqueued_at.timestamp()) if self.enqueued_at else 0
        return f"flowdeck-{self.flow_id}-{self.message_id}-{stamp}-{step}"

    def next_after(self, step: int) -> int | None:
        later = [p for p in self.steps if p > step]
        return min(later) if later else None


_pick = random.Random()


def _live(now: datetime) -> ColumnElement[bool]:
    """A flow that may run now: active, and its deadline (if any) not come."""
    return and_(col(Flow.status) == "active", or_(col(Flow.deadline).is_(None), col(Flow.deadline) > now))


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(col(Message.claimed_until).is_(None), col(Message.claimed_until) <= now)


def claim_next(store: Store, token: str) -> Claim | None:
    """Take the oldest message that may run now of a flow chosen at random among those that
    have one (so one flow's backlog does not starve the others), or None."""

    def body(s: Session) -> Claim | None:
        s.info["flowdeck_changed"] = False  # a claim alone changes nothing anyone sees
        now = store.clock.now()
        live = _live(now)
        runnable = and_(col(Message.failed).is_(False),
                        or_(col(Message.available_at).is_(None), col(Message.available_at) <= now),
                        _claimable(now))
        waiting = s.scalars(select(col(Flow.id)).where(
            live, exists().where(col(Message.flow_id) == col(Flow.id), runnable))).all()
        if not waiting:
            return None
        oldest = (
            select(col(Message.id)).join(Flow, col(Flow.id) == col(Message.flow_id))
            .where(col(Message.flow_id) == _pick.choice(waiting), live, runnable)
            .order_by(col(Message.id)).limit(1).scalar_subquery()
        )
        row = s.execute(
            update(Message).where(col(Message.id) == oldest, _claimable(now))
            .values(claim=token, claimed_until=now + CLAIM_LEASE)
            .returning(col(Message.id), col(Message.flow_id), col(Message.step), col(Message.payload),
                       col(Message.attempts), col(Message.enqueued_at), col(Message.revision)),
            execution_options={"synchronize_session": False},
        ).first()
        if row is None:
            return None
        mid, fid, step, payload, attempts, enqueued_at, revision = row
        cname, cid, wname, wid, fname, deadline = s.execute(
            select(col(Contract.name), col(Contract.id), col(Workspace.name), col(Workspace.id),
                   col(Flow.name), col(Flow.deadline))
            .join(Workspace, col(Workspace.id) == col(Flow.workspace_id))
            .join(Contract, col(Contract.id) == col(Workspace.contract_id)).where(col(Flow.id) == fid)).one()
        return Claim(mid, fid, step, payload, attempts, token, f"{cname}/{wname}/{fname}", cid,
                     wid, deadline, revision_steps(s, fid, revision, wid), enqueued_at)

    return store.run(body, write=True)


def revision_steps(s: Session, flow_id: int, revision: int, workspace_id: int
                   ) -> dict[int, StepSpec]:
    """The steps of one revision of a flow, as the worker runs them: a message runs through
    the revision it entered with, never another. A credential deleted since is no credential
    (as a deleted credential leaves a step of the current revision without one)."""
    steps = s.scalar(select(col(FlowRevision.steps)).where(col(FlowRevision.flow_id) == flow_id,
                                                      col(FlowRevision.number) == revision)) or []
    ids = [x["credential_id"] for x in steps if x.get("credential_id")]
    creds = {i: (name, sealed) for i, name, sealed in s.execute(
        select(col(Credential.id), col(Credential.name), col(Credential.secret))
        .where(col(Credential.id).in_(ids), col(Credential.workspace_id) == workspace_id))} if ids else {}
    return {
        pos: StepSpec(pos, x["component"], dict(x.get("settings") or {}),
                      *creds.get(x.get("credential_id"), (None, None)))
        for pos, x in enumerate(steps, start=1)
    }


def _mine(claim: Claim, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """The claimed message, while the claim is the caller's and its flow may still run."""
    return (col(Message.id) == claim.message_id, col(Message.claim) == claim.token,
            col(Message.flow_id).in_(select(col(Flow.id)).where(col(Flow.id) == claim.flow_id, _live(now))))


def _log(claim: Claim, at: datetime, kind: str, detail: dict[str, Any]) -> dict[str, Any]:
    return dict(at=at, actor_id=None, kind=kind, category="log", contract_id=claim.contract_id,
                workspace_id=claim.workspace_id, flow_id=claim.flow_id, path=claim.path,
                detail=detail)


@dataclass(frozen=True)
class StepRun:
    """One step that ran on the claimed message: where, what it produced, how long it took."""

    step: int
    component: str
    result: StepOutcome
    ms: int


def execution(claim: Claim, step: int, component: str | None, outcome: str, ms: int,
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"message": claim.message_id, "step": step, "component": component,
            "outcome": outcome, "ms": ms, **(extra or {})}


def _log_runs(claim: Claim, now: datetime, runs: list[StepRun], completed: bool) -> list[dict[str, Any]]:
    rows = []
    for i, run in enumerate(runs):
        extra = dict(run.result.detail)
        if completed and i == len(runs) - 1:
            extra["completed"] = True
        rows.append(_log(claim, now, "execution.succeeded",
                         execution(claim, run.step, run.component, "succeeded", run.ms, extra)))
        rows += [_log(claim, now, "log.written", entry) for entry in run.result.logs]
    return rows


def move_on(store: Store, claim: Claim, runs: list[StepRun]) -> bool:
    """Steps ran: hand the last one's output to the next step (keeping the claim), or, after
    the last step, finish the message (it leaves the queue). One transaction, with one
    execution event per step. False: the claim was lost (the flow stopped, or its deadline
    came) and what the steps produced is thrown away."""
    last = runs[-1]
    nxt = claim.next_after(last.step)

    def body(s: Session) -> datetime | None | Literal[False]:
        now = store.clock.now()
        if nxt is not None:
            done = touched(s.execute(
                update(Message).where(*_mine(claim, now))
                .values(step=nxt, payload=last.result.output, attempts=0, available_at=None,
                        error=None, claimed_until=now + CLAIM_LEASE),
                execution_options={"synchronize_session": False}))
        else:
            done = touched(s.execute(delete(Message).where(*_mine(claim, now)),
                                     execution_options={"synchronize_session": False}))
        if not done:
            s.info["flowdeck_changed"] = False
            return False
        if nxt is None:
            s.execute(update(Flow).where(col(Flow.id) == claim.flow_id, col(Flow.queued) > 0)
                      .values(queued=col(Flow.queued) - 1),
                      execution_options={"synchronize_session": False})
            throughput.count(s, claim.flow_id, now, processed=1)
        s.execute(insert(Event), _log_runs(claim, now, runs, completed=nxt is None))
        deadline: datetime | None = s.scalar(select(col(Flow.deadline)).where(col(Flow.id) == claim.flow_id))
        return deadline

    answer = store.run(body, write=True)
    if answer is False:
        return False
    if nxt is not None:
        claim.step, claim.payload, claim.attempts, claim.deadline = (
            nxt, last.result.output, 0, answer)
    return True


def fail(store: Store, claim: Claim, error: StepError, ms: int) -> str:
    """The step failed: retry later, or (retries spent) park the message in a full workspace
    or stop a limited workspace's flow. Returns retrying, parked, flow_stopped or lost."""

    def body(s: Session) -> str:
        now = store.clock.now()
        attempts = s.scalar(select(col(Message.attempts)).where(*_mine(claim, now)))
        if attempts is None:
            s.info["flowdeck_changed"] = False
            return "lost"
        attempt = attempts + 1
        spec = claim.steps.get(claim.step)
        detail = execution(claim, claim.step, spec.component if spec else None, "", ms,
                           {**error.detail, "attempt": attempt, "error": error.message})
        if attempt <= STEP_RETRIES:
            wait = retry_delay(attempt)
            s.execute(update(Message).where(*_mine(claim, now))
                      .values(attempts=attempt, available_at=now + wait, error=error.message,
                              claim=None, claimed_until=None),
                      execution_options={"synchronize_session": False})
            detail.update(outcome="retrying", retry_in=int(wait.total_seconds()))
            s.execute(insert(Event), [_log(claim, now, "execution.retrying", detail)])
            return "retrying"
        kind = s.scalar(select(col(Workspace.kind)).join(Flow, col(Flow.workspace_id) == col(Workspace.id))
                        .where(col(Flow.id) == claim.flow_id))
        throughput.count(s, claim.flow_id, now, failed=1)
        if kind == "limited":
            detail["outcome"] = "flow_stopped"
            s.execute(insert(Event), [_log(claim, now, "execution.failed", detail)])
            worktime.stop_flow(s, claim.flow_id, now, reason="step_failed", actor_id=None)
            return "flow_stopped"
        s.execute(update(Message).where(*_mine(claim, now))
                  .values(attempts=attempt, failed=True, error=error.message, claim=None,
                          claimed_until=None, available_at=None),
                  execution_options={"synchronize_session": False})
        detail["outcome"] = "parked"
        s.execute(insert(Event), [_log(claim, now, "execution.failed", detail)])
        return "parked"

    return store.run(body, write=True)


def release(store: Store, claim: Claim) -> None:
    """Give a claim back untouched (the worker is stopping, or the deadline came)."""

    def body(s: Session) -> None:
        s.info["flowdeck_changed"] = False
        s.execute(update(Message).where(col(Message.id) == claim.message_id,
                                        col(Message.claim) == claim.token)
                  .values(claim=None, claimed_until=None),
                  execution_options={"synchronize_session": False})

    store.run(body, write=True)
