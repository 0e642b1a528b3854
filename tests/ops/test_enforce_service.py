"""``flowdeck enforce --interval S`` as a service: its log, SIGTERM, stop latency, several workers.

Each test runs the real script against the test's store (SQLite, or PostgreSQL
with ``FLOWDECK_TEST_DB``), with ``--now`` placing the worker's clock just
before or after the deadlines the test made; the clock then runs in real time.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

import backends
import processes
import pytest
from flowdeck_world import T0
from invariants import auto_stops, problems
from sqlalchemy import text

from store import worktime
from store.clock import FrozenClock, iso
from store.engine import open_store

DEADLINE = T0 + timedelta(hours=8)  # the world's Orders flow
ORDERS = "Acme/Staging/Orders"
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) sweep stopped=(\d+) lost_messages=(\d+) "
                  r"pruned=(\d+) took_ms=(\d+)$")


def _sweeps(worker: processes.Worker) -> list[re.Match]:
    return [m for _, line in worker.out if (m := LINE.match(line))]


def test_idle_sweeps_are_logged_only_with_verbose(world, tmp_path):
    env = processes.env_for(world.store.url, tmp_path)
    quiet = processes.start(env, "enforce", "--interval", "0.2", now=T0, speed="0")
    loud = processes.start(env, "enforce", "--interval", "0.2", "--verbose", now=T0, speed="0")
    try:
        quiet.wait_for("enforce started")
        for _ in range(3):
            loud.wait_for(" sweep stopped=0 lost_messages=0 pruned=0 took_ms=")
    finally:
        assert quiet.stop() == 0 and loud.stop() == 0
    assert [line.split(" ", 1)[1] for _, line in quiet.out] == [
        "enforce started interval=0.2s", "enforce stopped by SIGTERM"]
    assert quiet.err == [] and loud.err == []
    assert len(_sweeps(loud)) >= 3 and all(m.group(1) == iso(T0) for m in _sweeps(loud))


def test_a_flow_stops_within_two_seconds_of_its_deadline(world, tmp_path):
    env = processes.env_for(world.store.url, tmp_path)
    worker = processes.start(env, "enforce", "--interval", "1", now=DEADLINE - timedelta(seconds=1))
    try:
        started_at, started = worker.wait_for("enforce started")
        assert started.startswith(iso(DEADLINE - timedelta(seconds=1)))  # the deadline is still ahead
        stopped_at, _ = worker.wait_for(f'flow.auto_stopped path="{ORDERS}"', timeout=10)
    finally:
        assert worker.stop() == 0
    [sweep] = [m for m in _sweeps(worker) if m.group(2) == "1"]
    logged = datetime.fromisoformat(sweep.group(1).replace("Z", "+00:00"))
    assert logged - DEADLINE <= timedelta(seconds=2)  # by the worker's own clock
    # by the wall clock: the deadline came at most one second after the start line
    assert stopped_at - started_at <= 1 + 2
    assert sweep.group(3) == "3"  # the queue it dropped
    [event] = world.as_("integrator").list_events(ORDERS, kinds=["flow.auto_stopped"])
    assert event.at == DEADLINE and event.actor == "system"
    assert worker.err == []


def _hold_orders(url: str):
    """Another connection that has changed the Orders row and not committed yet.

    SQLite: it holds the store's write lock. PostgreSQL: it holds the row's lock.
    Returns (release, thread).
    """
    other = open_store(url, FrozenClock(T0))
    holding, release = threading.Event(), threading.Event()

    def body(s):
        s.execute(text("UPDATE flows SET queued = queued WHERE name = 'Orders'"))
        holding.set()
        release.wait(60)

    def run():
        try:
            other.run(body, write=True)
        finally:
            other.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert holding.wait(30)
    return release, thread


def _waiting_on_a_lock(store) -> int:
    """PostgreSQL: how many other sessions wait on a lock right now."""
    return store.run(lambda s: s.execute(text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND pid <> pg_backend_pid()")).scalar_one(), write=False)


def test_sigterm_in_the_middle_of_a_sweep_lets_it_finish_whole(world, tmp_path):
    env = processes.env_for(world.store.url, tmp_path)
    release, holder = _hold_orders(world.store.url)
    worker = processes.start(env, "enforce", "--interval", "0.5", now=DEADLINE + timedelta(hours=1))
    try:
        worker.wait_for("enforce started")
        time.sleep(1.0)  # its first sweep has begun and waits for the lock
        if backends.ON_POSTGRES:
            assert _waiting_on_a_lock(world.store) >= 1
        worker.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert worker.proc.poll() is None  # still in its sweep: the signal did not cut it short
        release.set()
        holder.join(30)
        code = worker.proc.wait(timeout=30)
    finally:
        release.set()
        worker.kill()
    time.sleep(0.2)
    assert code == 0 and worker.err == []
    lines = [line.split(" ", 1)[1] for _, line in worker.out]
    assert lines[0] == "enforce started interval=0.5s"
    assert re.match(r"sweep stopped=1 lost_messages=3 pruned=0 took_ms=\d+$", lines[1]), lines
    assert lines[2:] == [f'flow.auto_stopped path="{ORDERS}"', "enforce stopped by SIGTERM"]
    assert problems(world.store, DEADLINE + timedelta(hours=1)) == []
    assert auto_stops(world.store) == Counter({ORDERS: 1})


def test_a_sweep_that_fails_half_way_leaves_no_trace(world, monkeypatch):
    store = world.store
    before = store.revision()

    def broken(s, now):
        raise RuntimeError("the disk fell off")

    monkeypatch.setattr(worktime, "prune_logs", broken)
    with pytest.raises(RuntimeError):
        worktime.sweep(store, DEADLINE + timedelta(minutes=1))  # stops Orders, then fails
    monkeypatch.undo()
    assert store.revision() == before
    assert auto_stops(store) == Counter()
    flow = store.run(lambda s: s.execute(text(
        "SELECT status, queued, (SELECT count(*) FROM messages WHERE flow_id = flows.id) "
        "FROM flows WHERE name = 'Orders'")).one(), write=False)
    assert tuple(flow) == ("active", 3, 3)  # the stop, the purge and the event went back together
    result = worktime.sweep(store, DEADLINE + timedelta(minutes=1))
    assert (result.stopped, result.lost_messages) == (1, 3)
    assert problems(store, DEADLINE + timedelta(minutes=1)) == []


def test_a_sweep_waiting_for_another_sweeps_rows_stops_nothing_twice(world):
    """The conditional UPDATE: the second sweep waits for the first's locks, then finds nothing."""
    url, now = world.store.url, DEADLINE + timedelta(minutes=1)
    first, second = open_store(url, FrozenClock(now)), open_store(url, FrozenClock(now))
    holding, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first_sweep(s):
        rows = worktime.stop_overdue(s, now)
        holding.set()
        release.wait(60)
        return rows

    def run(name, fn):
        try:
            results[name] = fn()
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            results[name] = exc

    a = threading.Thread(target=run, args=("first", lambda: first.run(first_sweep, write=True)))
    a.start()
    try:
        assert holding.wait(30)
        b = threading.Thread(target=run, args=("second", lambda: worktime.sweep(second, now)))
        b.start()
        time.sleep(0.7)
        assert b.is_alive()  # it waits: the first sweep holds the rows (or the write lock)
        if backends.ON_POSTGRES:
            assert _waiting_on_a_lock(world.store) >= 1
        release.set()
        a.join(30)
        b.join(30)
    finally:
        release.set()
        first.close()
        second.close()
    assert [r[0] for r in results["first"]] and results["second"].stopped == 0, results
    assert auto_stops(world.store) == Counter({ORDERS: 1})
    assert problems(world.store, now) == []


