"""Build a synthetic store for the benchmarks through bulk inserts.

    python -m benchmarks.generate --flows 1000000 [--db URL] [--now ISO]

Layout (for N flows):
- workspace "Bench 1/Big": 100,000 flows (or N/10 when smaller) in every state;
- workspace "Bench 1/Countdowns": 500 active limited flows with hours left;
- workspace "Bench 1/Steady": 500 active flows of a Full workspace (no countdowns);
- workspace "Bench 1/Overnight": 2,000 limited flows, 1,000 of them stopped by the
  work-time limit (what a morning's bulk restart picks), 500 stopped by hand,
  500 active;
- workspaces "Bench 1/Overdue NN": 100,000 active limited flows (or N/10) whose
  deadline is one hour after ``--now`` (the sweep benchmark stops them),
  each with two queued messages;
- the rest spread over workspaces of 400 flows, Limited and Full, in
  every state, across several contracts.
Every flow has two steps and a ``flow.created`` event; active flows also a
``flow.started`` event. ``bench@flowdeck.example`` owns everything. The
instant the store was built for is written beside it (``<db>.bench.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import make_url

from store.clock import Clock, iso, parse_instant, utc
from store.engine import Store, init_store
from store.models import (
    Contract,
    ContractMember,
    Event,
    Flow,
    FlowStep,
    Message,
    User,
    Workspace,
    WorkspaceMember,
)
from store.names import name_key
from store.policy import WORK_TIME

OWNER = "bench@flowdeck.example"
SUPPORT = "bench-support@flowdeck.example"
BATCH = 20_000
COUNTDOWNS = 500
OVERNIGHT = 2_000
PER_WORKSPACE = 400


@dataclass(frozen=True)
class BenchStore:
    url: str
    now: str  # ISO instant the store was built for
    flows: int
    big_workspace: str
    big_flows: int
    countdown_workspace: str
    overdue_flows: int
    sweep_at: str  # when exactly the overdue flows are due
    overnight_workspace: str = "Bench 1/Overnight"
    overnight_stopped: int = 0  # its flows the work-time limit stopped

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))

    @staticmethod
    def load(url: str) -> BenchStore:
        return BenchStore(**json.loads(meta_path(url).read_text()))


def meta_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise SystemExit("benchmarks need a file-backed store (sqlite:///path)")
    return Path(database + ".bench.json")


def absolute_url(url: str) -> str:
    """The URL with its file made absolute (the programs measured may run elsewhere)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return url
    return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(False)


class Builder:
    def __init__(self, conn, now: datetime, progress: Callable[[int], None]) -> None:
        self.conn = conn
        self.now = now
        self.progress = progress
        self.next_flow = 1
        self.rows: dict[type, list[dict]] = {}

    def add(self, model: type, row: dict) -> None:
        rows = self.rows.setdefault(model, [])
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush(model)

    ORDER = (Contract, Workspace, ContractMember, WorkspaceMember, Flow, FlowStep, Message, Event)

    def flush(self, model: type | None = None) -> None:
        """Insert what is buffered for ``model`` (and, first, for everything it refers to)."""
        upto = self.ORDER.index(model) if model else len(self.ORDER) - 1
        for m in self.ORDER[:upto + 1]:
            rows = self.rows.get(m)
            if rows:
                self.conn.execute(insert(m.__table__), rows)
                if m is Flow:
                    self.progress(len(rows))
                self.rows[m] = []

    def flow(self, ws_id: int, contract_id: int, path: str, i: int, status: str, kind: str,
             started: datetime | None, queued: int = 0, reason: str | None = None) -> None:
        fid = self.next_flow
        self.next_flow += 1
        name = f"Flow {i:07d}"
        deadline = started + WORK_TIME if status == "active" and kind == "limited" else None
        stopped = status == "stopped"
        self.add(Flow, dict(
            id=fid, workspace_id=ws_id, name=name, name_key=name_key(name),
            type="realtime" if i % 7 == 0 else "ordinary", status=status,
            started_at=started, deadline=deadline,
            stopped_at=(started + timedelta(hours=1)) if stopped else None,
            stop_reason=(reason or ("manual" if i % 2 else "work_time_limit")) if stopped else None,
            queued=queued, lost_messages=(i % 5) if stopped else 0,
            created_at=self.now - timedelta(days=3), created_by_id=2))
        for pos, comp in ((1, "webhook"), (2, "log")):
            self.add(FlowStep, dict(flow_id=fid, position=pos, component=comp, credential_id=None,
                                    settings={}))
        for q in range(queued):
            self.add(Message, dict(flow_id=fid, step=1, payload={"n": q}, enqueued_at=self.now,
                                   attempts=0, failed=False))
        full = f"{path}/{name}"
        base = dict(actor_id=2, category="audit", contract_id=contract_id, workspace_id=ws_id,
                    flow_id=fid, path=full)
        self.add(Event, dict(base, at=self.now - timedelta(days=3), kind="flow.created",
                             detail={"type": "ordinary", "steps": ["webhook", "log"]}))
        if started is not None:
            self.add(Event, dict(base, at=started, kind="flow.started",
                                 detail={"deadline": iso(deadline)}))


def create_store(url: str, clock: Clock | None = None) -> Store:
    """A new, empty store at ``url``: the one place the benchmarks create a store (if creating
    one ever needs a step of its own, it goes here). A simulated-clock store: the benchmarks
    set the clock."""
    return init_store(url, clock, simulated_clock=True)


