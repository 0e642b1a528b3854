"""The morning round, measured on the big store (DESIGN section 2c).

    python -m benchmarks.morning [--db sqlite:///bench/bench.db] [--runs 5] [--processes 50]

- Restarting the 1,000 flows of ``Bench 1/Overnight`` that the work-time limit stopped,
  in one action (``run_flows`` with filters, as ``flow restart --in … --stop-reason
  work_time_limit`` does), beside 1,000 single ``flowdeck flow restart PATH`` processes.
  Starting 1,000 processes takes long on a busy machine, so ``--processes`` of them are
  timed and the figure is that median times 1,000 (said in the figure's name). The same
  1,000 single restarts made in one process through the service are shown too.
- The time-left list's first page (100 rows and the count of the whole set, as a screen
  asks) beside the contracts list, each the median of ``--runs`` reads.

Everything runs on a copy of the store (the big store itself is never changed); between
runs the restarted flows are put back as the limit left them, outside the timing.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from store.clock import FrozenClock, parse_instant
from store.engine import open_store
from store.services import Flowdeck

from .generate import OWNER, SUPPORT, BenchStore

FLOWDECK = str(Path(sys.executable).with_name("flowdeck"))

#: CPU seconds (this process and its finished children) of the last timings, by figure:
#: on a busy shared machine they say more than wall-clock time does
CPU: dict[str, float] = {}


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _copy(meta: BenchStore, work: Path) -> str:
    source = Path(meta.url.removeprefix("sqlite:///"))
    target = work / "morning.db"
    shutil.copyfile(source, target)
    key = Path(str(source) + ".key")
    if key.exists():
        shutil.copy(key, str(target) + ".key")
    return f"sqlite:///{target}"


def _put_back(store, workspace: str, ids: list[int]) -> None:
    """The restarted flows stopped by the limit again, as the store had them (not timed)."""
    def body(s):
        marks = ",".join(str(i) for i in ids)
        s.execute(text(f"UPDATE flows SET status = 'stopped', stop_reason = 'work_time_limit', "
                       f"deadline = NULL, stopped_at = started_at WHERE id IN ({marks})"))
    store.run(body, write=True)


def bulk_restart(meta: BenchStore, url: str, runs: int) -> tuple[float, int, list[int]]:
    store = open_store(url, FrozenClock(parse_instant(meta.now)))
    try:
        fd = Flowdeck(store, OWNER)
        times, cpu, ids = [], [], []
        for _ in range(runs):
            started, used = time.perf_counter(), _cpu()
            done = fd.run_flows("restart", scope=meta.overnight_workspace,
                                stop_reason="work_time_limit")
            times.append(time.perf_counter() - started)
            cpu.append(_cpu() - used)
            ids = [r.id for r in done.flows]
            _put_back(store, meta.overnight_workspace, ids)
        CPU["bulk"] = statistics.median(cpu)
        return statistics.median(times), len(ids), ids
    finally:
        store.close()


def single_restarts_in_process(meta: BenchStore, url: str, paths: list[str]) -> float:
    store = open_store(url, FrozenClock(parse_instant(meta.now)))
    try:
        fd = Flowdeck(store, OWNER)
        ids = [fd.get_flow(p).id for p in paths]
        started, used = time.perf_counter(), _cpu()
        for path in paths:
            fd.restart_flow(path)
        seconds = time.perf_counter() - started
        CPU["singles"] = _cpu() - used
        _put_back(store, meta.overnight_workspace, ids)
        return seconds
    finally:
        store.close()


def single_restart_processes(meta: BenchStore, url: str, paths: list[str]) -> float:
    """The median seconds of one ``flowdeck flow restart PATH`` process."""
    times, cpu = [], []
    for path in paths:
        argv = [FLOWDECK, "--db", url, "--user", OWNER, "--now", meta.now, "--speed", "0",
                "flow", "restart", path]
        started, used = time.perf_counter(), _cpu()
        subprocess.run(argv, check=True, capture_output=True, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        cpu.append(_cpu() - used)
    CPU["single process"] = statistics.median(cpu)
    return statistics.median(times)


def bulk_restart_process(meta: BenchStore, url: str, runs: int) -> float:
    """The median seconds of one ``flowdeck flow restart --in … --stop-reason
    work_time_limit`` process (the flows put back between runs)."""
    store = open_store(url, FrozenClock(parse_instant(meta.now)))
    try:
        times, cpu = [], []
        for _ in range(runs):
            argv = [FLOWDECK, "--db", url, "--user", OWNER, "--now", meta.now, "--speed", "0",
                    "flow", "restart", "--in", meta.overnight_workspace, "--stop-reason",
                    "work_time_limit", "--json"]
            started, used = time.perf_counter(), _cpu()
            done = subprocess.run(argv, check=True, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
            cpu.append(_cpu() - used)
            ids = [f["id"] for f in json.loads(done.stdout)["flows"]]
            _put_back(store, meta.overnight_workspace, ids)
        CPU["bulk process"] = statistics.median(cpu)
        return statistics.median(times)
    finally:
        store.close()


def _median_read(fn, runs: int, name: str) -> float:
    times, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), _cpu()
        fn()
        times.append(time.perf_counter() - started)
        cpu.append(_cpu() - used)
    CPU[name] = statistics.median(cpu)
    return statistics.median(times)


def time_left_reads(meta: BenchStore, url: str, runs: int) -> list[dict[str, Any]]:
    store = open_store(url, FrozenClock(parse_instant(meta.now)))
    try:
        out = []
        for who, email in (("owner", OWNER), ("support staff", SUPPORT)):
            fd = Flowdeck(store, email)
            count = fd.time_left_page(limit=100)[0]
            fd.list_contracts()  # warm both once
            page = _median_read(lambda fd=fd: fd.time_left_page(limit=100), runs, f"page {who}")
            within = _median_read(lambda fd=fd: fd.time_left_page(within="2h", limit=100), runs,
                                  f"within {who}")
            search = _median_read(lambda fd=fd: fd.time_left_page(search="overnight", limit=100),
                                  runs, f"search {who}")
            contracts = _median_read(fd.list_contracts, runs, f"contracts {who}")
            for name, value in (
                    (f"time-left first page of {count:,} flows with its count ({who})", page),
                    (f"the same, within 2 hours ({who})", within),
                    (f"the same, path filter 'overnight' ({who})", search)):
                out.append(dict(name=name, value=round(value * 1000, 1), unit="ms",
                                baseline=round(contracts * 1000, 1),
                                ratio=round(value / contracts, 2)))
        return out
    finally:
        store.close()


def measure(meta: BenchStore, runs: int, processes: int = 50) -> list[dict[str, Any]]:
    open_store(meta.url).close()  # at the head schema once, so no copy migrates
    work = Path(tempfile.mkdtemp(prefix="flowdeck-morning-"))
    try:
        url = _copy(meta, work)
        bulk, n, _ids = bulk_restart(meta, url, runs)
        bulk_process = bulk_restart_process(meta, url, runs)
        store = open_store(url, FrozenClock(parse_instant(meta.now)))
        paths = [f.path for f in Flowdeck(store, OWNER).list_flows(
            meta.overnight_workspace, status="stopped") if f.stop_reason == "work_time_limit"]
        store.close()
        in_process = single_restarts_in_process(meta, url, paths[:n])
        per_process = single_restart_processes(meta, url, paths[:processes])
        figures = [
            dict(name=f"one 'flow restart --in' process restarting {n:,} limit-stopped flows",
                 value=round(bulk_process, 2), unit="s", baseline=round(per_process * n, 1),
                 ratio=round(per_process * n / bulk_process, 1),
                 note=f"baseline: {n:,} single 'flowdeck flow restart' processes, the median "
                      f"of {processes} times {n:,}"),
            dict(name=f"the store's part: run_flows restarting {n:,} flows", value=round(bulk, 2),
                 unit="s", baseline=round(in_process, 2), ratio=round(in_process / bulk, 1),
                 note=f"baseline: {n:,} restart_flow calls in one process"),
        ]
        return figures + time_left_reads(meta, url, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.morning", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite:///bench/bench.db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--processes", type=int, default=50)
    args = parser.parse_args(argv)
    meta = BenchStore.load(args.db)
    for fig in measure(meta, args.runs, args.processes):
        print(f"{fig['name']}: {fig['value']} {fig['unit']} (baseline {fig['baseline']} "
              f"{fig['unit']}, ratio {fig['ratio']})" + (f" [{fig['note']}]" if "note" in fig else ""),
              flush=True)
    print("CPU seconds (medians): " + ", ".join(f"{k} {v:.3f}" for k, v in CPU.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
