"""Every policy number of the platform, in one place.

A policy number is a rule a person or another system meets: work time,
queue caps, retention, rates, retries, timeouts, sizes and counts. Nothing
else in the code base spells one out (eight hours, a retention period, a
queue cap, a column's width for a name): it imports it from here. How the
code goes about its work (batch sizes, threads, polling intervals, caches)
is tuned beside the code it tunes.
"""

from __future__ import annotations

from datetime import timedelta

from .errors import InvalidInput

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
#: The normalised key of a name (NFKC can lengthen a name) fits this many characters.
NAME_KEY_MAX = 160

#: Step failures: retries before a message is parked (or a limited flow stopped).
STEP_RETRIES = 3

#: The wait before the first retry of a failed step; each further retry waits twice as long.
STEP_BACKOFF = timedelta(seconds=2)

#: A worker's claim on a message lapses after this, so another worker takes it over
#: (a worker that died mid-step loses nothing). Longer than any step may take.
CLAIM_LEASE = timedelta(seconds=60)

#: Secret values shorter than this are not masked in what steps record (a one- or
#: two-character secret would blot out every word that holds it).
SCRUB_MIN = 3

#: An http step gives up on its target after this long (the whole request), and on
#: connecting after HTTP_CONNECT_TIMEOUT.
HTTP_TIMEOUT = timedelta(seconds=30)
HTTP_CONNECT_TIMEOUT = timedelta(seconds=5)

#: The largest webhook body, and the largest http response a step passes on.
MAX_BODY_BYTES = 1_000_000

#: Webhook bodies may nest JSON at most this deep.
MAX_JSON_DEPTH = 64

#: The webhook server closes a client that sends nothing (or no body) for this long.
WEBHOOK_IDLE_TIMEOUT = timedelta(seconds=10)

#: Messages processed per flow and minute are counted, and the counts kept this long.
THROUGHPUT_KEEP = timedelta(hours=24)

#: "Messages per minute" in lists is the average over this many recent minutes.
THROUGHPUT_RATE_MINUTES = 5

#: The most rows one read of a list (events, executions, failed messages) returns.
MAX_LIST_ROWS = 10_000

#: The most messages one send puts in a flow's queue.
MAX_SEND = 100_000

#: A person's name, and the one-line description of a change to a flow, at most this long.
USER_NAME_MAX = 200
CHANGE_MAX = 200

#: The longest text (an error, a log excerpt) a step puts in an event.
TEXT_MAX = 500

#: An http step follows at most this many redirects.
MAX_REDIRECTS = 5

#: The work port holds at most this many connections at once.
MAX_CONNECTIONS = 2_000

#: ssh-serve: a connection that has not opened the console this long after it was made is
#: closed (authentication included: the same span bounds a login).
SSH_LOGIN_GRACE = timedelta(seconds=30)

#: ssh-serve: a session, and a connection whatever channels it holds, without input this
#: long is closed (the default of --idle-timeout).
SSH_IDLE_TIMEOUT = timedelta(minutes=15)

#: ssh-serve: sessions served at once (the default of --max-sessions), and per key.
SSH_MAX_SESSIONS = 20
SSH_SESSIONS_PER_KEY = 3


def queue_cap(kind: str) -> int:
    return QUEUE_CAP[kind]


def list_rows(limit: int) -> int:
    """``limit`` rows of a list, if it is a count from 1 to MAX_LIST_ROWS."""
    if not isinstance(limit, int) or limit < 1 or limit > MAX_LIST_ROWS:
        raise InvalidInput(f"--limit must be between 1 and {MAX_LIST_ROWS:,}")
    return limit


def retry_delay(attempt: int) -> timedelta:
    """The wait before retry ``attempt`` (1, 2, 3 …): doubling from STEP_BACKOFF."""
    return STEP_BACKOFF * (1 << max(0, attempt - 1))


def work_hours_text() -> str:
    """'8 hours', for messages and tooltips."""
    hours = int(WORK_TIME.total_seconds() // 3600)
    return f"{hours} hours"
