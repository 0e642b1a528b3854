"""Helpers for the runtime's tests: a recording HTTP target, a webhook poster, the CLI.

Everything listens on 127.0.0.1 with ephemeral ports; nothing leaves the
machine. No pytest here.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from processes import FLOWDECK, env_for

from store.clock import iso

#: The world's flow the runtime tests run (webhook → transform → http).
ORDERS = "Acme/Staging/Orders"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


Answer = Callable[[Received], tuple[int, Any]]


class Recorder:
    """A target that records every request and answers ``answer(request)`` (default 200 OK).

    ``hold(n)`` makes the n-th request wait, inside the handler, until ``release()``.
    """

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answer: Answer = lambda _r: (200, {"ok": True})
        self._lock = threading.Lock()
        self._hold_at: int | None = None
        self.holding = threading.Event()
        self._release = threading.Event()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                received = Received(self.command, self.path, dict(self.headers.items()),
                                    json.loads(raw) if raw else None)
                with recorder._lock:
                    recorder.requests.append(received)
                    n = len(recorder.requests)
                if n == recorder._hold_at:
                    recorder.holding.set()
                    recorder._release.wait(30)
                status, body = recorder.answer(received)
                data = json.dumps(body).encode() if not isinstance(body, bytes) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def hold(self, n: int) -> None:
        self._hold_at = n

    def release(self) -> None:
        self._release.set()

    def bodies(self) -> list[Any]:
        with self._lock:
            return [r.body for r in self.requests]

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()


def post(url: str, body: Any, timeout: float = 10) -> tuple[int, dict[str, Any], dict[str, str]]:
    """POST ``body`` as JSON; (status, JSON answer, headers), errors included."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), dict(exc.headers)


def start_worker(tmp: Path, url: str, now: datetime, *args: str) -> subprocess.Popen:
    """``flowdeck --now NOW work --port 0 ARGS`` in the background."""
    argv = [str(FLOWDECK), "--now", iso(now), "work", "--port", "0", *args]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env_for(url, tmp), stdin=subprocess.DEVNULL)


def started_port(proc: subprocess.Popen) -> int:
    """Read the worker's first line and return the port it serves webhooks on."""
    line = proc.stdout.readline()
    assert " work started " in line, line + (proc.stderr.read() if proc.poll() is not None else "")
    return int(line.split(" port=")[1].split()[0])


def wait_for(check: Callable[[], bool], timeout: float = 20, every: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(every)
    return check()


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)
