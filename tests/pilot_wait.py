"""Waiting, under Pilot, for what a running app shows by itself (no key pressed).

In tests/, not a suite's folder: the TUI, operations and reach tests all wait so.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> float:
    """Let the app run until ``condition()`` holds; return how long it took (AssertionError
    after ``timeout`` seconds)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not seen within {timeout} s")
        await pilot.pause(0.05)
    return time.monotonic() - started
