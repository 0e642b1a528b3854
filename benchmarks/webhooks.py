"""The ``work`` port under load, and messages end to end (webhook in, target reached).

- webhook requests per second that a running ``flowdeck work`` answers from
  ``CLIENTS`` concurrent clients, and their p99 latency; the flows are spread
  over enough contracts that the rate limit (60 a minute per contract) leaves
  every request accepted (202);
- messages per second end to end, with 1 and with 4 worker threads: from the
  first request until the target has every message.

The load tool is ``benchmarks/load.py``: an aiohttp client (aiohttp comes with
textual-serve, so it costs nothing to install) in a process of its own, with
``CLIENTS`` connections kept alive. Everything runs on 127.0.0.1 on a fresh
SQLite store.

    python -m benchmarks.webhooks [--requests N] [--clients N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .target import target_process

CLIENTS = 50
FLOWDECK = str(Path(sys.executable).with_name("flowdeck"))
PER_CONTRACT = 50  # requests per contract and run: under the limit of 60 a minute
LOAD = str(Path(__file__).with_name("load.py"))


def _store(tmp: Path, contracts: int, target_url: str | None) -> tuple[str, list[str]]:
    """A fresh store with one active webhook flow in each of ``contracts`` contracts;
    its URL and the flows' webhook paths."""
    from store.clock import Clock
    from store.engine import init_store
    from store.services import Flowdeck

    url = f"sqlite:///{tmp / 'bench.db'}"
    store = init_store(url, Clock())
    paths = []
    try:
        email = "bench@flowdeck.example"
        Flowdeck(store, None).add_user(email, "Bench")
        fd = Flowdeck(store, email)
        steps = [("webhook", None), ("http", None)] if target_url else [("webhook", None)]
        for i in range(contracts):
            ws = f"Bench {i:03d}/Production"
            fd.create_contract(f"Bench {i:03d}")
            fd.create_workspace(ws)
            fd.convert_workspace(ws, "full")
            flow = fd.create_flow(f"{ws}/Orders", steps)
            if target_url:
                fd.set_step(flow.path, 2, "url", f"{target_url}/orders")
            paths.append(fd.start_flow(flow.path).webhook_path)
    finally:
        store.close()
    return url, paths


def _work(tmp: Path, url: str, concurrency: int) -> tuple[subprocess.Popen, int]:
    log = open(tmp / f"work-{concurrency}.log", "w+")  # noqa: SIM115 - closed with the process
    env = {**os.environ, "FLOWDECK_DB": url, "XDG_DATA_HOME": str(tmp / "data")}
    proc = subprocess.Popen([FLOWDECK, "work", "--port", "0", "--concurrency", str(concurrency)],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        first = Path(log.name).read_text().split("\n", 1)[0]
        if " port=" in first:
            return proc, int(first.split(" port=")[1].split()[0])
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"flowdeck work did not start: {Path(log.name).read_text()[:500]}")


def _load(port: int, paths: list[str], requests: int, clients: int) -> dict:
    out = subprocess.run([sys.executable, LOAD, str(port), str(requests), str(clients)],
                         input="\n".join(paths), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _processed(url: str) -> int:
    from sqlalchemy import func, select

    from store.clock import Clock
    from store.engine import open_store
    from store.models import FlowThroughput

    store = open_store(url, Clock())
    try:
        return store.run(lambda s: s.scalar(select(func.coalesce(func.sum(FlowThroughput.processed),
                                                                 0))), write=False)
    finally:
        store.close()


def requests_per_second(requests: int, clients: int) -> dict:
    if requests <= 0:
        return {}
    with tempfile.TemporaryDirectory(prefix="flowdeck-bench-") as name:
        tmp = Path(name)
        url, paths = _store(tmp, math.ceil(requests / PER_CONTRACT), None)
        proc, port = _work(tmp, url, 1)
        try:
            _load(port, paths, min(requests, 500), clients)  # warm up (those count: see PER_CONTRACT)
            result = _load(port, paths, requests - min(requests, 500), clients)
        finally:
            proc.terminate()
            proc.wait(30)
    return result


def end_to_end(messages: int, clients: int, concurrency: int, target_url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="flowdeck-bench-") as name:
        tmp = Path(name)
        url, paths = _store(tmp, math.ceil(messages / PER_CONTRACT), target_url)
        proc, port = _work(tmp, url, concurrency)
        try:
            started = time.perf_counter()
            load = _load(port, paths, messages, clients)
            accepted = load["statuses"].get("202", 0)
            while _processed(url) < accepted:
                if time.perf_counter() - started > 600:
                    raise RuntimeError("the messages did not all arrive within 10 minutes")
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(30)
    return {"messages": accepted, "seconds": round(elapsed, 2),
            "per_second": round(accepted / elapsed, 1), "threads": concurrency}


def measure(requests: int = 5_000, clients: int = CLIENTS, messages: int = 2_000,
            target_delay: float = 0.0) -> dict:
    load = requests_per_second(requests, clients)
    with target_process(target_delay) as target_url:
        e2e = {n: end_to_end(messages, clients, n, target_url) for n in (1, 4)}
    return {"load": load, "end_to_end": e2e}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.webhooks",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--target-delay", type=float, default=0.0, metavar="SECONDS",
                        help="the target answers after this long (a partner API's latency)")
    parser.add_argument("--no-load", action="store_true", help="only the end-to-end figures")
    args = parser.parse_args(argv)
    result = measure(0 if args.no_load else args.requests, args.clients, args.messages,
                     args.target_delay)
    load = result["load"]
    if load:
        print(f"webhooks: {load['per_second']} requests/s from {args.clients} clients "
              f"({load['count']} requests, statuses {load['statuses']}), "
              f"p99 {load['p99_ms']} ms, p50 {load['p50_ms']} ms")
    for n, e in result["end_to_end"].items():
        print(f"end to end with {n} worker thread(s), target answering after "
              f"{args.target_delay:g} s: {e['per_second']} messages/s "
              f"({e['messages']} in {e['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
