"""Live refresh across processes: the TUI notices another process's change within two seconds.

A TUI under Pilot in this process, on the test's store (a SQLite file, or a
PostgreSQL database with ``FLOWDECK_TEST_DB``); the change comes from the real
``flowdeck`` script in another process, through its own connection. The screen
learns of it from the store's change marker (one row read each second), and
reads its data again only when the marker moved.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import processes
from flowdeck_world import EMAILS, T0
from on_screen import flow_rows, wait_until

from tui.app import FlowdeckApp

INTEG = EMAILS["integrator"]
WITHIN = 2.0  # seconds (DESIGN section 4)


async def _elsewhere(env, *args: str, now=T0) -> None:
    proc = await asyncio.create_subprocess_exec(
        *processes.argv(*args, now=now, speed="0", user=INTEG), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL)
    out, err = await proc.communicate()
    assert proc.returncode == 0 and err == b"", (out, err)


async def _journey(world, tmp_path) -> None:
    env = processes.env_for(world.store.url, tmp_path)
    app = FlowdeckApp(user=INTEG, store=world.store, steady=True)
    app.animation_level = "none"
    async with app.run_test(size=(100, 30)) as pilot:
        app.jump("Acme/Staging")
        await wait_until(pilot, lambda: getattr(app.screen, "path", None) == "Acme/Staging"
                     and "Idle" in flow_rows(app.screen)
                     and getattr(app.screen, "data", None) is not None)  # its first load done
        screen = app.screen
        loads = []
        original = screen.load
        screen.load = lambda: (loads.append(time.monotonic()), original())[1]

        await pilot.pause(2.5)  # idle: the marker is read each second, the data is not
        assert loads == []

        await _elsewhere(env, "flow", "start", "Acme/Staging/Idle")
        took = await wait_until(pilot, lambda: "inactive" not in flow_rows(screen)["Idle"])
        assert took <= WITHIN and "active" in flow_rows(screen)["Idle"]
        assert len(loads) == 1  # one reload for one change

        # the worker, in another process, stops Orders at its deadline; the TUI's own
        # clock still reads T0, so only the store can have told it
        await _elsewhere(env, "enforce", "--once", now=T0 + timedelta(hours=8, minutes=1))
        took = await wait_until(pilot, lambda: "stopped" in flow_rows(screen)["Orders"])
        assert took <= WITHIN
        assert len(loads) == 2


def test_the_tui_shows_changes_from_other_processes_within_two_seconds(world, tmp_path):
    asyncio.run(_journey(world, tmp_path))
