"""The worker: threads that take messages through their flows' steps.

Each thread claims one message, runs its step, and moves it on in one
transaction; while it still holds the claim it goes on with the next step
of the same message, so a message usually crosses its flow in one go.
Failures are retried with back-off, then parked (full workspaces) or stop
the flow (limited ones); see ``queue.fail``.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import FlowdeckError
from ..logs import EventLog, NullLog, StoreWatch
from . import queue
from .steps import StepError, run_step

if TYPE_CHECKING:
    from ..engine import Store

#: Steps whose only effects are in the store: they run back to back and commit together.
IN_STORE = ("webhook", "timer", "transform", "log")
#: A thread with nothing to do looks again after this many seconds (or when woken).
IDLE_WAIT = 0.25
#: After a store error a thread waits this long before it tries again.
ERROR_WAIT = 1.0



@dataclass
class Counts:
    processed: int = 0  # messages that finished their flow
    steps: int = 0  # steps that ran successfully
    retried: int = 0
    parked: int = 0
    stopped: int = 0  # flows stopped because a step kept failing


class Worker:
    def __init__(self, store: Store, *, concurrency: int = 1, log: EventLog | None = None,
                 http_timeout: float | None = None, watch: StoreWatch | None = None) -> None:
        """``http_timeout``: the http step's limit in seconds, for tests (None: the policy's).
        ``watch`` says once that the store is lost, and once that it is back."""
        self.store = store
        self.http_timeout = http_timeout
        self.concurrency = max(1, int(concurrency))
        self.log = log or NullLog()
        self.watch = watch or StoreWatch(self.log)
        self.counts = Counts()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._threads: list[threading.Thread] = []

    # -- one message --------------------------------------------------------------
    def process_one(self) -> bool:
        """Claim one message and take it as far as it goes. False: nothing to do."""
        claim = queue.claim_next(self.store, uuid.uuid4().hex)
        if claim is None:
            return False
        while True:
            if self._stop.is_set() or self._past_deadline(claim):
                queue.release(self.store, claim)
                return True
            runs, failure = self._run_steps(claim)
            if runs:
                if not queue.move_on(self.store, claim, runs):
                    return True
                finished = claim.next_after(runs[-1].step) is None
                self._add(steps=len(runs), processed=int(finished))
                if finished:
                    return True
            if failure is not None:
                self._failed(claim, *failure)
                return True

    def _run_steps(self, claim: queue.Claim) -> tuple[list[queue.StepRun], tuple[StepError, int] | None]:
        """Run the message's steps from where it is: those that only touch the store back to
        back, up to and including the first that reaches outside (http), which must be
        committed before anything else runs. Returns the runs, and a failure if one failed."""
        runs: list[queue.StepRun] = []
        step, payload = claim.step, claim.payload
        while True:
            spec = claim.steps.get(step)
            if spec is None:
                return runs, (StepError(f"the flow has no step {step}"), 0)
            started = time.perf_counter()
            try:
                result = run_step(self.store, spec, payload, message_id=claim.message_id,
                                  key=claim.key(step), http_timeout=self.http_timeout)
            except StepError as exc:
                return runs, (exc, _ms(started))
            runs.append(queue.StepRun(step, spec.component, result, _ms(started)))
            nxt = claim.next_after(step)
            if nxt is None or spec.component not in IN_STORE or self._stop.is_set():
                return runs, None
            step, payload = nxt, result.output

    def _past_deadline(self, claim: queue.Claim) -> bool:
        return claim.deadline is not None and self.store.clock.now() >= claim.deadline

    def _failed(self, claim: queue.Claim, exc: StepError, ms: int) -> None:
        step = claim.step
        component = claim.steps[step].component if step in claim.steps else "-"
        outcome = queue.fail(self.store, claim, exc, ms)
        where: dict[str, Any] = {"flow": claim.path, "step": step, "component": component,
                 "message": claim.message_id}
        if outcome == "retrying":
            self._add(retried=1)
            self.log("execution.retrying", level="warning", **where, attempt=claim.attempts + 1,
                     error=str(exc))
        elif outcome == "parked":
            self._add(parked=1)
            self.log("execution.failed", level="warning", **where, outcome="parked", error=str(exc))
        elif outcome == "flow_stopped":
            self._add(stopped=1)
            self.log("flow.stopped", level="warning", **where, reason="step_failed",
                     error=str(exc))

    def _add(self, **counts: int) -> None:
        with self._lock:
            for key, n in counts.items():
                setattr(self.counts, key, getattr(self.counts, key) + n)

    def drain(self, limit: int | None = None) -> int:
        """Process messages in this thread until none may run now; return how many."""
        done = 0
        while (limit is None or done < limit) and self.process_one():
            done += 1
        return done

    # -- threads ----------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        for i in range(self.concurrency):
            thread = threading.Thread(target=self._run, name=f"flowdeck-worker-{i + 1}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def wake(self) -> None:
        """Something was enqueued: idle threads look now rather than at their next poll."""
        with self._wake:
            self._wake.notify_all()

    def stop(self) -> None:
        self._stop.set()
        self.wake()

    def join(self, timeout: float | None = None) -> None:
        end = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if end is None else max(0.0, end - time.monotonic()))
        self._threads = [t for t in self._threads if t.is_alive()]

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                busy = self.process_one()
            except FlowdeckError as exc:
                self.watch.failed(exc)  # said once, however long the store stays away
                self._stop.wait(ERROR_WAIT)
                continue
            except Exception as exc:  # noqa: BLE001 - a worker thread must not die of one message
                self.log.error(exc)
                self._stop.wait(ERROR_WAIT)
                continue
            self.watch.ok(began)
            if not busy:
                with self._wake:
                    if not self._stop.is_set():
                        self._wake.wait(IDLE_WAIT)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
