"""``/healthz`` while the store is away and after it is back; the log says so once each way;
``--log-format json`` lines for pipelines."""

from __future__ import annotations

import io
import json
import time

from flowdeck_world import T0
from runtime_helpers import start_worker, stop_process, wait_for
from sockets import exchange, request

from store.errors import StoreError
from store.logs import EventLog
from store.runtime.runner import Runtime


class Flaky:
    """The store, unless ``down``: then every transaction fails as an unreachable store does."""

    def __init__(self, store) -> None:
        self._store = store
        self.down = False

    def run(self, fn, *, write: bool):
        if self.down:
            raise StoreError("cannot reach the store: connection refused")
        return self._store.run(fn, write=write)

    def __getattr__(self, name):
        return getattr(self._store, name)


def _health(port: int) -> tuple[int, dict]:
    status, _, body = exchange(port, request("GET", "/healthz"))
    return status, json.loads(body)


def _events(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_healthz_is_503_while_the_store_is_away_and_the_log_says_so_once(running):
    flaky = Flaky(running.store)
    out, err = io.StringIO(), io.StringIO()
    runtime = Runtime(flaky, concurrency=2, port=0, log=EventLog(running.clock, "json", out=out,
                                                                 err=err))
    runtime.start()
    try:
        port = runtime.address[1]
        assert _health(port) == (200, {"status": "ok"})
        flaky.down = True
        status, answer = _health(port)
        assert status == 503 and answer["status"] == "unavailable" and "store" in answer["reason"]
        assert wait_for(lambda: any(e["event"] == "store.lost" for e in _events(err)))
        time.sleep(2.5)  # both worker threads and housekeeping fail again meanwhile, unsaid
        flaky.down = False
        assert _health(port) == (200, {"status": "ok"})
        assert wait_for(lambda: any(e["event"] == "store.back" for e in _events(out)))
    finally:
        runtime.stop(timeout=5)
    lost = [e for e in _events(err) if e["event"] == "store.lost"]
    back = [e for e in _events(out) if e["event"] == "store.back"]
    assert len(lost) == 1 and len(back) == 1
    assert lost[0]["level"] == "error" and "cannot reach the store" in lost[0]["error"]
    for event in _events(out) + _events(err):
        assert {"at", "level", "event"} <= set(event) and event["at"].endswith("Z")


def test_text_lines_keep_their_shape():
    log_out = io.StringIO()

    class Clock:
        def now(self):
            return T0

    log = EventLog(Clock(), "text", out=log_out)
    log("flow.auto_stopped", path="Acme/Staging/Orders")
    log("webhook", flow=3, status=202, queued=1)
    log("work.started", text="work started port=1", port=1)
    assert log_out.getvalue().splitlines() == [
        '2026-03-02T09:00:00Z flow.auto_stopped path="Acme/Staging/Orders"',
        "2026-03-02T09:00:00Z webhook flow=3 status=202 queued=1",
        "2026-03-02T09:00:00Z work started port=1"]


def test_work_logs_json_lines(running, tmp_path):
    proc = start_worker(tmp_path, running.store.url, T0, "--log-format", "json")
    try:
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "work.started" and first["level"] == "info"
        port = first["port"]
        assert exchange(port, request("POST", "/hooks/" + "x" * 32, b"{}",
                                      content_type="application/json"))[0] == 404
        line = json.loads(proc.stdout.readline())
        assert (line["event"], line["status"], line["flow"]) == ("webhook", 404, "-")
    finally:
        stop_process(proc)
