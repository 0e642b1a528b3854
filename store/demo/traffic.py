"""The demo, running: a worker, the demo's HTTP target and a little webhook traffic.

``running_demo(url, clock)`` starts, in background threads of the calling
process: the runtime (two worker threads, timers, sweeps, and the webhook
server on 127.0.0.1:8470 if that port is free), the target the demo's http
steps call on 127.0.0.1:8471 (a little slow, and flaky on two routes, so
retries and parked messages happen), and a generator that posts bursts of
plausible payloads into the demo's active webhook flows through the same
path a webhook takes (rate limit included). Everything stops when the
``with`` block ends.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import Session, col

from store.models import Contract, Flow, FlowStep, Workspace
from store.runtime import DEFAULT_HOST, DEFAULT_PORT, webhooks
from store.runtime.runner import Runtime
from store.runtime.target import DEMO_PORT, Target

if TYPE_CHECKING:
    from store.clock import Clock
    from store.logs import EventLog

    from ..engine import Store

#: seconds (of real time) between bursts, and the messages in one burst
BURST_EVERY = (1.5, 5.0)
BURST_SIZE = (1, 12)
#: how long the demo target takes to answer, in seconds
TARGET_DELAY = (0.03, 0.25)
#: routes of the demo target that answer 503 now and then (a share of requests)
FLAKY_ROUTES = {"customs": 0.5, "tracking": 0.15}


class Traffic:
    """Bursts of webhook requests into the demo's active webhook flows."""

    def __init__(self, store: Store, wake: Callable[[], None], seed: int | None = None) -> None:
        from store.demo.data import flows as demo_flows

        self.store = store
        self.wake = wake
        self.random = random.Random(seed)
        self.topics = {plan.path: plan.topic for plan in demo_flows()}
        self.sent: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def targets(self) -> list[tuple[str, str]]:
        """(webhook token, path) of every active flow whose trigger is a webhook."""

        def read(s: Session) -> list[tuple[str, str]]:
            rows = s.execute(
                select(col(Flow.webhook_token), col(Contract.name), col(Workspace.name), col(Flow.name))
                .join(Workspace, col(Workspace.id) == col(Flow.workspace_id))
                .join(Contract, col(Contract.id) == col(Workspace.contract_id))
                .join(FlowStep, (col(FlowStep.flow_id) == col(Flow.id)) & (col(FlowStep.position) == 1))
                .where(col(Flow.status) == "active", col(FlowStep.component) == "webhook",
                       col(Flow.webhook_token).is_not(None))).all()
            return [(token, f"{c}/{w}/{f}") for token, c, w, f in rows]

        return self.store.run(read, write=False)

    def burst(self) -> int:
        """Post one burst into one flow; return how many were accepted."""
        from store.demo.data import payload

        flows = self.targets()
        if not flows:
            return 0
        token, path = self.random.choice(flows)
        topic = self.topics.get(path, "event")
        accepted = 0
        for _ in range(self.random.randint(*BURST_SIZE)):
            n = self.sent.get(path, 0) + 1000
            answer = webhooks.accept(self.store, token, payload(topic, n))
            if not answer.accepted:
                break  # rate limited, queue full or stopped meanwhile: try elsewhere next time
            self.sent[path] = self.sent.get(path, 0) + 1
            accepted += 1
        if accepted:
            self.wake()
        return accepted

    def _run(self) -> None:
        while not self._stop.wait(self.random.uniform(*BURST_EVERY)):
            try:
                self.burst()
            except Exception:  # noqa: BLE001 - the demo's traffic must not take the TUI down
                continue

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="flowdeck-demo-traffic", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


@contextmanager
def running_demo(url: str, clock: Clock, *, note: Callable[[str], None] | None = None,
                 log: EventLog | None = None) -> Iterator[dict[str, Any]]:
    """Run the demo's worker, target and traffic for as long as the block lasts."""
    from store.engine import open_store
    from store.errors import FlowdeckError

    say = note or (lambda _text: None)
    info: dict[str, Any] = {"webhooks": None, "target": None}
    store = open_store(url, clock)
    with ExitStack() as stack:
        stack.callback(store.close)
        try:
            target = Target(DEFAULT_HOST, DEMO_PORT, delay=TARGET_DELAY, failures=FLAKY_ROUTES)
        except OSError as exc:
            say(f"note: the demo target cannot listen on {DEFAULT_HOST}:{DEMO_PORT} "
                f"({exc.strerror or exc}); the demo's http steps will fail and retry")
        else:
            target.start()
            stack.callback(target.stop)
            info["target"] = target.url
        try:
            runtime = Runtime(store, concurrency=2, host=DEFAULT_HOST, port=DEFAULT_PORT, log=log)
        except FlowdeckError as exc:
            say(f"note: {exc}; the demo runs without a webhook server")
            runtime = Runtime(store, concurrency=2, port=None, log=log)
        runtime.start()
        stack.callback(runtime.stop, 5.0)
        if runtime.address:
            host, port = runtime.address
            info["webhooks"] = f"http://{host}:{port}/hooks/<token>"
        traffic = Traffic(store, runtime.worker.wake)
        traffic.start()
        stack.callback(traffic.stop)
        yield info
