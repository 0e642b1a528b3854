"""The ``work`` port as an attacker and a monitor see it, over real sockets to a running
``flowdeck work``: idle connections, silent clients, malformed framing, hostile bodies, old and
rotated webhook addresses, the 429 that names nobody, ``/healthz`` and ``/metrics``."""

from __future__ import annotations

import json
import resource
import socket
import subprocess

import pytest
from flowdeck_world import EMAILS, T0
from processes import FLOWDECK, env_for
from prometheus_client.parser import text_string_to_metric_families
from runtime_helpers import (
    ORDERS,
    start_worker,
    started_port,
    stop_process,
    wait_for,
)
from sockets import connect, exchange, post_json, read_response, request

from store.clock import iso
from store.policy import MAX_JSON_DEPTH, WEBHOOK_RATE_LIMIT

IDLE = 500
ORDER = {"id": "SO-1", "lines": [{"price": 1}]}


@pytest.fixture
def work(running, tmp_path):
    """A running ``flowdeck work`` on the world's store; yields its port."""
    proc = start_worker(tmp_path, running.store.url, T0)
    try:
        yield started_port(proc)
    finally:
        stop_process(proc)
        proc.stdout.close()
        proc.stderr.close()


@pytest.fixture
def descriptors():
    """Room for IDLE connections in this process and in the worker it starts."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * IDLE + 200
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"the descriptor limit ({hard}) is below the {wanted} this test needs")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_500_idle_connections_leave_room_for_a_real_request(running, descriptors, tmp_path):
    proc = start_worker(tmp_path, running.store.url, T0)  # started after the limit was raised
    idle: list[socket.socket] = []
    try:
        port = started_port(proc)
        idle = [connect(port) for _ in range(IDLE)]
        for i, sock in enumerate(idle[:50]):  # some of them half-sent, for good measure
            sock.sendall(b"POST /hooks/" + str(i).encode())
        path = running.as_("integrator").get_flow(ORDERS).webhook_path
        sock = connect(port, timeout=30)  # generous: the answer is what is asserted
        sock.sendall(request("POST", path, json.dumps(ORDER).encode(),
                             content_type="application/json"))
        status, _, body = read_response(sock)
        sock.close()
        assert status == 202 and json.loads(body)["accepted"] is True
    finally:
        for sock in idle:
            sock.close()
        stop_process(proc)


def test_a_client_that_sends_nothing_is_closed(work):
    with connect(work, timeout=15) as sock:
        assert sock.recv(1) == b""  # closed by the server, not by our timeout (that would raise)
    with connect(work, timeout=15) as sock:  # headers, then a body that never comes
        sock.sendall(b"POST /hooks/x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 10\r\n\r\n{")
        status, _, _ = read_response(sock)
        assert status == 408


def test_malformed_framing_and_hostile_bodies_are_refused(running, work):
    path = running.as_("integrator").get_flow(ORDERS).webhook_path
    head = f"POST {path} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
    two_lengths = (head + "Content-Length: 2\r\nContent-Length: 12\r\n\r\n{}").encode()
    smuggled = (head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                "2\r\n{}\r\n0\r\n\r\n").encode()
    assert exchange(work, two_lengths)[0] == 400
    assert exchange(work, smuggled)[0] == 400
    deep = b"[" * 20_000 + b"]" * 20_000
    assert exchange(work, request("POST", path, deep, content_type="application/json"))[0] == 400
    just_over = b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1)
    status, _, body = exchange(work, request("POST", path, just_over,
                                             content_type="application/json"))
    assert status == 400 and b"deeper than 64" in body
    at_limit = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert exchange(work, request("POST", path, at_limit,
                                  content_type="application/json"))[0] == 202
    assert exchange(work, request("POST", path, b"{}", content_type="text/plain"))[0] == 415
    assert exchange(work, request("POST", path, b"{}"))[0] == 415  # no type at all
    too_big = request("POST", path, content_type="application/json").replace(
        b"Content-Length: 0", b"Content-Length: 1000001")
    assert exchange(work, too_big)[0] == 413
    assert running.as_("integrator").get_flow(ORDERS).queued_messages == 1  # only the good one


def test_old_and_rotated_addresses_answer_404_and_the_429_names_nobody(running, work, tmp_path):
    integ = running.as_("integrator")
    flow = integ.get_flow(ORDERS)
    assert flow.webhook_path.startswith("/hooks/") and len(flow.webhook_path) >= 7 + 22
    assert post_json(work, f"/hooks/{flow.id}", ORDER)[0] == 404  # the old, guessable address
    assert post_json(work, flow.webhook_path, ORDER)[0] == 202
    # rotated from the command line: the old token stops answering at once
    r = subprocess.run([str(FLOWDECK), "--now", iso(running.clock.now()), "--user",
                        EMAILS["integrator"], "flow", "webhook", "rotate", ORDERS],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                       env=env_for(running.store.url, tmp_path))
    assert r.returncode == 0, r.stderr
    new = integ.get_flow(ORDERS).webhook_path
    assert new != flow.webhook_path and new in r.stdout
    status, answer = post_json(work, flow.webhook_path, ORDER)
    assert status == 404 and answer == {"error": "no active webhook flow at this address"}
    rotated = [e for e in integ.list_events(ORDERS, limit=50) if e.kind == "flow.webhook_rotated"]
    assert len(rotated) == 1 and new.split("/")[-1] not in repr(rotated)
    # the rate limit: the 61st accepted request in the minute answers 429, naming no tenant
    for i in range(WEBHOOK_RATE_LIMIT - 1):
        assert post_json(work, new, {"i": i})[0] == 202, i
    status, answer = post_json(work, new, {"i": "one too many"})
    assert status == 429
    text = json.dumps(answer).casefold()
    for name in ("acme", "staging", "orders", "ivan", str(flow.id)):
        assert name not in text


def test_health_and_metrics_over_the_port(running, work):
    status, headers, body = exchange(work, request("GET", "/healthz"))
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    path = running.as_("integrator").get_flow(ORDERS).webhook_path

    def scrape() -> dict[tuple[str, tuple], float]:
        status, headers, body = exchange(work, request("GET", "/metrics"))
        assert status == 200 and headers["content-type"].startswith("text/plain")
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(body.decode())
                for s in family.samples}

    before = scrape()
    assert before[("flowdeck_messages_processed_total", ())] == 0
    assert before[("flowdeck_flows", (("kind", "limited"), ("status", "active")))] >= 1
    assert ("flowdeck_next_deadline_seconds", ()) in before
    for i in range(3):
        assert post_json(work, path, {"id": f"SO-{i}", "lines": []})[0] == 202
    assert post_json(work, "/hooks/" + "x" * 32, {})[0] == 404
    assert wait_for(lambda: len(running.target.requests) == 3)
    assert wait_for(lambda: scrape()[("flowdeck_messages_processed_total", ())] == 3)
    after = scrape()
    assert after[("flowdeck_webhook_requests_total", (("status", "202"),))] == 3
    assert after[("flowdeck_webhook_requests_total", (("status", "404"),))] == 1
    assert after[("flowdeck_queued_messages", ())] == 0
    assert exchange(work, request("POST", "/metrics", b"{}", content_type="application/json"))[0] == 405
