"""``flowdeck enforce``: one sweep, or a worker that a signal stops cleanly with exit 0."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from flowdeck_world import EMAILS, T0

from store.clock import iso

INTEG = EMAILS["integrator"]
DEADLINE = T0 + timedelta(hours=8)


def test_enforce_once_stops_overdue_flows_as_the_system(world_cli):
    cli = world_cli
    r = cli("enforce", "--once", now=DEADLINE - timedelta(seconds=1))
    assert r.out.startswith("stopped 0 flows, dropped 0 queued messages")
    r = cli("enforce", "--once", now=DEADLINE + timedelta(minutes=5))
    assert r.out.splitlines() == [
        "stopped 1 flow, dropped 3 queued messages, pruned 0 flow-log entries",
        "  stopped Acme/Staging/Orders"]
    r = cli("enforce", "--once", now=DEADLINE + timedelta(minutes=6))
    assert r.out.startswith("stopped 0 flows")
    event = cli("events", "Acme/Staging/Orders", "--kind", "flow.auto_stopped", "--json", user=INTEG).json
    assert [(e["actor"], e["at"], e["detail"]["lost_messages"]) for e in event] == [
        ("system", iso(DEADLINE), 3)]
    flow = cli("flow", "show", "Acme/Staging/Orders", "--json", user=INTEG).json
    assert flow["stopped_at"] == iso(DEADLINE) and flow["stop_reason"] == "work_time_limit"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_enforce_worker_logs_sweeps_and_stops_cleanly_on_a_signal(world_cli, sig):
    proc = world_cli.popen("enforce", "--interval", "0.2", now=DEADLINE + timedelta(hours=1))
    try:
        started = proc.stdout.readline()
        assert started.endswith(" enforce started interval=0.2s\n")
        sweep = proc.stdout.readline()
        assert " sweep stopped=1 lost_messages=3 pruned=0" in sweep
        assert proc.stdout.readline().endswith('flow.auto_stopped path="Acme/Staging/Orders"\n')
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and err == ""
    assert out.endswith(f"enforce stopped by {sig.name}\n")


def test_enforce_worker_logs_json_lines_for_pipelines(world_cli):
    import json

    proc = world_cli.popen("enforce", "--interval", "0.2", "--log-format", "json",
                           now=DEADLINE + timedelta(hours=1))
    try:
        lines = [json.loads(proc.stdout.readline()) for _ in range(3)]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert [line["event"] for line in lines] == ["enforce.started", "sweep", "flow.auto_stopped"]
    assert all(line["level"] == "info" and line["at"].endswith("Z") for line in lines)
    assert (lines[1]["stopped"], lines[1]["lost_messages"]) == (1, 3)
    assert lines[2]["path"] == "Acme/Staging/Orders"
    assert json.loads(out.splitlines()[-1])["event"] == "enforce.stopped" and err == ""
