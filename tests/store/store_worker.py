"""One process of the concurrency test: sweeps, reads and writes one shared store.

Run as ``python store_worker.py DB_URL NOW INDEX ROUNDS``. The clock starts at
NOW (as ``flowdeck --now`` does) and runs forward in real time. The worker
prints ``ready``, waits for a line on stdin so that every worker starts
together, then works and prints one JSON line: what it did and every error.
"""

from __future__ import annotations

import json
import sys

from store.clock import Clock, parse_instant
from store.engine import open_store
from store.services import Flowdeck

BATCHES = 12  # limited flows "Acme/Staging/Batch NN", all overdue at NOW


def main() -> int:
    url, now, index, rounds = sys.argv[1], parse_instant(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    store = open_store(url, Clock(start=now))
    system = Flowdeck(store, None)
    guest = Flowdeck(store, "gus@acme.example")
    integ = Flowdeck(store, "ivan@acme.example")
    steady = f"Acme/Production/Steady {index + 1}"  # a Full flow of this worker's own
    mine = f"Acme/Staging/Batch {index * 3 + 1:02d}"  # a limited flow this worker restarts
    print("ready", flush=True)
    sys.stdin.readline()
    done, errors = 0, []

    def attempt(what, call):
        nonlocal done
        try:
            call()
            done += 1
        except Exception as exc:  # noqa: BLE001 - every error is reported to the test
            errors.append(f"{what}: {type(exc).__name__}: {exc}")

    for i in range(rounds):
        batch = f"Acme/Staging/Batch {(index * 5 + i) % BATCHES + 1:02d}"
        attempt("sweep", system.sweep)
        attempt("list", lambda: guest.list_flows("Acme"))
        attempt("read", lambda b=batch: guest.get_flow(b))
        attempt("send", lambda: integ.send_messages(steady, count=5))
        attempt("stop", lambda: integ.stop_flow(steady))
        attempt("start", lambda: integ.start_flow(steady))
        attempt("send again", lambda: integ.send_messages(steady, count=3))
        if i % 5 == 0:
            attempt("restart", lambda: integ.restart_flow(mine))
    store.close()
    print(json.dumps({"index": index, "done": done, "errors": errors}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
