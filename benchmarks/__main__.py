"""The performance harness: every figure of the scale issue, in one run.

    python -m benchmarks [--db sqlite:///bench/bench.db] [--runs 5] [--json] [--only NAME]

The store must come from ``python -m benchmarks.generate`` (its instant and
layout are read from the file beside it). The TUI is measured from the
outside in a pseudo-terminal, as a user sees it; each figure that has a
baseline is measured beside it in the same run, interleaved, so the ratio
holds on a noisy machine. Timings are medians.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .generate import OWNER, BenchStore
from .terminal import Terminal

PY = sys.executable
FLOWDECK = str(Path(sys.executable).with_name("flowdeck"))
BASELINE_APP = str(Path(__file__).with_name("baseline_app.py"))


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None


def flowdeck_argv(meta: BenchStore, *extra: str) -> list[str]:
    return [FLOWDECK, "--db", meta.url, "--user", OWNER, "--now", meta.now, "--speed", "1",
            *extra]


def open_workspace(t: Terminal, meta: BenchStore, name: str) -> float:
    """From the contracts screen to a workspace of Bench 1; seconds from Enter to its first rows."""
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
    sent = t.press("\r")
    t.wait_for("Flow 0000000", 30)
    return time.perf_counter() - sent


def median_of(runs: int, fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(runs))


# -- the figures -----------------------------------------------------------------------
def startup(meta: BenchStore, runs: int) -> list[Figure]:
    """Process start to the first screen painted, and to its data (the contracts) painted."""
    frame, data, base = [], [], []
    for _ in range(runs):
        with Terminal(flowdeck_argv(meta)) as t:
            frame.append(t.wait_for("Contracts", 60) - t.started)
            data.append(t.wait_for("Bench 1", 60) - t.started)
        with Terminal([PY, BASELINE_APP]) as t:
            base.append(t.wait_for("Baseline 1", 60) - t.started)
    baseline = statistics.median(base)
    out = []
    for name, values in (("start-up to the first screen", frame),
                         ("start-up to the first screen with its data", data)):
        value = statistics.median(values)
        ratio = value / baseline
        out.append(Figure(name, round(value * 1000), "ms", round(baseline * 1000),
                          round(ratio, 2), "<= 1.5 x baseline", ratio <= 1.5))
    return out


def open_big(meta: BenchStore, runs: int) -> Figure:
    times = []
    for _ in range(runs):
        with Terminal(flowdeck_argv(meta)) as t:
            times.append(open_workspace(t, meta, "Big"))
    value = statistics.median(times) * 1000
    return Figure(f"open a workspace of {meta.big_flows:,} flows (keypress to first rows)",
                  round(value, 1), "ms", goal="< 100 ms", met=value < 100)


def cursor_down(meta: BenchStore, runs: int) -> Figure:
    """The 95th percentile of 120 cursor moves, in each of ``runs`` sessions; their median."""
    p95s = []
    for _ in range(runs):
        with Terminal(flowdeck_argv(meta)) as t:
            open_workspace(t, meta, "Big")
            t.drain(0.5)
            samples = sorted(t.repaint_after("\x1b[B" if (i // 30) % 2 == 0 else "\x1b[A")
                             for i in range(120))
        p95s.append(samples[int(len(samples) * 0.95) - 1] * 1000)
    p95 = statistics.median(p95s)
    return Figure("cursor down in that list, keypress to repaint (p95)", round(p95, 1), "ms",
                  goal="< 16 ms", met=p95 < 16)


def _idle_cpu(argv: list[str], meta: BenchStore, workspace: str, seconds: float) -> float:
    with Terminal(argv) as t:
        open_workspace(t, meta, workspace)
        t.drain(1.0)
        start_cpu, start = t.cpu_seconds(), time.perf_counter()
        end = start + seconds
        while time.perf_counter() < end:
            t.drain(0.2, limit=end - time.perf_counter())
        return (t.cpu_seconds() - start_cpu) / (time.perf_counter() - start) * 100


def idle_cpu(meta: BenchStore, runs: int) -> Figure:
    seconds = 10.0
    ours, base = [], []
    for _ in range(max(1, runs // 2)):
        ours.append(_idle_cpu(flowdeck_argv(meta), meta, "Countdowns", seconds))
        base.append(_idle_cpu(flowdeck_argv(meta), meta, "Steady", seconds))
    value, baseline = statistics.median(ours), statistics.median(base)
    return Figure("CPU while idle on a screen of 500 live countdowns", round(value, 2),
                  "% of a core", round(baseline, 2), round(value / baseline, 2) if baseline else None,
                  "< 2 %", value < 2)


def memory(meta: BenchStore, runs: int) -> Figure:
    with Terminal(flowdeck_argv(meta)) as t:
        open_workspace(t, meta, "Big")
        for _ in range(200):
            t.repaint_after("\x1b[6~")  # page down through the list
        value = t.peak_rss_mb()
    with Terminal([PY, BASELINE_APP]) as t:
        t.wait_for("Baseline 1", 60)
        t.drain(0.5)
        baseline = t.peak_rss_mb()
    return Figure("peak memory of the TUI on that store", round(value, 1), "MB", round(baseline, 1),
                  round(value / baseline, 2), "< 150 MB", value < 150)


def sweep(meta: BenchStore, runs: int) -> Figure:
    """The set-based sweep against stopping flows one by one through the ORM."""
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
                      round(baseline, 1), round(ratio, 1), "< 2 s and >= 50 x baseline",
                      value < 2 and ratio >= 50)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def runtime(meta: BenchStore, runs: int) -> Figure:
    """Messages a second one worker moves through webhook → transform → http (its own store)."""
    from .runtime import measure

    result = measure()
    return Figure(result["name"], result["value"], result["unit"])


def morning(meta: BenchStore, runs: int) -> list[Figure]:
    """Restarting 1,000 flows in one action; the time-left list's first page."""
    from .morning import measure

    keys = ("name", "value", "unit", "baseline", "ratio")
    return [Figure(**{k: v for k, v in fig.items() if k in keys}) for fig in measure(meta, runs)]