def test_two_workers_stop_each_flow_exactly_once(world, tmp_path):
    integ = world.as_("integrator")
    deadlines = {ORDERS: DEADLINE}
    for n in range(24):  # six deadlines a second, over the four seconds after DEADLINE
        world.clock.set(T0 + timedelta(seconds=n // 6))
        path = f"Acme/Staging/Batch {n:02d}"
        integ.create_flow(path)
        deadlines[path] = integ.start_flow(path).deadline
        integ.send_messages(path, count=n % 4 + 1)
    env = processes.env_for(world.store.url, tmp_path)
    workers = [processes.start(env, "enforce", "--interval", "0.2", now=DEADLINE - timedelta(seconds=1))
               for _ in range(2)]
    try:
        for w in workers:
            w.wait_for("enforce started")
        give_up = time.monotonic() + 30
        while sum(auto_stops(world.store).values()) < len(deadlines) and time.monotonic() < give_up:
            time.sleep(0.3)
        time.sleep(0.6)  # a few more sweeps each, which must find nothing
    finally:
        codes = [w.stop() for w in workers]
    assert codes == [0, 0] and [w.err for w in workers] == [[], []]
    assert auto_stops(world.store) == Counter({path: 1 for path in deadlines})
    logged = Counter(line.split("path=", 1)[1].strip('"') for w in workers for _, line in w.out
                     if " flow.auto_stopped path=" in line)
    assert logged == Counter({path: 1 for path in deadlines})  # each stop reported by one worker
    assert sum(int(m.group(2)) for w in workers for m in _sweeps(w)) == len(deadlines)
    for event in world.as_("integrator").list_events("Acme/Staging", kinds=["flow.auto_stopped"],
                                                     limit=100):
        assert event.at == deadlines[event.path]
    assert problems(world.store, DEADLINE + timedelta(seconds=5)) == []

