"""The performance harness: every figure of the scale issues, in one run.

    python -m benchmarks.install bench/venv          # once: a non-editable install
    python -m benchmarks --venv bench/venv [--db sqlite:///bench/bench.db] [--runs 5]
                         [--json] [--only NAME]

The store must come from ``python -m benchmarks.generate`` (its instant and
layout are read from the file beside it). The TUI is measured from the
outside in a pseudo-terminal, as a user sees it. Every TUI figure has a twin:
the same gesture on a bare Textual app (``benchmarks/baseline_*.py``), run on
the same interpreter and Textual, interleaved with Flowdeck's runs in the
same harness run (A B, B A, A B, …) so a busy machine moves both alike; the
ratio of their medians is the figure's goal. Timings are medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .generate import BenchStore, absolute_url
from .install import Install
from .terminal import Terminal

#: both twins paint at the rate Flowdeck chooses for itself (tui/__init__.py)
ENV = {"TEXTUAL_FPS": "120"}
MOVES = 120  # cursor moves per session: 30 down, 30 up, …


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None
    twin: str = ""
    #: the ratio of each interleaved pair, lowest and highest (how noisy the run was)
    spread: tuple[float, float] | None = None
    samples: dict[str, list[float]] = field(default_factory=dict)


def twinned(name: str, unit: str, ours: list[float], base: list[float], limit: float, twin: str,
            digits: int = 0) -> Figure:
    value, baseline = statistics.median(ours), statistics.median(base)
    ratio = value / baseline if baseline else float("inf")
    pairs = [a / b for a, b in zip(ours, base, strict=False) if b]
    return Figure(name, round(value, digits) if digits else round(value), unit,
                  round(baseline, digits) if digits else round(baseline), round(ratio, 2),
                  f"≤ {limit} × twin", ratio <= limit, twin,
                  (round(min(pairs), 2), round(max(pairs), 2)) if pairs else None,
                  {"flowdeck": [round(v, 3) for v in ours], "twin": [round(v, 3) for v in base]})


def interleaved(runs: int, a: Callable[[], object], b: Callable[[], object]) -> None:
    """``runs`` pairs, the order alternating: A B, B A, A B, …"""
    for i in range(runs):
        for fn in (a, b) if i % 2 == 0 else (b, a):
            fn()


def open_workspace(t: Terminal, name: str, cpu: list[float] | None = None) -> float:
    """From the contracts screen to a workspace of Bench 1; seconds from Enter to its first rows
    (and, into ``cpu``, the CPU milliseconds the program used meanwhile)."""
    t.wait_for("Bench 1", 60)
    t.repaint_after("\r")  # open Bench 1 (first row)
    t.wait_for(" Big ", 30)
    t.drain(0.3)  # the list is up; a person reads it before pressing a key
    if name != "Big":
        t.repaint_after("/")
        for ch in name:
            t.repaint_after(ch)
        t.repaint_after("\r")
        t.drain(0.3)
    used = t.cpu_seconds()
    sent = t.press("\r")
    t.wait_for("Flow 0000000", 30)
    took = time.perf_counter() - sent
    if cpu is not None:
        cpu.append((t.cpu_seconds() - used) * 1000)
    return took


def cursor_p95(t: Terminal) -> float:
    """The 95th percentile (ms) of MOVES cursor moves, keypress to repaint."""
    t.drain(0.5)
    samples = sorted(t.repaint_after("\x1b[B" if (i // 30) % 2 == 0 else "\x1b[A")
                     for i in range(MOVES))
    return samples[int(len(samples) * 0.95) - 1] * 1000


def idle_percent(t: Terminal, seconds: float) -> float:
    """CPU (% of a core) of the program while nobody touches it."""
    t.drain(1.0)
    start_cpu, start = t.cpu_seconds(), time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        t.drain(0.2, limit=end - time.perf_counter())
    return (t.cpu_seconds() - start_cpu) / (time.perf_counter() - start) * 100


# -- the figures -----------------------------------------------------------------------
def startup(install: Install, meta: BenchStore, runs: int) -> list[Figure]:
    """Process start to the first screen painted, and to its data (the contracts) painted."""
    frame, data, base, cpu, base_cpu = [], [], [], [], []

    def ours() -> None:
        with Terminal(install.flowdeck_argv(meta), env=ENV) as t:
            frame.append((t.wait_for("Contracts", 60) - t.started) * 1000)
            data.append((t.wait_for("Bench 1", 60) - t.started) * 1000)
            cpu.append(t.cpu_seconds() * 1000)

    def twin() -> None:
        with Terminal(install.baseline_argv("baseline_app"), env=ENV) as t:
            base.append((t.wait_for("Baseline 1", 60) - t.started) * 1000)
            base_cpu.append(t.cpu_seconds() * 1000)

    interleaved(runs, ours, twin)
    twin_text = "a bare Textual app painting a DataTable of rows it holds in a list"
    used = twinned("CPU time the process used until then (less moved by a busy machine)", "ms",
                   cpu, base_cpu, 1.5, twin_text)
    used.goal, used.met = "", None  # the goal is the wall-clock figure's; this one explains it
    return [twinned("start-up to the first screen", "ms", frame, base, 1.5, twin_text),
            twinned("start-up to the first screen with its data (the contracts)", "ms", data, base,
                    1.5, twin_text), used]


def open_big(install: Install, meta: BenchStore, runs: int) -> list[Figure]:
    ours, base, cpu, base_cpu = [], [], [], []

    def flowdeck() -> None:
        with Terminal(install.flowdeck_argv(meta), env=ENV) as t:
            ours.append(open_workspace(t, "Big", cpu) * 1000)

    def twin() -> None:
        with Terminal(install.baseline_argv("baseline_open"), env=ENV) as t:
            t.wait_for("Open me", 60)
            t.drain(0.3)
            used = t.cpu_seconds()
            sent = t.press("\r")
            t.wait_for("Row 0000000", 30)
            base.append((time.perf_counter() - sent) * 1000)
            base_cpu.append((t.cpu_seconds() - used) * 1000)

    interleaved(runs, flowdeck, twin)
    twin_text = "Enter opens a screen whose DataTable shows the first 100 of 100,000 rows held in a list"
    used = twinned("CPU time the process used for that open", "ms", cpu, base_cpu, 1.5, twin_text)
    used.goal, used.met = "", None  # explains the figure above; /proc counts in 10 ms ticks
    return [twinned(f"open a workspace of {meta.big_flows:,} flows: keypress to first rows", "ms",
                    ours, base, 1.5, twin_text, 1), used]


def cursor_down(install: Install, meta: BenchStore, runs: int) -> Figure:
    """The 95th percentile of MOVES cursor moves in each session; the median of sessions."""
    ours, base = [], []

    def flowdeck() -> None:
        with Terminal(install.flowdeck_argv(meta), env=ENV) as t:
            open_workspace(t, "Big")
            ours.append(cursor_p95(t))

    def twin() -> None:
        with Terminal(install.baseline_argv("baseline_cursor"), env=ENV) as t:
            t.wait_for("Row 000", 60)
            base.append(cursor_p95(t))

    interleaved(runs, flowdeck, twin)
    return twinned("cursor down/up in that list: keypress to repaint, 95th percentile", "ms",
                   ours, base, 1.2, "the same keys in a plain DataTable of 100 rows", 1)


def idle_cpu(install: Install, meta: BenchStore, runs: int, seconds: float = 10.0) -> Figure:
    ours, base = [], []

    def flowdeck() -> None:
        with Terminal(install.flowdeck_argv(meta), env=ENV) as t:
            open_workspace(t, "Countdowns")
            ours.append(idle_percent(t, seconds))

    def twin() -> None:
        with Terminal(install.baseline_argv("baseline_idle"), env=ENV) as t:
            t.wait_for("Row 000", 60)
            base.append(idle_percent(t, seconds))

    interleaved(max(1, runs // 2), flowdeck, twin)
    return twinned("CPU while idle on a screen of 500 live countdowns", "% of a core", ours, base,
                   2, "a bare app whose one timer changes one cell a second", 2)


def memory(install: Install, meta: BenchStore, runs: int) -> Figure:
    ours, base = [], []

    def flowdeck() -> None:
        with Terminal(install.flowdeck_argv(meta), env=ENV) as t:
            open_workspace(t, "Big")
            for _ in range(200):
                t.repaint_after("\x1b[6~")  # page down through the list
            ours.append(t.peak_rss_mb())

    def twin() -> None:
        with Terminal(install.baseline_argv("baseline_cursor"), env=ENV) as t:
            t.wait_for("Row 000", 60)
            for i in range(200):  # 100 rows are four pages: down three, up three, …
                t.repaint_after("\x1b[6~" if (i // 3) % 2 == 0 else "\x1b[5~")
            base.append(t.peak_rss_mb())

    interleaved(max(1, runs // 2), flowdeck, twin)
    return twinned("peak memory of the TUI, after paging through that list", "MB", ours, base, 3,
                   "the bare app of 100 rows, paged down and up as many times", 1)


def sweep(install: Install, meta: BenchStore, runs: int) -> Figure:
    """The set-based sweep against stopping flows one by one through the ORM (in this process)."""
    from .sweep import one_by_one, set_based

    work = Path(tempfile.mkdtemp(prefix="flowdeck-bench-"))
    try:
        ours, per_flow = [], []
        for _ in range(runs):
            copy = work / "sweep.db"
            shutil.copyfile(Path(meta.url.removeprefix("sqlite:///")), copy)
            seconds, stopped = set_based(f"sqlite:///{copy}", meta.sweep_at)
            ours.append(seconds)
            shutil.copyfile(Path(meta.url.removeprefix("sqlite:///")), copy)
            per_flow.append(one_by_one(f"sqlite:///{copy}", meta.sweep_at, sample=2_000))
        value = statistics.median(ours)
        baseline = statistics.median(per_flow) * stopped
        ratio = baseline / value
        return Figure(f"enforcement sweep stopping {stopped:,} overdue flows", round(value, 2), "s",
                      round(baseline, 1), round(ratio, 1), "< 2 s and ≥ 50 × faster",
                      value < 2 and ratio >= 50, "stopping them one by one through the ORM")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def runtime(install: Install, meta: BenchStore, runs: int) -> Figure:
    """Messages a second one worker moves through webhook → transform → http (its own store)."""
    from .runtime import measure

    result = measure()
    return Figure(result["name"], result["value"], result["unit"])


def webhooks(meta: BenchStore, runs: int) -> list[Figure]:
    """The work port under 50 clients (requests/s, p99) and messages end to end, 1 and 4
    worker threads (each on a store of its own; see benchmarks/webhooks.py)."""
    from .webhooks import CLIENTS, measure

    result = measure()
    load, e2e = result["load"], result["end_to_end"]
    accepted = load["statuses"].get("202", 0) / load["count"] if load["count"] else 0
    rate = load["per_second"] * accepted
    one, four = e2e[1]["per_second"], e2e[4]["per_second"]
    return [
        Figure(f"webhook requests answered by work from {CLIENTS} clients ({accepted:.0%} "
               "accepted)", round(rate, 1), "requests/s", goal=">= 1,000", met=rate >= 1000),
        Figure("their p99 latency", load["p99_ms"], "ms", goal="< 50 ms",
               met=load["p99_ms"] < 50),
        Figure("messages end to end (webhook in, target reached), 1 worker thread", one,
               "messages/s"),
        Figure("the same with 4 worker threads", four, "messages/s", baseline=one,
               ratio=round(four / one, 2) if one else None, goal="faster than 1 thread",
               met=four > one),
    ]


def time_left_screen(install: Install, meta: BenchStore, runs: int) -> list[Figure]:
    """``T`` to the time-left screen's first rows, beside start-up to the contracts screen's
    rows, in the same sessions (the issue asks the one to be as fast as the other)."""
    screen, contracts, cpu = [], [], []
    for _ in range(runs):
        with Terminal(install.flowdeck_argv(meta), env=ENV) as t:
            contracts.append((t.wait_for("Bench 1", 60) - t.started) * 1000)
            t.drain(0.3)
            used = t.cpu_seconds()
            sent = t.press("T")
            t.wait_for("Bench 1/", 60)  # a row's path: the first page is painted
            screen.append((time.perf_counter() - sent) * 1000)
            cpu.append((t.cpu_seconds() - used) * 1000)
    median = statistics.median
    return [
        Figure(f"open the time-left screen ({meta.flows:,} flows): T to first rows",
               round(median(screen), 1), "ms"),
        Figure("start-up to the contracts screen with its rows (same sessions)",
               round(median(contracts), 1), "ms"),
        Figure("CPU time the process used to open the time-left screen", round(median(cpu), 1),
               "ms"),
    ]


def morning(meta: BenchStore, runs: int) -> list[Figure]:
    """Restarting 1,000 flows in one action; the time-left list's first page."""
    from .morning import measure

    keys = ("name", "value", "unit", "baseline", "ratio")
    return [Figure(**{k: v for k, v in fig.items() if k in keys}) for fig in measure(meta, runs)]


