"""``GET /metrics``: the worker as Prometheus sees it, made with ``prometheus_client``.

Counters of this process (messages processed, retried and failed, flows
auto-stopped by its sweeps, webhook answers by status) and, read from the
store at each scrape, gauges of the whole store (flows by workspace kind and
status, queued messages, seconds until the next Limited deadline). The
registry is our own, not the library's global one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlmodel import Session, col

from ..models import Flow, Workspace

if TYPE_CHECKING:
    from ..engine import Store
    from .worker import Worker


class _StoreAndWorker:
    """Collects at scrape time: the worker's counts and the store's gauges."""

    def __init__(self, store: Store, worker: Worker) -> None:
        self.store = store
        self.worker = worker

    def describe(self) -> list[Metric]:
        return []  # no scrape of the store when the collector is registered

    def collect(self) -> Iterator[Metric]:
        c = self.worker.counts
        yield CounterMetricFamily("flowdeck_messages_processed", "Messages that finished their flow",
                                  value=c.processed)
        yield CounterMetricFamily("flowdeck_messages_retried", "Step failures that will be retried",
                                  value=c.retried)
        failed = CounterMetricFamily("flowdeck_messages_failed",
                                     "Messages whose step kept failing, by outcome",
                                     labels=["outcome"])
        failed.add_metric(["parked"], c.parked)
        failed.add_metric(["flow_stopped"], c.stopped)
        yield failed
        flows, queued, next_deadline = self.store.run(self._read, write=False)
        by = GaugeMetricFamily("flowdeck_flows", "Flows by workspace kind and status",
                               labels=["kind", "status"])
        for (kind, status), n in sorted(flows.items()):
            by.add_metric([kind, status], n)
        yield by
        yield GaugeMetricFamily("flowdeck_queued_messages", "Messages waiting in every flow's queue",
                                value=queued)
        if next_deadline is not None:
            yield GaugeMetricFamily("flowdeck_next_deadline_seconds",
                                    "Seconds until the next active Limited flow stops",
                                    value=next_deadline)

    def _read(self, s: Session) -> tuple[dict[tuple[str, str], int], int, float | None]:
        now = self.store.clock.now()
        flows = {(kind, status): 0 for kind in ("limited", "full")
                 for status in ("inactive", "active", "stopped")}
        for kind, status, n in s.execute(
                select(col(Workspace.kind), col(Flow.status), func.count())
                .join(Workspace, col(Workspace.id) == col(Flow.workspace_id))
                .group_by(col(Workspace.kind), col(Flow.status))):
            flows[(kind, status)] = n
        queued = s.scalar(select(func.coalesce(func.sum(col(Flow.queued)), 0))) or 0
        deadline = s.scalar(select(func.min(col(Flow.deadline))).where(col(Flow.status) == "active",
                                                                  col(Flow.deadline).is_not(None)))
        left = None if deadline is None else max(0.0, (deadline - now).total_seconds())
        return flows, int(queued), left


class Metrics:
    def __init__(self, store: Store, worker: Worker) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.webhooks = Counter("flowdeck_webhook_requests", "Webhook answers by HTTP status",
                                ["status"], registry=self.registry)
        self.auto_stops = Counter("flowdeck_auto_stops", "Flows this worker stopped at their deadline",
                                  registry=self.registry)
        self.registry.register(_StoreAndWorker(store, worker))

    def answered(self, status: int) -> None:
        self.webhooks.labels(str(status)).inc()

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
