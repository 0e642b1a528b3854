"""The Limited / Full badge: glyph and word, coloured, with a tooltip that explains it."""

from __future__ import annotations

from textual.widgets import Static

from ..format import KIND_EXPLANATION, badge


class KindBadge(Static):
    """Shows '◔ Limited' or '● Full'; hovering it says what that means."""

    DEFAULT_CSS = """
    KindBadge { width: auto; height: 1; padding: 0 1; }
    """

    def __init__(self, kind: str = "limited", **kwargs) -> None:
        super().__init__(badge(kind), **kwargs)
        self.kind = kind
        self.tooltip = KIND_EXPLANATION[kind]

    def set_kind(self, kind: str) -> None:
        if kind != self.kind:
            self.kind = kind
            self.update(badge(kind))
            self.tooltip = KIND_EXPLANATION[kind]