FIGURES = {"startup": startup, "open": open_big, "cursor": cursor_down, "idle": idle_cpu,
           "sweep": sweep, "memory": memory, "runtime": runtime, "morning": morning}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite:///bench/bench.db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", action="append", choices=sorted(FIGURES))
    args = parser.parse_args(argv)
    try:
        meta = BenchStore.load(args.db)
    except FileNotFoundError:
        parser.error(f"no benchmark store at {args.db}; run python -m benchmarks.generate first")
    meta = BenchStore(**{**asdict(meta), "url": args.db})
    figures = []
    for name in args.only or list(FIGURES):
        measured = FIGURES[name](meta, args.runs)
        for fig in measured if isinstance(measured, list) else [measured]:
            figures.append(fig)
            if not args.json:
                print(f"{fig.name}: {fig.value} {fig.unit}"
                      + (f" (baseline {fig.baseline}, ratio {fig.ratio})" if fig.baseline else "")
                      + (f" goal {fig.goal}: {'met' if fig.met else 'NOT met'}" if fig.goal else ""),
                      flush=True)
    if args.json:
        print(json.dumps([{k: v for k, v in asdict(f).items()
                           if k in ("name", "value", "unit", "baseline", "ratio")} for f in figures],
                         indent=2))
    else:
        print()
        print(table(figures))
    return 0


def table(figures: list[Figure]) -> str:
    rows = [("figure", "measured", "baseline", "ratio", "goal", "met")]
    for f in figures:
        rows.append((f.name, f"{f.value} {f.unit}", "" if f.baseline is None else
                     f"{f.baseline} {f.unit}", "" if f.ratio is None else f"{f.ratio}",
                     f.goal, "" if f.met is None else "yes" if f.met else "no"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


if __name__ == "__main__":
    raise SystemExit(main())
