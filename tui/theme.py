"""Themes: Flowdeck's own, and 'ansi', which follows the terminal's palette."""

from __future__ import annotations

from textual.theme import BUILTIN_THEMES, Theme

DEFAULT_THEME = "flowdeck"


def _ansi() -> Theme:
    base = BUILTIN_THEMES["ansi-dark"]
    return Theme(
        name="ansi", primary=base.primary, secondary=base.secondary, warning=base.warning,
        error=base.error, success=base.success, accent=base.accent, foreground=base.foreground,
        background=base.background, surface=base.surface, panel=base.panel, boost=base.boost,
        dark=True, ansi=True, variables=dict(base.variables),
    )


FLOWDECK = Theme(
    name="flowdeck",
    primary="#3b82f6",
    secondary="#06b6d4",
    accent="#f59e0b",
    warning="#eab308",
    error="#ef4444",
    success="#22c55e",
    background="#0f172a",
    surface="#1e293b",
    panel="#334155",
    foreground="#e2e8f0",
    dark=True,
)


def themes() -> list[Theme]:
    return [FLOWDECK, _ansi()]