FIGURES = {"startup": startup, "open": open_big, "cursor": cursor_down, "idle": idle_cpu,
           "memory": memory, "sweep": sweep, "runtime": runtime, "webhooks": webhooks,
           "morning": morning, "timeleft": time_left_screen}


def conditions(install: Install) -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores; "
            f"load average {load}; {install.describe()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite:///bench/bench.db")
    parser.add_argument("--venv", type=Path,
                        help="measure the install in this venv (python -m benchmarks.install)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", action="append", choices=sorted(FIGURES))
    args = parser.parse_args(argv)
    try:
        meta = BenchStore.load(args.db)
    except FileNotFoundError:
        parser.error(f"no benchmark store at {args.db}; run python -m benchmarks.generate first")
    meta = BenchStore(**{**asdict(meta), "url": absolute_url(args.db)})
    install = Install.of(args.venv)
    before = conditions(install)
    if not args.json:
        print(f"# {before}", flush=True)
    figures = []
    for name in args.only or list(FIGURES):
        measured = FIGURES[name](install, meta, args.runs)
        for fig in measured if isinstance(measured, list) else [measured]:
            figures.append(fig)
            if not args.json:
                print(f"{fig.name}: {fig.value} {fig.unit}"
                      + (f" (twin {fig.baseline}, ratio {fig.ratio}, pairs {fig.spread})"
                         if fig.baseline else "")
                      + (f" goal {fig.goal}: {'met' if fig.met else 'NOT met'}" if fig.goal else ""),
                      flush=True)
    after = conditions(install)
    if args.json:
        print(json.dumps({"before": before, "after": after, "runs": args.runs,
                          "figures": [asdict(f) for f in figures]}, indent=2))
    else:
        print(f"# {after}\n")
        print(table(figures))
    return 0


def table(figures: list[Figure]) -> str:
    """The README's table (Markdown)."""
    rows = ["| figure (store of 1,000,000 flows) | Flowdeck | bare Textual twin | ratio (pairs) "
            "| goal | met |", "|---|---|---|---|---|---|"]
    for f in figures:
        base = "—" if f.baseline is None else f"{f.baseline:,} {f.unit}: {f.twin}" if f.twin \
            else f"{f.baseline:,} {f.unit}"
        ratio = "—" if f.ratio is None else f"{f.ratio}×" + (
            f" ({f.spread[0]}–{f.spread[1]})" if f.spread else "")
        met = "—" if f.met is None else "yes" if f.met else "**no**"
        rows.append(f"| {f.name} | {f.value:,} {f.unit} | {base} | {ratio} | {f.goal or '—'} | {met} |")
    return "\n".join(rows)


if __name__ == "__main__":
    raise SystemExit(main())
