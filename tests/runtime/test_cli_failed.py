"""``flow executions``, ``flow failed``, ``flow retry`` and ``flow discard`` on the command line."""

from __future__ import annotations

import json
import subprocess

from flowdeck_world import EMAILS, SECRET
from processes import FLOWDECK, env_for
from runtime_helpers import ORDERS

from store.clock import iso
from store.policy import STEP_RETRIES, retry_delay

INTEG, GUEST = EMAILS["integrator"], EMAILS["guest"]


def _cli(running, tmp_path, *args: str, user: str = INTEG) -> subprocess.CompletedProcess:
    argv = [str(FLOWDECK), "--now", iso(running.clock.now()), "--speed", "0", "--user", user, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          env=env_for(running.store.url, tmp_path), stdin=subprocess.DEVNULL)


def _park_two(running) -> list[int]:
    running.as_("support").convert_workspace("Acme/Staging", "full")
    running.target.answer = lambda r: (500, {"error": "down"})
    running.as_("integrator").send_messages(ORDERS, count=2, payload={"id": 1, "lines": []})
    worker = running.worker()
    worker.drain()
    for attempt in range(1, STEP_RETRIES + 1):
        running.clock.advance(retry_delay(attempt))
        worker.drain()
    return [m.id for m in running.as_("integrator").list_failed(ORDERS)]


def test_failed_messages_listed_retried_and_discarded_from_the_command_line(running, tmp_path):
    ids = _park_two(running)
    r = _cli(running, tmp_path, "flow", "failed", ORDERS, "--json")
    assert r.returncode == 0, r.stderr
    assert [(m["id"], m["step"], m["component"]) for m in json.loads(r.stdout)] == [
        (i, 3, "http") for i in ids]
    r = _cli(running, tmp_path, "flow", "executions", ORDERS, "--limit", "2")
    assert r.returncode == 0 and "parked" in r.stdout and SECRET not in r.stdout
    r = _cli(running, tmp_path, "flow", "retry", ORDERS, str(ids[0]), user=GUEST)
    assert r.returncode == 3 and r.stderr.startswith("permission denied: ")
    assert "retry or discard failed messages" in r.stderr
    r = _cli(running, tmp_path, "flow", "retry", ORDERS, str(ids[0]))
    assert (r.returncode, r.stdout) == (0, f"retrying 1 failed message of {ORDERS}\n")
    r = _cli(running, tmp_path, "flow", "discard", ORDERS, "--all")
    assert r.returncode == 1 and r.stderr.startswith("error: discarding drops 1 failed message")
    assert r.stderr.count("\n") == 1
    r = _cli(running, tmp_path, "flow", "discard", ORDERS, "--all", "--yes")
    assert (r.returncode, r.stdout) == (0, f"discarded 1 failed message of {ORDERS}\n")
    r = _cli(running, tmp_path, "flow", "retry", ORDERS)
    assert r.returncode == 2 and "--all" in r.stderr
    assert running.as_("integrator").get_flow(ORDERS).queued_messages == 1  # the retried one
