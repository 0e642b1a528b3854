"""The store's words for what it holds, as people read them: workspace kinds, stop reasons and
durations as H:MM:SS. The TUI (``tui.format``, which adds glyphs and styles) and the command
line (``tui.cli.output``) both show them from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import StopReason, WorkspaceKind

KIND_WORD: dict[WorkspaceKind, str] = {"limited": "Limited", "full": "Full"}

STOP_REASON_WORDS: dict[StopReason, str] = {
    "manual": "stopped by hand",
    "work_time_limit": "work-time limit",
    "contract_suspended": "contract suspended",
    "step_failed": "step kept failing",
}


def hms(seconds: int | float) -> str:
    """Seconds as H:MM:SS (hours are not wrapped at a day; below zero is 0:00:00)."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
