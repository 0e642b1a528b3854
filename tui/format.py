"""How times, countdowns and workspace kinds are shown. No rules: only words and styles.

``plain`` is how any text reaches a widget: a Rich ``Text`` (so ``[bold]`` in a
name is never taken for markup) whose control and format characters are shown
as escapes (``store.text.visible``), keeping the styles of a ``Text`` it is given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from store.clock import iso
from store.policy import (
    COUNTDOWN_ALARM,
    COUNTDOWN_WARNING,
    LOG_RETENTION,
    QUEUE_CAP,
    work_hours_text,
)
from store.text import escape_char, needs_escape, visible
from store.words import KIND_WORD, STOP_REASON_WORDS, hms  # noqa: F401 - the screens' words

KIND_GLYPH = {"limited": "◔", "full": "●"}
KIND_STYLE = {"limited": "bold yellow", "full": "bold green"}

def _span(kind: str) -> str:
    keep = LOG_RETENTION[kind]
    return f"{keep.days} days" if keep.days >= 2 else f"{int(keep.total_seconds() // 3600)} hours"


KIND_EXPLANATION = {
    "limited": (
        f"Limited workspace (sandbox): every running flow stops {work_hours_text()} after its "
        "last start and its queued messages are dropped; logging and storage are limited "
        f"(flow log kept {_span('limited')}, at most {QUEUE_CAP['limited']:,} queued messages "
        "per flow); restart a flow by hand for a fresh work time. Ask support to convert the "
        "workspace to Full for production."
    ),
    "full": (
        "Full workspace (production): flows run until someone stops them, with no work-time "
        f"limit; the flow log is kept {_span('full')} and a flow holds up to "
        f"{QUEUE_CAP['full']:,} queued messages."
    ),
}

LIMITED_BANNER = (
    f"◔ Limited: flows here have limited operational time. Each stops {work_hours_text()} "
    "after its start, drops its queued messages and must be restarted by hand."
)



def plain(value: Any) -> Any:
    """``value`` ready for a widget: str as a markup-free Text, escaped; a Text escaped.

    Other renderables (a table, a badge widget's own content) pass unchanged.
    """
    if isinstance(value, Text):
        return _escaped_text(value)
    if isinstance(value, str):
        return Text(visible(value, keep=_KEPT))
    return value


#: A line break inside a widget is the widget's to lay out; it never reaches the terminal.
_KEPT = "\n"


def _escaped_text(text: Text) -> Text:
    if not needs_escape(text.plain, keep=_KEPT):
        return text
    spots = [i for i, ch in enumerate(text.plain) if visible(ch, keep=_KEPT) != ch]
    cuts = sorted(set(spots) | {i + 1 for i in spots})
    out = Text(justify=text.justify, overflow=text.overflow, no_wrap=text.no_wrap,
               end=text.end, style=text.style)
    for piece in text.divide(cuts):
        if len(piece.plain) == 1 and visible(piece.plain, keep=_KEPT) != piece.plain:
            styled = Text(escape_char(piece.plain), style=piece.style)
            for span in piece.spans:
                styled.stylize(span.style)
            out.append_text(styled)
        else:
            out.append_text(piece)
    return out


def badge(kind: str) -> Text:
    """'◔ Limited' / '● Full': glyph and word, so it reads without colour too."""
    return Text.assemble((f"{KIND_GLYPH[kind]} {KIND_WORD[kind]}", KIND_STYLE[kind]))


def duration_words(seconds: int | float) -> str:
    """'3d 4h', '5h 12m', '7m': how long something has been running."""
    seconds = max(0, int(seconds))
    d, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, _ = divmod(rest, 60)
    if d:
        return f"{d}d {h}h"
    if h:
        return f"{h}h {m:02d}m"
    return f"{m}m"


def countdown_level(remaining_seconds: int) -> str:
    """'ok', 'warning' (under one hour) or 'alarm' (under ten minutes)."""
    if remaining_seconds < COUNTDOWN_ALARM.total_seconds():
        return "alarm"
    if remaining_seconds < COUNTDOWN_WARNING.total_seconds():
        return "warning"
    return "ok"


LEVEL_STYLE = {"ok": "", "warning": "bold yellow", "alarm": "bold white on red"}
LEVEL_MARK = {"ok": "", "warning": " !", "alarm": " !!"}


def remaining_at(deadline: datetime | None, now: datetime) -> int | None:
    if deadline is None:
        return None
    return max(0, int((deadline - now).total_seconds()))


def time_cell(status: str, deadline: datetime | None, started_at: datetime | None,
              stop_reason: str | None, lost: int, now: datetime) -> Text:
    """The 'time' column of a flow: countdown, running time, or why it stopped."""
    if status == "active":
        left = remaining_at(deadline, now)
        if left is not None:
            level = countdown_level(left)
            return Text(f"{hms(left)}{LEVEL_MARK[level]}", style=LEVEL_STYLE[level])
        if started_at is not None:
            return Text(f"up {duration_words((now - started_at).total_seconds())}", style="green")
        return Text("running")
    if status == "stopped":
        why = SHORT_REASON.get(stop_reason or "", stop_reason or "stopped")
        lost_text = f", {lost} lost" if lost else ""
        return Text(f"{why}{lost_text}", style="dim" if stop_reason == "manual" else "yellow")
    return Text("never started", style="dim")


SHORT_REASON = {
    "manual": "by hand",
    "work_time_limit": "time limit",
    "contract_suspended": "suspended",
    "step_failed": "step failed",
}

STATUS_STYLE = {"active": "bold green", "stopped": "red", "inactive": "dim"}


def status_text(status: str) -> Text:
    glyph = {"active": "▶", "stopped": "■", "inactive": "○"}[status]
    return Text(f"{glyph} {status}", style=STATUS_STYLE[status])


def when(dt: datetime | None) -> str:
    if dt is None:
        return "—"
    return iso(dt).replace("T", " ").removesuffix("Z")


def short_when(dt: datetime | None, now: datetime) -> str:
    """'15:04:05' today, else '2026-11-26 15:04'."""
    if dt is None:
        return "—"
    if dt.date() == now.date():
        return dt.strftime("%H:%M:%S")
    return dt.strftime("%Y-%m-%d %H:%M")
