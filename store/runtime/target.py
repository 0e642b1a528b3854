"""A small HTTP target on loopback that answers like a partner's API, for the demo and the
benchmark (the demo's http steps point at http://127.0.0.1:8471/<route>).

POST, PUT and PATCH answer ``{"accepted": true, "route", "id", "received"}``; GET
answers a plausible record for the route (stock for ``inventory`` and
``prices``, a shipment for ``rates``). ``delay`` slows every answer (a
range in seconds) and ``failures`` makes routes answer 503 now and then.
"""

from __future__ import annotations

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..policy import MAX_BODY_BYTES

DEMO_PORT = 8471
SKUS = ("NW-CHAI-24", "NW-CHANG-12", "NW-ANISE-6", "NW-CAJUN-48", "NW-GUMBO-36")


def sample(route: str, n: int) -> dict[str, Any]:
    if route in ("inventory", "prices", "stock"):
        return {"sku": SKUS[n % 5], "onHand": 40 + (n * 13) % 200, "reserved": (n * 7) % 30}
    if route == "rates":
        return {"shipment": {"id": f"SHP-{78000 + n}", "order": f"SO-{10400 + n}",
                             "status": ("quoted", "booked")[n % 2]}}
    return {"ok": True, "route": route, "n": n}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    target: Target

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        target = self.server.target
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, MAX_BODY_BYTES)) if length else b""
        route = self.path.split("?", 1)[0].strip("/").split("/", 1)[0]
        n = target.hit(route)
        low, high = target.delay
        if high > 0:
            time.sleep(target.random.uniform(low, high))
        if target.random.random() < target.failures.get(route, 0.0):
            return self._reply(503, {"error": f"{route} is briefly unavailable"})
        if self.command == "GET":
            return self._reply(200, sample(route, n))
        try:
            received = json.loads(raw) if raw.strip() else None
        except ValueError:
            received = None
        self._reply(200, {"accepted": True, "route": route, "id": f"{route}-{n}",
                          "received": received})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815


class Target:
    def __init__(self, host: str = "127.0.0.1", port: int = DEMO_PORT, *,
                 delay: tuple[float, float] = (0.0, 0.0), failures: dict[str, float] | None = None,
                 seed: int | None = None) -> None:
        self.delay = delay
        self.failures = dict(failures or {})
        self.random = random.Random(seed)
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)  # OSError when the port is taken
        self._server.target = self
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    def hit(self, route: str) -> int:
        with self._lock:
            n = self.counts[route] = self.counts.get(route, 0) + 1
            return n

    def start(self) -> Target:
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.2}, name="flowdeck-target",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()
