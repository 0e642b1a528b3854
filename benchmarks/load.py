"""A small load tool: N JSON POSTs from C concurrent keep-alive clients (aiohttp).

    python benchmarks/load.py PORT REQUESTS CLIENTS < paths   (one webhook path a line)

Prints one JSON object: count, seconds, per_second, statuses, p50_ms, p99_ms. The
paths are used in turn, so requests spread evenly over them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections import Counter

import aiohttp

BODY = json.dumps({"order": {"id": "SO-10420", "lines": [{"sku": "NW-CHAI-24", "price": 18.0}]}})


async def run(port: int, paths: list[str], total: int, clients: int) -> dict:
    turn = itertools.cycle(paths)
    left = iter(range(total))
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    connector = aiohttp.TCPConnector(limit=clients)
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def client() -> None:
            for _ in left:
                url = f"http://127.0.0.1:{port}{next(turn)}"
                began = time.perf_counter()
                async with session.post(url, data=BODY) as response:
                    await response.read()
                latencies.append(time.perf_counter() - began)
                statuses[str(response.status)] += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 1) \
            if latencies else 0.0

    return {"count": len(latencies), "seconds": round(elapsed, 3),
            "per_second": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
            "statuses": dict(statuses), "p50_ms": pct(0.50), "p99_ms": pct(0.99)}


def main() -> int:
    port, total, clients = (int(a) for a in sys.argv[1:4])
    paths = [line.strip() for line in sys.stdin if line.strip()]
    print(json.dumps(asyncio.run(run(port, paths, total, clients))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
