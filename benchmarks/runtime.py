"""Messages per second one worker moves through a three-step flow.

The flow is webhook → transform (JSONata) → http (bearer token) to a local
target that runs in its own process on 127.0.0.1. Each run fills a fresh
SQLite store's queue with messages, then times one worker thread taking
them all through the flow (a claim, then one transaction per step, as in
production). The figure is the median of several runs.

    python -m benchmarks.runtime [--runs N] [--messages N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .target import target_process

EXPRESSION = '{"id": order.id, "total": $sum(order.lines.price), "lines": $count(order.lines)}'
ORDER = {"order": {"id": "SO-10420", "customer": "C-2207",
                   "lines": [{"sku": "NW-CHAI-24", "qty": 2, "price": 18.0},
                             {"sku": "NW-ANISE-6", "qty": 1, "price": 10.5}]}}


def one_run(target_url: str, messages: int) -> float:
    """Messages per second for one run on a fresh store."""
    from store.clock import Clock
    from store.runtime.worker import Worker
    from store.services import Flowdeck

    from .generate import create_store

    with tempfile.TemporaryDirectory(prefix="flowdeck-bench-") as tmp:
        store = create_store(f"sqlite:///{Path(tmp) / 'bench.db'}", Clock())
        try:
            email = "bench@flowdeck.example"
            Flowdeck(store, None).add_user(email, "Bench")  # the first user: support staff
            fd = Flowdeck(store, email)
            fd.create_contract("Bench")
            fd.create_workspace("Bench/Production")
            fd.convert_workspace("Bench/Production", "full")
            fd.add_credential("Bench/Production/Target", "http", {"token": "bench-token-0000"})
            path = "Bench/Production/Orders"
            fd.create_flow(path, [("webhook", None), ("transform", None), ("http", "Target")])
            fd.set_step(path, 2, "expression", EXPRESSION)
            fd.set_step(path, 3, "url", f"{target_url}/orders")
            fd.start_flow(path)
            fd.send_messages(path, count=messages, payload=ORDER)
            worker = Worker(store, concurrency=1)
            started = time.perf_counter()
            done = worker.drain()
            elapsed = time.perf_counter() - started
            if done != messages or worker.counts.processed != messages:
                raise RuntimeError(f"the worker finished {worker.counts.processed} of {messages}")
            return messages / elapsed
        finally:
            store.close()


def measure(runs: int = 5, messages: int = 300) -> dict:
    """The benchmark as the harness reads it: {"name", "value", "unit", ...}."""
    with target_process() as url:
        one_run(url, min(messages, 50))  # warm up: imports, JSONata, connections
        rates = [one_run(url, messages) for _ in range(runs)]
    return {"name": "messages a second one worker moves through a three-step flow",
            "value": round(statistics.median(rates), 1),
            "unit": "messages/s", "runs": [round(r, 1) for r in rates], "messages": messages,
            "flow": "webhook → transform → http", "workers": 1}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.runtime", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args(argv)
    result = measure(args.runs, args.messages)
    print(f"{result['name']}: {result['value']} {result['unit']} (median of {args.runs} runs of "
          f"{args.messages} messages; one worker; {result['flow']}; runs: "
          f"{', '.join(map(str, result['runs']))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
