"""Faults: processes killed with SIGKILL, in the middle of whatever they were doing.

- Twenty ``flowdeck enforce`` workers, one after another, each killed at a random
  moment of its first sweeps (a sweep that stops five flows and drops their
  queues). After every kill the store is sound: whatever a sweep did, it did
  whole or not at all. After one more sweep every overdue flow is stopped, once.
- A process killed inside a write transaction: nothing of it stays, the store
  passes SQLite's integrity check and takes the next write at once.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import backends
import processes
from flowdeck_world import T0
from invariants import auto_stops, problems, sqlite_integrity
from sqlalchemy import text

from store.clock import iso

ROUNDS = 20
PER_ROUND = 5
MESSAGES = 400
ROOT = Path(__file__).resolve().parents[2]


def _intact(store) -> None:
    if store.db_file is not None:
        assert sqlite_integrity(store.db_file) == "ok"
    assert problems(store) == []  # no half-done stop, counters agree with the queues


def _round_flows(world, r: int) -> list[str]:
    """Five limited flows started at T0 + r*10 min, each with a full queue."""
    integ = world.as_("integrator")
    world.clock.set(T0 + timedelta(minutes=10 * r))
    paths = [f"Acme/Staging/Round {r:02d} Flow {i}" for i in range(PER_ROUND)]
    for path in paths:
        integ.create_flow(path)
        integ.start_flow(path)
        integ.send_messages(path, count=MESSAGES)
    return paths


def _active(world, paths: list[str]) -> int:
    views = {v.path: v for v in world.as_("support").list_flows("Acme/Staging")}
    return sum(views[p].status == "active" for p in paths)


def test_workers_killed_at_random_points_of_their_sweeps_leave_a_sound_store(world, tmp_path):
    env = processes.env_for(world.store.url, tmp_path)
    rng = random.Random(20261127)
    every: list[str] = ["Acme/Staging/Orders"]
    window = 0.05
    outcomes = Counter()
    for r in range(ROUNDS):
        paths = _round_flows(world, r)
        every += paths
        due = T0 + timedelta(minutes=10 * r, hours=8, seconds=1)
        worker = processes.start(env, "enforce", "--interval", "0.1", now=due, speed="0")
        try:
            worker.wait_for("enforce started")
            if r == 0:  # the first one is let through its sweep, to learn how long one takes
                _, line = worker.wait_for(" sweep stopped=")
                window = max(0.02, 2 * int(line.rsplit("took_ms=", 1)[1]) / 1000)
            else:
                time.sleep(rng.uniform(0, window))
        finally:
            worker.proc.kill()
            worker.proc.wait()
        world.clock.set(T0)  # reading back must not sweep: look at what the worker left
        stopped_here = PER_ROUND - _active(world, paths)
        outcomes["whole" if stopped_here == PER_ROUND else "none" if stopped_here == 0 else "part"] += 1
        _intact(world.store)
    # both ends of the race happened: kills before a sweep committed, and after
    assert outcomes["part"] == 0, outcomes
    assert outcomes["whole"] >= 1 and outcomes["none"] >= 1, outcomes

    last = T0 + timedelta(minutes=10 * (ROUNDS - 1), hours=8, seconds=1)
    r = processes.run(env, "enforce", "--once", now=last, speed="0")
    assert r.returncode == 0 and r.stderr == "", r
    assert problems(world.store, last) == []
    assert auto_stops(world.store) == Counter(dict.fromkeys(every, 1))
    lost = {e.path: e.detail["lost_messages"] for e in world.as_("support").list_events(
        "Acme/Staging", kinds=["flow.auto_stopped"], limit=500)}
    assert all(lost[p] == MESSAGES for p in every[1:])  # each queue dropped whole, once


_KILLED_WRITER = """
import sys, time
from sqlalchemy import select, update
from store.clock import FrozenClock, parse_instant
from store.engine import open_store
from store.models import Flow, Message

now = parse_instant(sys.argv[2])
store = open_store(sys.argv[1], FrozenClock(now))

def body(s):
    flow = s.scalar(select(Flow.id).where(Flow.name == "Orders"))
    s.add_all([Message(flow_id=flow, step=1, payload={"n": n}, enqueued_at=now) for n in range(2000)])
    s.execute(update(Flow).where(Flow.id == flow).values(queued=Flow.queued + 2000))
    s.execute(update(Flow).where(Flow.name == "Idle").values(status="stopped"))
    s.flush()
    print("inside", flush=True)
    time.sleep(120)

store.run(body, write=True)
"""


def test_a_process_killed_inside_a_write_transaction_leaves_the_store_intact(world):
    before = world.store.revision()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, world.store.url, iso(T0)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "inside", proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
    _intact(world.store)
    assert world.store.revision() == before
    integ = world.as_("integrator")
    assert integ.get_flow("Acme/Staging/Orders").queued_messages == 3
    assert integ.get_flow("Acme/Staging/Idle").status == "inactive"
    started = time.monotonic()
    assert integ.send_messages("Acme/Staging/Orders", count=2) == 5  # the next write goes through
    assert time.monotonic() - started < 5
    _intact(world.store)
    if backends.ON_POSTGRES:  # the server rolled the dead session back and let go of its locks
        assert world.store.run(lambda s: s.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
            "AND datname = current_database()")).scalar_one(), write=False) == 0
