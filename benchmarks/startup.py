"""Where Flowdeck's start-up time goes, beside the bare Textual app's.

    python -m benchmarks.startup [--db sqlite:///bench/bench.db] [--venv bench/venv] [--runs 3]

Two measurements:

- imports: the real ``flowdeck`` started in a pseudo-terminal with
  ``PYTHONIMPORTTIME=1`` until its contracts are painted, and the bare app
  until its rows are; each module's own import time summed by top-level
  package (medians of ``--runs`` interleaved runs);
- the store's open, phase by phase, in a fresh process that has already
  imported Textual (as the app has when it opens the store): importing
  SQLAlchemy, SQLModel, the models, the services; ``open_store``; the caller;
  the first screen's query. Then a cProfile of the open and first query
  (``--profile N`` prints its N costliest functions).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from .generate import OWNER, BenchStore, absolute_url
from .install import Install
from .terminal import Terminal

_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")

#: top-level packages shown on their own line; everything else is "other"
GROUPS = {
    "textual": "Textual", "rich": "Rich", "sqlalchemy": "SQLAlchemy", "sqlmodel": "SQLModel",
    "pydantic": "Pydantic", "pydantic_core": "Pydantic", "alembic": "Alembic",
    "cryptography": "cryptography", "store": "Flowdeck store/", "tui": "Flowdeck tui/",
    "asyncio": "asyncio", "platformdirs": "platformdirs",
}


def import_times(log: str) -> Counter:
    """Self time (ms) of every import in a ``-X importtime`` log, by group."""
    out: Counter = Counter()
    for line in log.splitlines():
        m = _LINE.match(line)
        if m:
            top = m[4].split(".")[0]
            out[GROUPS.get(top, "other (stdlib, typing, …)")] += int(m[1]) / 1000
    return out


def _imports_of(install: Install, program: list[str], wait: str) -> Counter:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "imports.log"
        argv = [install.python, "-X", "importtime", str(Path(__file__).with_name("importlog.py")),
                str(log), *program]
        with Terminal(argv, cwd=tmp) as t:
            t.wait_for(wait, 60)
            t.drain(0.3)
        return import_times(log.read_text(errors="replace"))


def imports(install: Install, meta: BenchStore, runs: int) -> dict[str, tuple[float, float]]:
    """{group: (Flowdeck ms, baseline ms)}, medians of interleaved runs."""
    ours, base = [], []
    for i in range(runs):
        pair = [(ours, ["flowdeck", *install.flowdeck_argv(meta)[1:]], "Bench 1"),
                (base, install.baseline_argv("baseline_app")[1:], "Baseline 1")]
        for into, program, wait in pair if i % 2 == 0 else pair[::-1]:
            into.append(_imports_of(install, program, wait))
    groups = sorted(set().union(*ours, *base), key=lambda g: -statistics.median(r[g] for r in ours))
    return {g: (round(statistics.median(r[g] for r in ours), 1),
                round(statistics.median(r[g] for r in base), 1)) for g in groups}


# -- the store's open, phase by phase -----------------------------------------------
PHASES = r'''
import cProfile, gc, io, json, pstats, sys, time
gc.disable()  # as the TUI starts (tui.entry), until the store is open
import textual.app, textual.widgets  # the app has these already when it opens the store
out, t = {}, (time.perf_counter(), time.process_time())
def phase(name):
    global t
    now = (time.perf_counter(), time.process_time())
    out[name] = [round((now[i] - t[i]) * 1000, 1) for i in (0, 1)]
    t = now
import sqlalchemy, sqlalchemy.orm; phase("import SQLAlchemy (core and ORM)")
import sqlmodel; phase("import SQLModel and Pydantic")
import store.models; phase("import the models (table classes)")
import store.engine; phase("import store.engine")
import store.services; phase("import the services")
from store.clock import Clock, parse_instant
from store.engine import open_store
from store.services import Flowdeck
url, user, top, now = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
clock = Clock(parse_instant(now), 1.0)  # the store's instant, as the TUI is started (--now):
# real time would find every deadline passed and stop the store's flows on the first read
profile = cProfile.Profile()
if top:  # its overhead would inflate the phases: only when asked for
    profile.enable()
phase("(start of the open)")
store = open_store(url, clock); phase("open_store: engine, schema and key check")
fd = Flowdeck(store, user); me = fd.me(); phase("the caller (first query: mappers configured)")
rows = fd.list_contracts(); phase("the first screen's query (list_contracts)")
store.revision(); phase("the change marker")
profile.disable()
gc.freeze(); gc.enable()
del out["(start of the open)"]
text = io.StringIO()
if top:
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(top)
print(json.dumps({"phases": out, "rows": len(rows), "profile": text.getvalue()}))
'''


def open_phases(install: Install, meta: BenchStore, runs: int, top: int = 0) -> dict:
    """{"phases": {name: ms (median)}, "profile": text of the last run}."""
    results = []
    for _ in range(runs):
        done = install.run("-c", PHASES, meta.url, OWNER, str(top), meta.now)
        results.append(json.loads(done.stdout))
    phases = {name: [round(statistics.median(r["phases"][name][i] for r in results), 1)
                     for i in (0, 1)] for name in results[0]["phases"]}
    return {"phases": phases, "profile": results[-1]["profile"]}


def _start(install: Install, meta: BenchStore) -> tuple[float, float, float]:
    """(ms to the first frame, ms to the contracts, CPU ms used until then) of one start."""
    with Terminal(install.flowdeck_argv(meta), env={"TEXTUAL_FPS": "120"}) as t:
        frame = t.wait_for("Contracts", 60) - t.started
        data = t.wait_for("Bench 1", 60) - t.started
        return frame * 1000, data * 1000, t.cpu_seconds() * 1000


def versus(before: Install, after: Install, meta: BenchStore, runs: int) -> list[str]:
    """Two installs' start-up (e.g. before and after a change), interleaved; Markdown rows."""
    got: dict[int, list[tuple[float, float, float]]] = {0: [], 1: []}
    for i in range(runs):
        for k in (0, 1) if i % 2 == 0 else (1, 0):
            got[k].append(_start((before, after)[k], meta))
    rows = ["| start-up (medians) | before | after | after / before |", "|---|---|---|---|"]
    for j, name in enumerate(("to the first frame", "to the contracts", "CPU used until then")):
        b, a = (statistics.median(r[j] for r in got[k]) for k in (0, 1))
        rows.append(f"| {name} | {b:.0f} ms | {a:.0f} ms | {a / b:.2f} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite:///bench/bench.db")
    parser.add_argument("--venv", type=Path, help="a non-editable install (python -m benchmarks.install)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", type=Path, metavar="VENV",
                        help="only compare start-up with another install (before a change), A/B")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the N costliest functions of the open (cProfile, cumulative)")
    args = parser.parse_args(argv)
    meta = BenchStore.load(args.db)
    meta = BenchStore(**{**asdict(meta), "url": absolute_url(args.db)})
    install = Install.of(args.venv)
    print(f"# {install.describe()}")
    if args.against:
        print("\n".join(versus(Install.of(args.against), install, meta, args.runs)))
        return 0
    table = imports(install, meta, args.runs)
    print("\n| imported (own time, by package) | Flowdeck, to its contracts | bare app, to its rows |")
    print("|---|---|---|")
    for group, (ours, base) in table.items():
        print(f"| {group} | {ours:.0f} ms | {base:.0f} ms |")
    total_ours, total_base = (sum(v[i] for v in table.values()) for i in (0, 1))
    print(f"| **all imports** | {total_ours:.0f} ms | {total_base:.0f} ms |")
    opened = open_phases(install, meta, args.runs, args.profile)
    print("\n| the store's open, after Textual is imported | wall ms | CPU ms |")
    print("|---|---|---|")
    for name, (wall, cpu) in opened["phases"].items():
        print(f"| {name} | {wall:.0f} | {cpu:.0f} |")
    print(f"| **total** | {sum(v[0] for v in opened['phases'].values()):.0f} "
          f"| {sum(v[1] for v in opened['phases'].values()):.0f} |")
    if args.profile:
        print()
        print(opened["profile"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
