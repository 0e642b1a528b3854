"""``flowdeck`` on a machine whose clock is off: ``python skewed_flowdeck.py SECONDS ARGS...``
runs the command line with this process's own time moved by SECONDS (positive: ahead).

Every reading of the machine's time by Flowdeck goes through ``store.clock``; this
moves what that module sees, as a machine with a skewed clock would. No pytest here.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import store.clock as clock_module

OFFSET = timedelta(seconds=float(sys.argv[1]))


class SkewedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return datetime.now(tz) + OFFSET


clock_module.datetime = SkewedDatetime  # type: ignore[misc]

from tui.cli.main import main  # noqa: E402 - after the clock is skewed

main(sys.argv[2:])
