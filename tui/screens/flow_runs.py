"""What runs through a flow, on its screen: executions, failed messages, messages per minute.

Row builders for the Executions and Failed tables and the words under them
(what an operator does about failed messages is on the Failed tab:
``flow/runs.py``).
"""

from __future__ import annotations

import json
from datetime import datetime

from rich.text import Text

from store.views import EventView, ExecutionView, FailedMessageView

from ..format import short_when

#: minutes the sparkline covers
RATE_MINUTES = 30
#: what the flow log holds besides executions (the Events tab shows these)
FLOW_LOG_KINDS = ("message.sent", "log.written", "timer.skipped", "timer.invalid")

OUTCOME_STYLE = {"succeeded": "green", "retrying": "yellow", "parked": "bold red",
                 "flow_stopped": "bold red"}
OUTCOME_WORDS = {"succeeded": "ok", "retrying": "retrying", "parked": "parked",
                 "flow_stopped": "flow stopped"}


def events_without_executions(svc, path: str, limit: int) -> list[EventView]:
    """The flow's audit trail and flow log but its executions (they have their own tab)."""
    events = svc.list_events(path, limit=limit, category="audit") + \
        svc.list_events(path, limit=limit, kinds=list(FLOW_LOG_KINDS))
    return sorted(events, key=lambda e: (e.at, e.id), reverse=True)[:limit]


def plural(n: int, word: str) -> str:
    """``n word(s)``, the count as it is (a flow's messages; ``marks.plural`` groups digits)."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def per_minute(value: float) -> str:
    """12 -> '12', 0.4 -> '0.4', 0 -> '0'."""
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}".rstrip("0").rstrip(".") or "0"


def rate_now(series: list[int]) -> str:
    """Messages in the last minute: the last full one, or this one once it has more."""
    last = max(series[-2:]) if series else 0
    return f"{last}/min"


def execution_row(e: ExecutionView, now: datetime) -> list[object]:
    outcome = Text(OUTCOME_WORDS.get(e.outcome, e.outcome), style=OUTCOME_STYLE.get(e.outcome, ""))
    step = f"{e.step} {e.component}" if e.step is not None else "—"
    return [short_when(e.at, now), Text(str(e.message or "—"), justify="right"), step, outcome,
            str(e.status) if e.status is not None else "—",
            Text(str(e.ms) if e.ms is not None else "—", justify="right"), e.error or ""]


def failed_row(m: FailedMessageView, now: datetime) -> list[object]:
    return [Text(str(m.id), justify="right"), f"{m.step} {m.component or ''}".strip(),
            Text(str(m.attempts), justify="right"), short_when(m.enqueued_at, now), m.error or ""]


def execution_detail(e: ExecutionView) -> Text:
    text = Text(f"Message {e.message}, step {e.step} ({e.component}): ")
    text.append(OUTCOME_WORDS.get(e.outcome, e.outcome), style=OUTCOME_STYLE.get(e.outcome, ""))
    if e.status is not None:
        text.append(f", HTTP {e.status}")
    if e.ms is not None:
        text.append(f", {e.ms} ms")
    if e.attempt:
        text.append(f", attempt {e.attempt}")
    if e.error:
        text.append(f". {e.error}")
    return text


def failed_detail(m: FailedMessageView, may_act: bool) -> Text:
    text = Text()
    if may_act:
        text.append("r retries it, d discards it. ", style="bold")
    text.append(f"Message {m.id} failed at step {m.step} ({m.component}) after "
                f"{plural(m.attempts, 'attempt')}: {m.error or 'no error recorded'}. ")
    payload = json.dumps(m.payload, ensure_ascii=False)
    text.append(f"Payload {payload[:120]}{'…' if len(payload) > 120 else ''}", style="dim")
    return text
