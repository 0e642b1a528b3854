"""The workers' log lines: plain text for people, or one JSON object a line for pipelines.

``EventLog(clock, fmt)`` is called with an event name and its fields::

    log("webhook", flow=3, status=202, queued=1)
    # text: 2026-11-27T15:00:00Z webhook flow=3 status=202 queued=1
    # json: {"at": "2026-11-27T15:00:00Z", "level": "info", "event": "webhook", "flow": 3, ...}

``text=`` overrides the plain line (the lines people already grep stay as they were).
Errors go to stderr, everything else to stdout; a line is written whole, from any thread.

``StoreWatch`` keeps a lost store from filling the log: the first failure is said
once (``store.lost``), repeats are not, and the first success after it says
``store.back`` once.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, TextIO

from .clock import iso
from .text import visible, visible_json

if TYPE_CHECKING:
    from .clock import Clock

FORMATS = ("text", "json")


_WORD = re.compile(r"[A-Za-z0-9_.-]+")


def _plain(value: Any) -> str:
    """A field's value in a text line: plain words and numbers bare, anything else quoted."""
    if isinstance(value, str) and _WORD.fullmatch(value):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


class EventLog:
    def __init__(self, clock: Clock, fmt: str = "text", *, out: TextIO | None = None,
                 err: TextIO | None = None) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"log format {fmt!r} is not one of {', '.join(FORMATS)}")
        self.clock = clock
        self.fmt = fmt
        self._out = out
        self._err = err
        self._lock = threading.Lock()

    def line(self, event: str, *, level: str = "info", text: str | None = None,
             **fields: Any) -> str:
        at = iso(self.clock.now())
        if self.fmt == "json":
            record = {"at": at, "level": level, "event": event}
            record.update({k: v for k, v in fields.items() if k not in record})
            return visible_json(json.loads(json.dumps(record, default=str)), indent=None)
        if text is None:
            text = " ".join([event, *(f"{k}={_plain(v)}" for k, v in fields.items())])
        return visible(f"{at} {text}")

    def __call__(self, event: str, *, level: str = "info", text: str | None = None,
                 **fields: Any) -> None:
        line = self.line(event, level=level, text=text, **fields)
        stream = (self._err or sys.stderr) if level == "error" else (self._out or sys.stdout)
        with self._lock, contextlib.suppress(OSError, ValueError):  # nobody reads: work goes on
            print(line, file=stream, flush=True)

    def error(self, exc: BaseException, event: str = "error", **fields: Any) -> None:
        """A refusal or failure, as its one line (``error: …``)."""
        line = getattr(exc, "line", None)
        message = line() if callable(line) else f"error: internal error: {type(exc).__name__}: {exc}"
        self(event, level="error", text=message, error=message.split(": ", 1)[-1], **fields)


class StoreWatch:
    """Says once that the store was lost and once that it is back (shared by threads).

    ``ok(began)`` counts only for an attempt that began after the loss was noticed, so a
    thread whose success raced with another's failure does not announce a false return.
    """

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self._lost_at: float | None = None
        self._lock = threading.Lock()

    @property
    def lost(self) -> bool:
        return self._lost_at is not None

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            if self._lost_at is not None:
                return
            self._lost_at = time.monotonic()
        self.log.error(exc, "store.lost")

    def ok(self, began: float) -> None:
        """An attempt begun at ``began`` (``time.monotonic()``) reached the store."""
        if self._lost_at is None:  # the usual case: no lock taken
            return
        with self._lock:
            if self._lost_at is None or began <= self._lost_at:
                return
            self._lost_at = None
        self.log("store.back", text="store.back the store answers again")


class NullLog(EventLog):
    """A log nobody reads (the demo's runtime, tests)."""

    def __init__(self) -> None:
        pass

    def __call__(self, event: str, *, level: str = "info", text: str | None = None,
                 **fields: Any) -> None:
        pass
