"""The http step's edges: proxies from the environment (and NO_PROXY), redirects that leave
the host (no credential follows), a target that never answers (the step times out and is
retried as before), and URLs checked when set."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flowdeck_world import SECRET
from runtime_helpers import ORDERS

from store.errors import InvalidInput

ORDER = {"id": "SO-3", "lines": [{"price": 3}]}
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
              "all_proxy", "NO_PROXY", "no_proxy")


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """An HTTP server on a free loopback port, serving ``handler`` in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return server


def _stop(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


class Proxy:
    """A forward proxy on loopback that records each request line and answers it itself:
    an absolute-form request with 200 JSON, a CONNECT (an https target) with 502."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _any(self) -> None:
                proxy.seen.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, data = (502, b"") if self.command == "CONNECT" else (200, b'{"via": "proxy"}')
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if self.command == "CONNECT":
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_CONNECT = _any

        self._server = _serve(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        _stop(self._server)


@pytest.fixture
def proxy(monkeypatch):
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    p = Proxy()
    yield p
    p.close()


def _send_one(running, **worker):
    running.as_("integrator").send_messages(ORDERS, payload=ORDER)
    w = running.worker(**worker)
    w.drain()
    return w


def test_http_proxy_from_the_environment_carries_the_request(running, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    worker = _send_one(running)
    assert worker.counts.processed == 1
    assert proxy.seen == [f"POST {running.target.url}/orders"]  # absolute form: via the proxy
    assert running.target.requests == []


def test_https_proxy_is_asked_to_tunnel_to_an_https_target(running, proxy, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    running.as_("integrator").set_step(ORDERS, 3, "url", "https://crm.example.invalid/orders")
    worker = _send_one(running)
    assert proxy.seen == ["CONNECT crm.example.invalid:443"]  # never resolved or reached here
    assert worker.counts.retried == 1
    [failed] = running.as_("integrator").list_executions(ORDERS)[:1]
    assert failed.outcome == "retrying" and "cannot reach the target" in failed.error


def test_no_proxy_sends_straight_to_the_target(running, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert _send_one(running).counts.processed == 1
    assert proxy.seen == [] and len(running.target.requests) == 1


class _Redirector:
    """Answers every request with 307 to ``location``, recording the headers it got."""

    def __init__(self, location: str) -> None:
        self.headers: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                outer.headers.append(dict(self.headers.items()))
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(307)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = _serve(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/orders"

    def close(self) -> None:
        _stop(self._server)


def test_a_redirect_to_another_host_carries_no_credential(running, proxy):
    port = running.target.url.rsplit(":", 1)[1]
    redirector = _Redirector(f"http://localhost:{port}/landing")  # another host name
    try:
        running.as_("integrator").set_step(ORDERS, 3, "url", redirector.url)
        assert _send_one(running).counts.processed == 1
        [first] = redirector.headers
        assert first["Authorization"] == f"Bearer {SECRET}"
        [landed] = running.target.requests
        assert landed.path == "/landing" and landed.body == {"order": "SO-3", "total": 3}
        assert "Authorization" not in landed.headers and SECRET not in repr(landed.headers)
    finally:
        redirector.close()


class _Silent:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.held.append(conn)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/orders"

    def close(self) -> None:
        self._stop.set()
        for conn in self.held:
            conn.close()
        self.sock.close()


def test_a_target_that_never_answers_times_out_and_is_retried(running):
    silent = _Silent()
    try:
        integ = running.as_("integrator")
        integ.set_step(ORDERS, 3, "url", silent.url)
        worker = _send_one(running, http_timeout=0.5)
        assert worker.counts.retried == 1 and worker.counts.processed == 0
        [run] = integ.list_executions(ORDERS)[:1]
        assert run.outcome == "retrying" and "no answer within 0.5 s" in run.error
        assert integ.get_flow(ORDERS).queued_messages == 1  # kept for the retry
        assert len(silent.held) == 1
    finally:
        silent.close()


@pytest.mark.parametrize("url", [
    "http://", "ftp://example.com/x", "/relative", "example.com/x", "http://exa mple.com/",
    "http://example.com/\r\nX-Evil: 1", "http://example.com/\x1b[2J", "http://example.com/\x7f",
    " http://example.com/", "http://example.com:99999/"])
def test_a_bad_url_is_refused_when_set_and_changes_nothing(running, url):
    integ = running.as_("integrator")
    before = integ.get_flow(ORDERS).steps[2].settings
    with pytest.raises(InvalidInput) as refused:
        integ.set_step(ORDERS, 3, "url", url)
    assert "\n" not in str(refused.value) and "\x1b" not in str(refused.value)
    assert integ.get_flow(ORDERS).steps[2].settings == before
