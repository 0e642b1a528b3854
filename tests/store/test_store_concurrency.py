"""Several OS processes sweeping and writing one SQLite file at once (DESIGN section 2:
enforcement is "safe to run from many processes at once").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from flowdeck_world import T0
from sqlalchemy import func, select
from store_checks import overdue_active

from store.clock import iso
from store.models import Flow, Message

WORKERS = 4
ROUNDS = 15
BATCHES = 12
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def test_many_processes_sweep_and_write_one_store_at_once(fresh_world):
    w = fresh_world
    integ, support = w.as_("integrator"), w.as_("support")
    # the world's Orders and twelve limited flows started five minutes apart, each with a queue
    deadlines, queued = {"Acme/Staging/Orders": T0 + timedelta(hours=8)}, {"Acme/Staging/Orders": 3}
    for n in range(1, BATCHES + 1):
        path = f"Acme/Staging/Batch {n:02d}"
        integ.create_flow(path)
        deadlines[path] = integ.start_flow(path).deadline
        queued[path] = integ.send_messages(path, count=n)
        w.clock.advance(minutes=5)
    support.convert_workspace("Acme/Production", "full")
    for n in range(1, WORKERS + 1):
        integ.create_flow(f"Acme/Production/Steady {n}")
        integ.start_flow(f"Acme/Production/Steady {n}")
    now = T0 + timedelta(hours=9)  # past every deadline (the last is T0+8h55m)
    assert max(deadlines.values()) < now

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    procs = [
        subprocess.Popen(
            [sys.executable, str(HERE / "store_worker.py"), w.store.url, iso(now), str(i), str(ROUNDS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=ROOT, env=env)
        for i in range(WORKERS)
    ]
    try:
        for p in procs:  # wait until every worker has opened the store, then start them together
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()

    assert [r["errors"] for r in results] == [[]] * WORKERS
    assert all(r["done"] >= ROUNDS * 7 for r in results)

    w.clock.set(now + timedelta(minutes=1))
    assert overdue_active(w.store, w.clock.now()) == 0
    stops = support.list_events("Acme/Staging", kinds=["flow.auto_stopped"], limit=10_000)
    for path, deadline in deadlines.items():
        mine = [e for e in stops if e.path == path]
        assert len(mine) == 1, (path, len(mine))  # exactly once, whoever swept first
        assert mine[0].at == deadline and mine[0].actor == "system"
        assert mine[0].detail["lost_messages"] == queued[path]
    assert len(stops) == BATCHES + 1
    for view in support.list_flows("Acme"):
        assert not (view.status == "active" and view.deadline and view.deadline <= w.clock.now())
    # the restarted flows got a fresh eight hours from the workers' clock
    restarted = [support.get_flow(f"Acme/Staging/Batch {i * 3 + 1:02d}") for i in range(WORKERS)]
    for view in restarted:
        assert view.status == "active"
        assert now + timedelta(hours=8) <= view.deadline < now + timedelta(hours=8, minutes=5)
    # the queue counters agree with the queued rows, after all that
    counted = w.store.run(lambda s: dict(s.execute(
        select(Message.flow_id, func.count()).group_by(Message.flow_id)).all()), write=False)
    counters = w.store.run(lambda s: dict(s.execute(select(Flow.id, Flow.queued)).all()), write=False)
    assert {fid: n for fid, n in counters.items() if n} == counted
    for n in range(1, WORKERS + 1):
        assert support.get_flow(f"Acme/Production/Steady {n}").queued_messages == 3
