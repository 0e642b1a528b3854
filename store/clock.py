"""The one clock of Flowdeck. No other module reads the system time itself.

A clock reads real time, or starts at a given instant (``--now``) and runs
forward from there, optionally ``speed`` times faster than real time.
Every reading is an aware UTC datetime, truncated to the whole second.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import overload


def utc(dt: datetime) -> datetime:
    """An aware UTC datetime, truncated to the second (a naive one is taken as UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0)


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; a time without zone is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not an ISO-8601 time: {text!r}") from None
    return utc(value)


@overload
def iso(dt: datetime) -> str: ...
@overload
def iso(dt: None) -> None: ...
@overload
def iso(dt: datetime | None) -> str | None: ...
def iso(dt: datetime | None) -> str | None:
    """ISO-8601 in UTC with a Z, or None."""
    if dt is None:
        return None
    return utc(dt).replace(tzinfo=None).isoformat() + "Z"


class Clock:
    """Real time, or time that started at ``start`` and runs ``speed`` times as fast."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must not be negative")
        self.speed = float(speed)
        self._origin_wall = datetime.now(UTC)
        self._origin_mono = time.monotonic()
        self._start = utc(start) if start is not None else None

    def _exact(self) -> datetime:
        elapsed = timedelta(seconds=(time.monotonic() - self._origin_mono) * self.speed)
        base = self._start if self._start is not None else self._origin_wall
        if self._start is None and self.speed == 1.0:
            return datetime.now(UTC)
        return base + elapsed

    def now(self) -> datetime:
        return utc(self._exact())

    @property
    def is_real(self) -> bool:
        """Real time: no start of its own and no speed (what a real-clock store accepts)."""
        return self._start is None and self.speed == 1.0

    def describe(self) -> str:
        if self._start is None and self.speed == 1.0:
            return "real time"
        parts = []
        if self._start is not None:
            parts.append(f"started at {iso(self._start)}")
        if self.speed != 1.0:
            parts.append(f"{self.speed:g}x")
        return ", ".join(parts)


class FrozenClock(Clock):
    """A clock that moves only when told to: for tests and screenshots."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start=start, speed=0.0)
        self._now = utc(start)

    def _exact(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = utc(when)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now = self._now + (delta or timedelta(**kwargs))
        return self._now

    @property
    def is_real(self) -> bool:
        return False

    def describe(self) -> str:
        return f"frozen at {iso(self._now)}"
