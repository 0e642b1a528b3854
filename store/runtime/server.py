"""The webhook HTTP server: ``POST /hooks/<flow id>`` with a JSON body.

A ``ThreadingHTTPServer`` (HTTP/1.1, keep-alive) in front of
``webhooks.accept``. Every answer is a small JSON object. Requests are not
logged by the server itself; the caller's ``on_answer`` hears each one.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..errors import FlowdeckError
from ..policy import MAX_BODY_BYTES
from . import webhooks
from .webhooks import HookAnswer

HOOK = re.compile(r"^/hooks/(\d{1,18})/?$")

Answered = Callable[[int | None, HookAnswer], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    store: Any
    on_answer: Answered

    def handle_error(self, request, client_address) -> None:
        pass  # a client that went away mid-request: nothing to tell anyone, no traceback


class HookHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    server_version = "Flowdeck"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # on_answer reports what matters

    def _answer(self, answer: HookAnswer, flow_id: int | None = None) -> None:
        data = json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if answer.retry_after is not None:
            self.send_header("Retry-After", str(answer.retry_after))
        if answer.status >= 400 and answer.status not in (404, 429, 503):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.server.on_answer(flow_id, answer)

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        match = HOOK.match(self.path.split("?", 1)[0])
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit():
            return self._answer(HookAnswer(411, {"error": "a Content-Length is required"}))
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            return self._answer(HookAnswer(413, {"error": f"the body is over {MAX_BODY_BYTES:,} bytes"}))
        raw = self.rfile.read(length)
        if match is None:
            return self._answer(webhooks.NOT_FOUND)
        flow_id = int(match.group(1))
        try:
            payload = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError) as exc:
            return self._answer(HookAnswer(400, {"error": f"the body is not JSON ({exc})"}), flow_id)
        try:
            answer = webhooks.accept(self.server.store, flow_id, payload)
        except FlowdeckError as exc:
            answer = HookAnswer(503, {"error": str(exc)})
        except Exception as exc:  # noqa: BLE001 - the client gets an answer, never a traceback
            answer = HookAnswer(500, {"error": f"internal error: {type(exc).__name__}"})
        return self._answer(answer, flow_id)

    def _not_allowed(self) -> None:
        answer = HookAnswer(405, {"error": "webhooks take POST /hooks/<flow id>"})
        data = json.dumps(answer.body).encode()
        self.send_response(405)
        self.send_header("Allow", "POST")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_PATCH = do_DELETE = do_HEAD = _not_allowed  # noqa: N815


class HookServer:
    """The webhook server on ``host:port`` (port 0: any free port), in a background thread."""

    def __init__(self, store, host: str, port: int, on_answer: Answered | None = None) -> None:
        try:
            self._server = _Server((host, port), HookHandler)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise FlowdeckError(f"cannot serve webhooks on {host}:{port}: {reason}") from None
        self._server.store = store
        self._server.on_answer = on_answer or (lambda _flow, _answer: None)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="flowdeck-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()
