"""The limits of ``flowdeck ssh-serve``: how many sessions, and how long a connection may wait.

``Seats`` counts the sessions being served: at most ``--max-sessions`` at
once and ``SSH_SESSIONS_PER_KEY`` per key; a session past either is told
why and closed. ``ConnectionClock`` keeps one connection's two deadlines:
the login grace (a connection that has not opened the console within it is
closed, authentication included) and the idle timeout (no input on any of
its channels for that long, whatever channels it holds: ``ssh -N`` too).
asyncssh bounds only the authentication (``login_timeout``) and its
keepalives find dead peers, not idle ones, so these timers are our own.
The numbers themselves live in ``store.policy``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable

from store.policy import SSH_SESSIONS_PER_KEY


def seconds_text(value: float) -> str:
    """'30 s', '15 min', or 'off' for 0."""
    if not value:
        return "off"
    return f"{value / 60:g} min" if value >= 60 else f"{value:g} s"


class Seats:
    """The sessions being served, each held under its key's id until released."""

    def __init__(self, max_sessions: int, per_key: int = SSH_SESSIONS_PER_KEY) -> None:
        self.max_sessions = max_sessions
        self.per_key = per_key
        self._held: dict[Hashable, str] = {}  # holder -> key id

    def __len__(self) -> int:
        return len(self._held)

    def of_key(self, key_id: str) -> int:
        return sum(1 for held in self._held.values() if held == key_id)

    def take(self, holder: Hashable, key_id: str) -> tuple[str, str] | None:
        """Seat ``holder``, or say why not: (what the log says, what the client is told)."""
        if len(self._held) >= self.max_sessions:
            return (f"all {self.max_sessions} sessions are in use",
                    f"error: Flowdeck is serving as many sessions as it may "
                    f"({self.max_sessions}); try again later")
        if self.of_key(key_id) >= self.per_key:
            return (f"key {key_id} already holds {self.per_key} sessions",
                    f"error: your key already has {self.per_key} Flowdeck sessions open "
                    f"(at most {self.per_key} per key); close one and try again")
        self._held[holder] = key_id
        return None

    def release(self, holder: Hashable) -> None:
        self._held.pop(holder, None)


class ConnectionClock:
    """One connection's login grace and idle timeout; ``expire(reason)`` ends the connection.

    ``reason`` is ``"no console"`` (the grace ran out) or ``"idle"``. A timeout of 0 is off.
    """

    def __init__(self, grace: float, idle: float, expire: Callable[[str], None]) -> None:
        self.grace = grace
        self.idle = idle
        self._expire = expire
        self._loop = asyncio.get_running_loop()
        self._last_input = self._loop.time()
        self._grace_timer: asyncio.TimerHandle | None = None
        self._idle_timer: asyncio.TimerHandle | None = None
        if grace:
            self._grace_timer = self._loop.call_later(grace, self._grace_over)
        if idle:
            self._idle_timer = self._loop.call_later(idle, self._check_idle)

    def touch(self) -> None:
        """Input arrived on one of the connection's channels."""
        self._last_input = self._loop.time()

    def console_opened(self) -> None:
        """The connection opened the console: the grace is met, and idle time counts afresh
        (as the console's own does), the console being drawn not counting against it."""
        self.touch()
        if self._grace_timer is not None:
            self._grace_timer.cancel()
            self._grace_timer = None

    def stop(self) -> None:
        if self._grace_timer is not None:
            self._grace_timer.cancel()
            self._grace_timer = None
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _grace_over(self) -> None:
        self._grace_timer = None
        self.stop()
        self._expire("no console")

    def _check_idle(self) -> None:
        quiet = self._loop.time() - self._last_input
        if quiet >= self.idle - 0.05:
            self._idle_timer = None
            self.stop()
            self._expire("idle")
        else:
            self._idle_timer = self._loop.call_later(self.idle - quiet, self._check_idle)
