"""Many processes on one store for a bounded time: nothing reaches a user, nothing is lost or doubled.

For about twenty seconds, on the test's store (SQLite, or PostgreSQL with
``FLOWDECK_TEST_DB``):

- two writers, each a loop of real ``flowdeck`` commands (restart, send, read, stop)
  on flows of its own;
- two ``flowdeck enforce --interval 0.5`` workers;
- the TUI under Pilot in this process, on the workspace screen;
- sixteen flows whose deadlines come one a second while all that runs.

Every process reads one shared virtual time (``--now`` at its start, then real
time). Afterwards: every exit code 0 and every stderr empty; each writer's
events are in the store exactly as many times as its commands said; every
overdue flow stopped exactly once, at its deadline; the invariants of
``invariants.problems`` hold; and the TUI shows what the store holds.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

import processes
from flowdeck_world import EMAILS, T0
from invariants import auto_stops, problems
from on_screen import flow_rows
from sqlalchemy import select

from store.clock import Clock
from store.models import Event
from tui.app import FlowdeckApp

INTEG = EMAILS["integrator"]
D = T0 + timedelta(hours=8)  # the world's Orders flow is due then
BASE = D - timedelta(seconds=2)  # the shared virtual time when the run begins
RUN_SECONDS = 20
BATCHES = 16
WS = "Acme/Staging"


class Run:
    """The shared virtual clock and every command's outcome."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.origin = time.monotonic()
        self.end = self.origin + RUN_SECONDS
        self.outcomes: list[tuple[tuple[str, ...], int, str]] = []
        self.tally: Counter = Counter()  # (flow path, event kind) -> events the commands made
        self.lock = threading.Lock()

    def now(self) -> datetime:
        return BASE + timedelta(seconds=int(time.monotonic() - self.origin))

    def cli(self, *args: str) -> tuple[int, str]:
        r = processes.run(self.env, *args, now=self.now(), user=INTEG, timeout=120)
        with self.lock:
            self.outcomes.append((args, r.returncode, r.stderr))
        return r.returncode, r.stdout


def _writer(run: Run, index: int) -> None:
    flows = [f"{WS}/Writer {index}-{j}" for j in (1, 2)]
    active = dict.fromkeys(flows, False)
    n = 0
    # until the run ends, but at least one whole cycle per flow (a slow machine), within a cap
    while (time.monotonic() < run.end or n < 8) and time.monotonic() < run.end + 60:
        path = flows[n % 2]
        step = (n // 2) % 4
        if step == 0:
            code, _ = run.cli("flow", "restart", path)
            if code == 0:
                with run.lock:
                    if active[path]:
                        run.tally[(path, "flow.stopped")] += 1
                    run.tally[(path, "flow.started")] += 1
                active[path] = True
        elif step == 1:
            code, _ = run.cli("message", "send", path, "--count", "3")
            if code == 0:
                with run.lock:
                    run.tally[(path, "message.sent")] += 1
        elif step == 2:
            reads = [("flow", "list", WS, "--json"), ("events", WS, "--limit", "5"),
                     ("flow", "show", path, "--json")]
            run.cli(*reads[n % 3])
        else:
            code, _ = run.cli("flow", "stop", path)
            if code == 0:
                with run.lock:
                    run.tally[(path, "flow.stopped")] += 1
                active[path] = False
        n += 1


def _prepare(world) -> dict[str, datetime]:
    integ = world.as_("integrator")
    deadlines = {f"{WS}/Orders": D}
    for k in range(BATCHES):
        world.clock.set(T0 + timedelta(seconds=k))
        path = f"{WS}/Batch {k:02d}"
        integ.create_flow(path)
        deadlines[path] = integ.start_flow(path).deadline
        integ.send_messages(path, count=k % 5 + 1)
    for index in (1, 2):
        for j in (1, 2):
            integ.create_flow(f"{WS}/Writer {index}-{j}")
    world.clock.set(BASE)
    return deadlines


async def _scenario(world, run: Run) -> tuple[list[processes.Worker], dict[str, str], list]:
    app = FlowdeckApp(user=INTEG, store=world.store, clock=Clock(start=BASE), steady=True)
    app.animation_level = "none"
    async with app.run_test(size=(120, 40)) as pilot:
        app.jump(WS)
        while "Writer 2-2" not in flow_rows(app.screen):
            await pilot.pause(0.1)
        screen = app.screen
        workers = [processes.start(run.env, "enforce", "--interval", "0.5", now=run.now())
                   for _ in range(2)]
        writers = [threading.Thread(target=_writer, args=(run, i), daemon=True) for i in (1, 2)]
        for w in writers:
            w.start()
        while time.monotonic() < run.end:
            await pilot.pause(0.25)
        for w in writers:
            await asyncio.to_thread(w.join, 120)
        codes = [await asyncio.to_thread(w.stop) for w in workers]
        assert codes == [0, 0]
        await pilot.pause(2.5)  # the screen catches up with the last changes
        shown = flow_rows(screen)
        # a stop with lost messages is announced in red too; an error is a refusal's line
        errors = [str(n.message) for n in app._notifications
                  if str(n.message).startswith(("error:", "permission denied:"))]
    return workers, shown, errors


def test_writers_workers_and_a_tui_on_one_store(world, tmp_path):
    deadlines = _prepare(world)
    run = Run(processes.env_for(world.store.url, tmp_path))
    workers, shown, tui_errors = asyncio.run(_scenario(world, run))

    # no error reached anyone
    failed = [(args, code, err) for args, code, err in run.outcomes if code != 0 or err]
    assert failed == [], failed
    assert len(run.outcomes) >= 16  # the writers really ran: every step on every flow
    assert [w.err for w in workers] == [[], []]
    assert tui_errors == []

    # every overdue flow stopped exactly once, at its deadline, whoever swept first
    assert auto_stops(world.store) == Counter(dict.fromkeys(deadlines, 1))
    for event in world.as_("integrator").list_events(WS, kinds=["flow.auto_stopped"], limit=500):
        assert event.at == deadlines[event.path] and event.actor == "system"
    logged = Counter(line.split("path=", 1)[1].strip('"') for w in workers for _, line in w.out
                     if " flow.auto_stopped path=" in line)
    assert all(n == 1 for n in logged.values()) and set(logged) <= set(deadlines)

    # no event lost or doubled: the writers' events are exactly what their commands reported
    kinds = ("flow.started", "flow.stopped", "message.sent")
    rows = world.store.run(lambda s: s.execute(
        select(Event.path, Event.kind).where(Event.kind.in_(kinds), Event.path.like(f"{WS}/Writer %"))
    ).all(), write=False)
    assert Counter((p, k) for p, k in rows) == +run.tally

    world.clock.set(run.now())
    assert problems(world.store, world.clock.now()) == []

    # the TUI shows what the store holds
    statuses = {v.name: v.status for v in world.as_("integrator").list_flows(WS)}
    for name, status in statuses.items():
        word = shown[name].split(" | ")[1]
        assert word.endswith(status), (name, status, shown[name])
