"""The ``work`` port: ``POST /hooks/<token>``, ``GET /healthz`` and ``GET /metrics``.

aiohttp's server (already installed with textual-serve) on its own event
loop in a background thread; the store work of each request
(``webhooks.accept``, the health check, the metrics' queries) runs in a
small thread pool, off the loop; webhook requests that arrive while others
are being written wait and go together, one transaction per batch (fewer,
larger writes: SQLite takes one writer at a time). The edges (DESIGN section 5):

- a client that sends no request for ``IDLE_TIMEOUT`` seconds is closed
  (aiohttp's keep-alive timer, which also runs from the moment a
  connection opens); a body must arrive within the same time;
- at most ``MAX_CONNECTIONS`` connections are held; past that a new one
  first evicts a connection that is idle between requests, or is closed;
- the listen backlog is ``BACKLOG``;
- malformed framing (two Content-Length headers, Content-Length with
  Transfer-Encoding) is refused with 400 by aiohttp's parser (llhttp);
- a body that is not ``application/json`` answers 415, one over
  ``MAX_BODY_BYTES`` 413, JSON nested deeper than ``MAX_JSON_DEPTH`` 400.

No answer to an anonymous caller names a contract, workspace or flow.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..errors import FlowdeckError
from ..policy import MAX_BODY_BYTES, MAX_CONNECTIONS, WEBHOOK_IDLE_TIMEOUT
from . import webhooks
from .jsondepth import TooDeep, loads_limited
from .webhooks import HookAnswer

if TYPE_CHECKING:
    from aiohttp.web_protocol import RequestHandler

    from ..engine import Store
    from .metrics import Metrics

IDLE_TIMEOUT = WEBHOOK_IDLE_TIMEOUT.total_seconds()
#: The listen queue beyond the MAX_CONNECTIONS held at once.
BACKLOG = 1_024
#: Threads doing the store work of requests.
STORE_THREADS = 8
#: Webhook requests written in one transaction at most.
BATCH = 64
#: The health check's own limit.
HEALTH_TIMEOUT = 5.0

#: aiohttp reports a malformed request (already answered 400) with a traceback; nobody needs it.
_QUIET = logging.getLogger("flowdeck.webhooks.server")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False

HOOK = re.compile(r"^/hooks/([A-Za-z0-9_-]{1,128})/?$")

Answered = Callable[[HookAnswer], None]
UNAVAILABLE = HookAnswer(503, {"error": "the store is not available; try again later"})


def _json(status: int, body: dict[str, Any], **headers: str) -> web.Response:
    response = web.Response(status=status, body=json.dumps(body).encode(),
                            content_type="application/json", headers=headers or None)
    response.headers["Server"] = "Flowdeck"
    return response


class _Bounded(web.Server):
    """aiohttp's low-level server, holding at most ``limit`` connections."""

    limit = MAX_CONNECTIONS

    def connection_made(self, handler: RequestHandler,
                        transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        held = [h for h in self.connections if h.transport is not None]  # not those closing
        if len(held) <= self.limit:
            return
        for other in held:  # make room: drop the oldest connection that is between requests
            if other is not handler and not getattr(other, "_request_in_progress", True):
                other.force_close()
                return
        transport.close()


class HookServer:
    """The ``work`` port on ``host:port`` (port 0: any free port), in a background thread.

    ``metrics`` (optional) renders the Prometheus text; ``on_answer`` hears every webhook answer.
    """

    def __init__(self, store: Store, host: str, port: int, on_answer: Answered | None = None, *,
                 metrics: Metrics | None = None,
                 on_health: Callable[[str | None, float], None] | None = None) -> None:
        self.store = store
        self.host, self.port = host, port
        self.on_answer = on_answer or (lambda _answer: None)
        self.on_health = on_health or (lambda _reason, _began: None)
        self.metrics = metrics
        self._pending: list[tuple[str, Any, asyncio.Future[HookAnswer]]] = []
        self._writing = False
        self._pool = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="flowdeck-hooks")
        self._loop = asyncio.new_event_loop()
        self._runner: web.BaseRunner | None = None
        self._thread: threading.Thread | None = None
        self._address: tuple[str, int] = (host, port)
        try:
            self._loop.run_until_complete(self._open())
        except OSError as exc:
            self._loop.close()
            self._pool.shutdown(wait=False)
            reason = exc.strerror or str(exc)
            raise FlowdeckError(f"cannot serve webhooks on {host}:{port}: {reason}") from None

    async def _open(self) -> None:
        server = _Bounded(self._handle, keepalive_timeout=IDLE_TIMEOUT, access_log=None,
                          logger=_QUIET, max_line_size=8190, max_field_size=8190,
                          max_headers=64)
        self._runner = web.ServerRunner(server, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=BACKLOG,
                           reuse_address=True)
        await site.start()
        host, port = self._runner.addresses[0][:2]  # the bound port when port 0 was asked
        self._address = (str(host), int(port))

    @property
    def address(self) -> tuple[str, int]:
        return self._address

    # -- requests -----------------------------------------------------------------------
    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        path = request.path
        if path == "/healthz":
            return await self._only_get(request) or await self._health()
        if path == "/metrics":
            return await self._only_get(request) or await self._metrics()
        match = HOOK.match(path)
        if request.method != "POST":
            if match or path.startswith("/hooks/"):
                return _json(405, {"error": "webhooks take POST"}, Allow="POST")
            return self._answer(webhooks.NOT_FOUND)
        answer = await self._hook(request, match)
        return self._answer(answer)

    async def _only_get(self, request: web.BaseRequest) -> web.StreamResponse | None:
        if request.method in ("GET", "HEAD"):
            return None
        return _json(405, {"error": "GET only"}, Allow="GET")

    async def _hook(self, request: web.BaseRequest, match: re.Match[str] | None) -> HookAnswer:
        if match is None:
            return webhooks.NOT_FOUND
        if request.content_type != "application/json":
            return HookAnswer(415, {"error": "the body must be application/json"})
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return HookAnswer(413, {"error": f"the body is over {MAX_BODY_BYTES:,} bytes"})
        try:
            raw = await asyncio.wait_for(self._read(request), IDLE_TIMEOUT)
        except TimeoutError:
            return HookAnswer(408, {"error": f"the body did not arrive within {IDLE_TIMEOUT:g} s"})
        if raw is None:
            return HookAnswer(413, {"error": f"the body is over {MAX_BODY_BYTES:,} bytes"})
        try:
            payload = loads_limited(raw) if raw.strip() else None
        except TooDeep as exc:
            return HookAnswer(400, {"error": str(exc)})
        except (UnicodeDecodeError, ValueError) as exc:
            return HookAnswer(400, {"error": f"the body is not JSON ({exc})"})
        done: asyncio.Future[HookAnswer] = asyncio.get_running_loop().create_future()
        self._pending.append((match.group(1), payload, done))
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._write())
        return await done

    async def _write(self) -> None:
        """Write the waiting requests, a batch (one transaction) at a time, until none wait:
        requests that arrive while a batch is written go together in the next."""
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
                try:
                    answers = await loop.run_in_executor(
                        self._pool, webhooks.accept_many, self.store,
                        [(token, payload) for token, payload, _ in batch])
                except FlowdeckError:
                    answers = [UNAVAILABLE] * len(batch)
                except Exception as exc:  # noqa: BLE001 - an answer, never a traceback
                    answers = [HookAnswer(500, {"error": f"internal error: {type(exc).__name__}"})
                               ] * len(batch)
                for (_, _, done), answer in zip(batch, answers, strict=True):
                    if not done.done():
                        done.set_result(answer)
        finally:
            self._writing = False

    @staticmethod
    async def _read(request: web.BaseRequest) -> bytes | None:
        """The whole body, or None once it passes ``MAX_BODY_BYTES`` (chunked bodies too)."""
        parts, size = [], 0
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return None
            parts.append(chunk)
        return b"".join(parts)

    def _answer(self, answer: HookAnswer) -> web.Response:
        headers = {}
        if answer.retry_after is not None:
            headers["Retry-After"] = str(answer.retry_after)
        response = _json(answer.status, answer.body, **headers)
        if answer.status >= 400 and answer.status not in (404, 429, 503):
            response.force_close()
        with contextlib.suppress(Exception):  # a log that fails must not fail the answer
            self.on_answer(answer)
        return response

    async def _health(self) -> web.Response:
        loop = asyncio.get_running_loop()
        reason = None
        began = time.monotonic()
        try:
            await asyncio.wait_for(loop.run_in_executor(self._pool, ping, self.store),
                                   HEALTH_TIMEOUT)
        except TimeoutError:
            reason = f"the store did not answer within {HEALTH_TIMEOUT:g} s"
        except FlowdeckError as exc:
            reason = f"the store does not answer ({type(exc).__name__})"
        except Exception as exc:  # noqa: BLE001
            reason = f"the store does not answer ({type(exc).__name__})"
        self.on_health(reason, began)
        if reason is None:
            return _json(200, {"status": "ok"})
        return _json(503, {"status": "unavailable", "reason": reason})

    async def _metrics(self) -> web.Response:
        if self.metrics is None:
            return _json(404, {"error": "no metrics here"})
        loop = asyncio.get_running_loop()
        try:
            body, content_type = await loop.run_in_executor(self._pool, self.metrics.render)
        except Exception as exc:  # noqa: BLE001
            return _json(503, {"error": f"metrics unavailable ({type(exc).__name__})"})
        response = web.Response(status=200, body=body)
        response.headers["Content-Type"] = content_type
        return response

    async def _close(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()
        rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    # -- running --------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop.run_forever, name="flowdeck-webhooks",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:  # never started: close it here
            if self._runner is not None:
                self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()
            self._pool.shutdown(wait=False)
            return
        if self._runner is not None:
            future = asyncio.run_coroutine_threadsafe(self._close(), self._loop)
            with contextlib.suppress(Exception):  # stopping goes on whatever a client did
                future.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        if not self._loop.is_running():
            self._loop.close()
        self._pool.shutdown(wait=False, cancel_futures=True)


def ping(store: Store) -> None:
    """One read: the store answers."""
    from sqlalchemy import text

    store.run(lambda s: s.execute(text("SELECT 1")).scalar(), write=False)
