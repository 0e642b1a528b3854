"""A whole runtime in one process: the worker threads, timers and sweeps, and the webhook
server (with ``/healthz`` and ``/metrics``). ``flowdeck work`` runs one in the foreground;
``flowdeck demo`` one in the background. Its lines go to an ``EventLog`` (text or JSON).

Housekeeping runs in its own thread: every second it fires the timers that
are due, and every few seconds it runs the work-time sweep (stop overdue
flows, prune the flow log) and drops counters nobody needs any more.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlmodel import Session, col

from .. import worktime
from ..errors import FlowdeckError
from ..logs import EventLog, NullLog, StoreWatch
from ..models import WebhookHit
from ..policy import WEBHOOK_RATE_WINDOW
from ..rows import touched
from . import DEFAULT_HOST, DEFAULT_PORT, throughput
from .metrics import Metrics
from .server import HookServer
from .timers import Timers
from .webhooks import HookAnswer
from .worker import Worker

if TYPE_CHECKING:
    from ..engine import Store

TIMER_EVERY = 1.0  # seconds between timer checks
SWEEP_EVERY = 5.0  # seconds between work-time sweeps
SUMMARY_EVERY = 60.0  # seconds between "processed=…" lines (when something happened)


class Runtime:
    def __init__(self, store: Store, *, concurrency: int = 1, host: str = DEFAULT_HOST,
                 port: int | None = DEFAULT_PORT, log: EventLog | None = None,
                 http_timeout: float | None = None) -> None:
        """``port=None``: no webhook server (the demo when its port is taken)."""
        self.store = store
        self.log = log or NullLog()
        self.watch = StoreWatch(self.log)
        self.worker = Worker(store, concurrency=concurrency, log=self.log, watch=self.watch,
                             http_timeout=http_timeout)
        self.timers = Timers(store)
        self.metrics = Metrics(store, self.worker)
        self.server = HookServer(store, host, port, self._answered, metrics=self.metrics,
                                 on_health=self._health) if port is not None else None
        self._stop = threading.Event()
        self._house: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int] | None:
        return self.server.address if self.server else None

    def start(self) -> None:
        if self.server:
            self.server.start()
        self.worker.start()
        self._house = threading.Thread(target=self._housekeeping, name="flowdeck-housekeeping",
                                       daemon=True)
        self._house.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop taking work; let steps in progress finish (up to ``timeout`` seconds)."""
        self._stop.set()
        if self.server:
            self.server.stop()
        self.worker.stop()
        self.worker.join(timeout)
        if self._house is not None:
            self._house.join(5)

    # -- webhooks -------------------------------------------------------------------------
    def _answered(self, answer: HookAnswer) -> None:
        self.metrics.answered(answer.status)
        fields: dict[str, Any] = {"flow": answer.flow_id if answer.flow_id is not None else "-",
                        "status": answer.status}
        if answer.accepted:
            self.worker.wake()
            fields["queued"] = answer.body.get("queued")
        if answer.status == 429:
            fields["retry_after"] = answer.retry_after
        self.log("webhook", **fields)

    def _health(self, reason: str | None, began: float) -> None:
        if reason is None:
            self.watch.ok(began)

    # -- housekeeping ---------------------------------------------------------------------
    def _housekeeping(self) -> None:
        next_sweep = time.monotonic()
        next_summary = time.monotonic() + SUMMARY_EVERY
        last = None
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                for path, what in self.timers.fire_due():
                    self.log("timer", text=f"timer flow={_quoted(path)} {what}", flow=path,
                             what=what)
                    self.worker.wake()
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + SWEEP_EVERY
                    self.sweep()
                self.watch.ok(began)
            except FlowdeckError as exc:
                self.watch.failed(exc)
            except Exception as exc:  # noqa: BLE001 - housekeeping must outlive one bad turn
                self.log.error(exc)
            if time.monotonic() >= next_summary:
                next_summary = time.monotonic() + SUMMARY_EVERY
                c = self.worker.counts
                now = (c.processed, c.retried, c.parked, c.stopped)
                if now != last:
                    last = now
                    self.log("work.summary", text=f"processed={c.processed} retried={c.retried} "
                             f"parked={c.parked} flows_stopped={c.stopped}",
                             processed=c.processed, retried=c.retried, parked=c.parked,
                             flows_stopped=c.stopped)
            self._stop.wait(TIMER_EVERY)

    def sweep(self) -> None:
        result = worktime.sweep(self.store)
        for path in result.flows:
            self.metrics.auto_stops.inc()
            self.log("flow.auto_stopped", path=path)

        def prune(s: Session) -> None:
            now = self.store.clock.now()
            dropped = touched(s.execute(
                delete(WebhookHit).where(col(WebhookHit.at) <= now - WEBHOOK_RATE_WINDOW),
                execution_options={"synchronize_session": False})) or 0
            dropped += throughput.prune(s, now)
            s.info["flowdeck_changed"] = False

        self.store.run(prune, write=True)


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