def generate(url: str, flows: int, now: datetime,
             progress: Callable[[int], None] = lambda n: None) -> BenchStore:
    store = create_store(url)
    big = min(100_000, max(1, flows // 10))
    overdue = min(100_000, max(1, flows // 10))
    countdowns = min(COUNTDOWNS, max(1, flows // 100))
    overnight = min(OVERNIGHT, max(4, flows // 500))
    rest = max(0, flows - big - overdue - 2 * countdowns - overnight)

    def body(s) -> None:
        conn = s.connection()
        conn.execute(insert(User.__table__), [dict(email=SUPPORT, name="Bench Support", support=True,
                                                    created_at=now)])
        conn.execute(insert(User.__table__), [dict(email=OWNER, name="Bench Owner", support=False,
                                                    created_at=now)])
        b = Builder(conn, now, progress)
        contracts = max(2, flows // 200_000)
        for c in range(1, contracts + 1):
            b.add(Contract, dict(id=c, name=f"Bench {c}", name_key=name_key(f"Bench {c}"), status="active",
                                 created_at=now))
            b.add(ContractMember, dict(contract_id=c, user_id=2, role="owner"))
        ws_id = 0

        def workspace(contract: int, name: str, kind: str) -> tuple[int, str]:
            nonlocal ws_id
            ws_id += 1
            b.add(Workspace, dict(id=ws_id, contract_id=contract, name=name, name_key=name_key(name),
                                  kind=kind, created_by_id=2, created_at=now))
            b.add(WorkspaceMember, dict(workspace_id=ws_id, user_id=2, role="owner"))
            return ws_id, f"Bench {contract}/{name}"

        # The big workspace: every state; active flows have hours left.
        wid, path = workspace(1, "Big", "limited")
        for i in range(big):
            status = ("inactive", "stopped", "active")[i % 3]
            started = now - timedelta(minutes=(i * 7) % 300) if status != "inactive" else None
            b.flow(wid, 1, path, i, status, "limited", started)
        # 500 live countdowns, one to six hours past the sweep.
        wid, path = workspace(1, "Countdowns", "limited")
        for i in range(countdowns):
            b.flow(wid, 1, path, i, "active", "limited", now - timedelta(minutes=(i * 11) % 300))
        # The same screen without countdowns: a Full workspace of 500 running flows.
        wid, path = workspace(1, "Steady", "full")
        for i in range(countdowns):
            b.flow(wid, 1, path, i, "active", "full", now - timedelta(hours=30 + i % 50))
        # Overnight: half stopped by the limit (started 8 h before their stop), a quarter
        # stopped by hand, a quarter active.
        wid, path = workspace(1, "Overnight", "limited")
        for i in range(overnight):
            if i < overnight // 2:
                b.flow(wid, 1, path, i, "stopped", "limited", now - timedelta(hours=9),
                       reason="work_time_limit")
            elif i < overnight * 3 // 4:
                b.flow(wid, 1, path, i, "stopped", "limited", now - timedelta(hours=3),
                       reason="manual")
            else:
                b.flow(wid, 1, path, i, "active", "limited", now - timedelta(minutes=i % 400))
        # The overdue set: all due exactly one hour from now, two messages each.
        per = 5_000
        for k in range((overdue + per - 1) // per):
            wid, path = workspace(1, f"Overdue {k + 1:02d}", "limited")
            for i in range(k * per, min(overdue, (k + 1) * per)):
                b.flow(wid, 1, path, i, "active", "limited",
                       now + timedelta(hours=1) - WORK_TIME, queued=2)
        # Everything else: Limited and Full workspaces of 400 flows.
        n, k = 0, 0
        while n < rest:
            k += 1
            contract = 1 + k % contracts
            kind = "full" if k % 3 == 0 else "limited"
            wid, path = workspace(contract, f"Team {k:05d}", kind)
            for i in range(min(PER_WORKSPACE, rest - n)):
                if kind == "full":
                    status = ("inactive", "stopped", "active")[i % 3]
                else:
                    status = ("inactive", "stopped")[i % 2]
                started = now - timedelta(days=1 + i % 20) if status != "inactive" else None
                b.flow(wid, contract, path, i, status, kind, started)
                n += 1
        b.flush()

    store.run(body, write=True)
    store.close()
    meta = BenchStore(url=url, now=iso(now), flows=flows, big_workspace="Bench 1/Big",
                      big_flows=big, countdown_workspace="Bench 1/Countdowns",
                      overdue_flows=overdue, sweep_at=iso(now + timedelta(hours=1)),
                      overnight_stopped=overnight // 2)
    meta.save(meta_path(url))
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite:///bench/bench.db")
    parser.add_argument("--now", default="2026-06-01T12:00:00Z")
    parser.add_argument("--force", action="store_true", help="replace an existing store")
    args = parser.parse_args(argv)
    if args.flows < 1000:
        parser.error("--flows must be at least 1000")
    database = make_url(args.db).database
    if database:
        path = Path(database)
        if path.exists():
            if not args.force:
                parser.error(f"{path} exists; pass --force to replace it")
            for suffix in ("", "-wal", "-shm", ".key", ".key.new", ".bench.json"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    now = utc(parse_instant(args.now))
    started = time.perf_counter()
    if sys.stdout.isatty():
        from rich.progress import Progress

        with Progress() as bar:
            task = bar.add_task("generating flows", total=args.flows)
            meta = generate(args.db, args.flows, now, lambda n: bar.advance(task, n))
    else:
        meta = generate(args.db, args.flows, now)
    print(f"generated {meta.flows:,} flows in {time.perf_counter() - started:.1f} s into {args.db}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
