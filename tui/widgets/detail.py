"""The detail line under a list: what the highlighted row is, in words.

It changes with every cursor move, so it keeps a fixed height and repaints
itself without asking the screen to lay itself out again (a ``Static`` whose
text changes does, which costs more than the whole keypress should).
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from ..format import plain


class DetailLine(Widget):
    DEFAULT_CSS = """
    DetailLine { height: 3; padding: 0 1; background: $surface; color: $text-muted; }
    """

    def __init__(self, text: RenderableType = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._text: RenderableType = plain(text)

    def render(self) -> RenderableType:
        return self._text

    def update(self, text: RenderableType) -> None:
        text = plain(text)  # never markup, never a raw control character
        if text != self._text:
            self._text = text
            self.refresh()  # same size: no layout

    @property
    def content(self) -> RenderableType:
        return self._text

    @property
    def text(self) -> str:
        return self._text.plain if isinstance(self._text, Text) else str(self._text)
