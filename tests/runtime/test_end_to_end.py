"""``flowdeck work`` end to end: a webhook POST runs through transform and http to a target on
loopback, with the step credential's token; the execution is recorded; signals stop it cleanly."""

from __future__ import annotations

import signal
import subprocess

import pytest
from flowdeck_world import SECRET, T0
from processes import FLOWDECK, env_for
from runtime_helpers import (
    ORDERS,
    post,
    start_worker,
    started_port,
    stop_process,
    wait_for,
)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_webhook_post_runs_through_transform_and_http_to_the_target(running, tmp_path, sig):
    integ = running.as_("integrator")
    flow = integ.get_flow(ORDERS)
    proc = start_worker(tmp_path, running.store.url, T0, "--concurrency", "2")
    try:
        port = started_port(proc)
        order = {"id": "SO-1042", "customer": "C-7", "lines": [{"price": 2.5}, {"price": 4}]}
        status, answer, _ = post(f"http://127.0.0.1:{port}{flow.webhook_path}", order)
        assert status == 202 and answer["accepted"] is True and answer["queued"] == 1
        assert wait_for(lambda: len(running.target.requests) == 1)
        assert wait_for(lambda: integ.get_flow(ORDERS).queued_messages == 0)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        stop_process(proc)
    # the target got the mapped payload, with the credential's token, from loopback
    got = running.target.requests[0]
    assert (got.method, got.path) == ("POST", "/orders")
    assert got.body == {"order": "SO-1042", "total": 6.5}
    assert got.headers["Authorization"] == f"Bearer {SECRET}"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Idempotency-Key"].startswith(f"flowdeck-{flow.id}-")
    # the execution is recorded, step by step, in the flow log
    runs = integ.list_executions(ORDERS)
    assert [(e.step, e.component, e.outcome) for e in reversed(runs)] == [
        (1, "webhook", "succeeded"), (2, "transform", "succeeded"), (3, "http", "succeeded")]
    assert runs[0].status == 200 and runs[0].message == answer["message"]
    assert sum(integ.flow_throughput(ORDERS, 5)) == 1
    # the worker said what it did, and stopped with exit code 0 on the signal
    assert proc.returncode == 0, err
    assert "Traceback" not in err and err == ""
    assert f"webhook flow={flow.id} status=202 queued=1" in out
    assert out.splitlines()[-1].endswith(f"work stopped by {sig.name} processed=1 retried=0 "
                                         "parked=0 flows_stopped=0")
    assert SECRET not in out


def test_work_refuses_a_port_that_is_taken_in_one_line(running, tmp_path):
    port = int(running.target.url.rsplit(":", 1)[1])
    r = subprocess.run([str(FLOWDECK), "work", "--port", str(port)], capture_output=True,
                       text=True, env=env_for(running.store.url, tmp_path), timeout=30)
    assert r.returncode == 1
    assert r.stderr.startswith(f"error: cannot serve webhooks on 127.0.0.1:{port}: ")
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_a_readonly_session_cannot_run_the_worker(running, tmp_path):
    r = subprocess.run([str(FLOWDECK), "--readonly", "work", "--port", "0"], capture_output=True,
                       text=True, env=env_for(running.store.url, tmp_path), timeout=30)
    assert r.returncode == 3 and r.stderr.startswith("permission denied: ")
