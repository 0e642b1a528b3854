"""Every policy number of the platform, in one place.

Nothing else in the code base spells out eight hours, a retention period
or a queue cap: it imports them from here.
"""

from __future__ import annotations

from datetime import timedelta

#: A flow in a limited workspace stops this long after its (re)start.
WORK_TIME = timedelta(hours=8)

#: Queued messages a flow may hold, counted across all its steps.
QUEUE_CAP = {"limited": 1_000, "full": 75_000}

#: How long the flow log (executions, what `log` steps write) is kept.
LOG_RETENTION = {"limited": timedelta(hours=24), "full": timedelta(days=30)}

#: At most this many flow-log entries per flow (None: no count limit).
LOG_MAX_ENTRIES: dict[str, int | None] = {"limited": 500, "full": None}

#: Webhooks: accepted requests per contract in any sliding window.
WEBHOOK_RATE_LIMIT = 60
WEBHOOK_RATE_WINDOW = timedelta(seconds=60)

#: The TUI warns when a countdown drops below these.
COUNTDOWN_WARNING = timedelta(hours=1)
COUNTDOWN_ALARM = timedelta(minutes=10)
COUNTDOWN_NOTICE = timedelta(minutes=15)

#: Name rules for contracts, workspaces, flows and credentials.
NAME_MIN = 3
NAME_MAX = 40

#: Step failures: retries before a message is parked (or a limited flow stopped).
STEP_RETRIES = 3


def queue_cap(kind: str) -> int:
    return QUEUE_CAP[kind]


def work_hours_text() -> str:
    """'8 hours', for messages and tooltips."""
    hours = int(WORK_TIME.total_seconds() // 3600)
    return f"{hours} hours"
