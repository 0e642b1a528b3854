"""Another process that keeps writing to a store: messages in, stops and starts, events.

Run as ``python busy_writer.py DB_URL SECONDS``: prints ``ready``, then writes to
``Acme/Staging/Orders`` (the world's active flow) for SECONDS and prints one
line ``done N`` with the number of transactions it committed. Every error is
printed on stderr and makes the exit code 1.
"""

from __future__ import annotations

import sys
import time

from store.clock import Clock
from store.engine import open_store
from store.services import Flowdeck

FLOW = "Acme/Staging/Orders"


def main() -> int:
    url, seconds = sys.argv[1], float(sys.argv[2])
    store = open_store(url, Clock())
    integ = Flowdeck(store, "ivan@acme.example")
    print("ready", flush=True)
    done, end = 0, time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            if integ.get_flow(FLOW).status != "active":
                integ.start_flow(FLOW)
            elif done % 20 == 19:
                integ.stop_flow(FLOW)
            else:
                integ.send_messages(FLOW, count=7)
            done += 1
    except Exception as exc:  # noqa: BLE001 - reported to the test
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        store.close()
    print(f"done {done}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
