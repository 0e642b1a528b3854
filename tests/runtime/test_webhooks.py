"""``POST /hooks/<token>``: 202 into an active webhook flow; 404 for unknown tokens, inactive
or non-webhook flows; 503 when the queue is full; 429 after 60 accepted requests per contract in
any sliding 60 seconds (on the store's frozen clock, so no test waits a minute)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from runtime_helpers import ORDERS, post

from store.policy import QUEUE_CAP, WEBHOOK_RATE_LIMIT, WEBHOOK_RATE_WINDOW
from store.runtime.server import HookServer


@pytest.fixture
def hooks(running):
    server = HookServer(running.store, "127.0.0.1", 0)
    server.start()
    host, port = server.address
    def url(flow) -> str:
        path = flow.webhook_path if hasattr(flow, "webhook_path") else f"/hooks/{flow}"
        return f"http://{host}:{port}{path}"

    yield url
    server.stop()


def _flow(running, path: str, steps, start: bool = True):
    owner = running.as_("workspace_owner")
    owner.create_flow(path, steps)
    if start:
        owner.start_flow(path)
    return owner.get_flow(path)


def test_only_active_webhook_flows_take_requests(running, hooks):
    integ = running.as_("integrator")
    orders = integ.get_flow(ORDERS)
    status, answer, _ = post(hooks(orders), {"id": "SO-1"})
    assert (status, answer["queued"]) == (202, 1)
    idle = integ.get_flow("Acme/Staging/Idle")  # never started
    timer = _flow(running, "Acme/Staging/Nightly", [("timer", None), ("log", None)])
    assert timer.webhook_path is None  # no webhook trigger, no webhook address
    for flow in (idle, "x" * 32, orders.id, 987654):  # old /hooks/<id> paths answer 404 too
        assert post(hooks(flow), {"id": "x"})[0] == 404
    integ.stop_flow(ORDERS)
    assert post(hooks(orders), {"id": "SO-2"})[0] == 404
    assert post(hooks("abc"), {})[0] == 404
    status, answer, _ = post(hooks(idle).replace("/hooks/", "/nothing/"), {})
    assert status == 404


def test_a_body_that_is_not_json_is_refused(running, hooks):
    import urllib.error
    import urllib.request

    flow = running.as_("integrator").get_flow(ORDERS)
    request = urllib.request.Request(hooks(flow), data=b"{oops", method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400


def test_a_full_queue_answers_503(running, hooks):
    integ = running.as_("integrator")
    integ.send_messages(ORDERS, count=QUEUE_CAP["limited"])
    flow = integ.get_flow(ORDERS)
    status, answer, _ = post(hooks(flow), {"id": "one too many"})
    assert status == 503 and "1,000" in answer["error"]
    assert integ.get_flow(ORDERS).queued_messages == QUEUE_CAP["limited"]


def test_the_rate_limit_answers_429_after_60_requests_in_a_sliding_minute(running, hooks):
    clock = running.clock
    orders = running.as_("integrator").get_flow(ORDERS)
    other = _flow(running, "Acme/Production/Inbound", [("webhook", None), ("log", None)])
    outsider = running.as_("outsider")
    outsider.create_flow("Globex/Lab/Probe", [("webhook", None)])
    outsider.start_flow("Globex/Lab/Probe")
    elsewhere = outsider.get_flow("Globex/Lab/Probe")
    for _ in range(5):  # refused requests do not count
        assert post(hooks(987654), {})[0] == 404
    first_at = clock.now()
    for i in range(WEBHOOK_RATE_LIMIT):
        flow = orders if i % 2 else other  # the limit is per contract, across its flows
        assert post(hooks(flow), {"i": i})[0] == 202, i
        if i % 10 == 9:
            clock.advance(seconds=5)  # 60 requests spread over 30 seconds
    status, answer, headers = post(hooks(orders), {"i": "61st"})
    assert status == 429 and "at most 60" in answer["error"]
    for name in ("Acme", "Staging", "Production", "Orders", "Inbound"):  # names no tenant
        assert name.casefold() not in json.dumps(answer).casefold()
    assert int(headers["Retry-After"]) == 30
    assert post(hooks(elsewhere), {"other": "contract"})[0] == 202
    # still 429 until the oldest accepted request leaves the window ...
    clock.set(first_at + WEBHOOK_RATE_WINDOW - timedelta(seconds=1))
    assert post(hooks(other), {})[0] == 429
    # ... then room for exactly as many as have left it
    clock.set(first_at + WEBHOOK_RATE_WINDOW)
    for _ in range(10):
        assert post(hooks(other), {})[0] == 202
    assert post(hooks(other), {})[0] == 429
    assert running.as_("integrator").get_flow(ORDERS).queued_messages == WEBHOOK_RATE_LIMIT // 2


def test_past_the_connection_bound_idle_connections_make_room(running, monkeypatch):
    import select

    from sockets import connect, post_json

    from store.runtime import server as work_port

    monkeypatch.setattr(work_port._Bounded, "limit", 5)
    server = HookServer(running.store, "127.0.0.1", 0)
    server.start()
    idle = []
    try:
        port = server.address[1]
        idle = [connect(port) for _ in range(12)]
        path = running.as_("integrator").get_flow(ORDERS).webhook_path
        assert post_json(port, path, {"id": "SO-5"})[0] == 202
        # the idle ones past the bound were let go at once (long before the 10 s idle limit)
        readable, _, _ = select.select(idle, [], [], 2)
        assert len(readable) >= 12 - 5 and all(sock.recv(1) == b"" for sock in readable)
    finally:
        for sock in idle:
            sock.close()
        server.stop()
