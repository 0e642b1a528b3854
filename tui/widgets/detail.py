"""The detail line under a list: what the highlighted row is, in words.

It changes with every cursor move, so it keeps a fixed height and repaints
itself without asking the screen to lay itself out again (a ``Static`` whose
text changes does, which costs more than the whole keypress should).

What does not fit its lines ends, at a whole word, with an ellipsis (``fit``):
never a word cut in the middle, never a sentence that simply stops. Screens
put the essential first.
"""

from __future__ import annotations

from rich.console import Console, RenderableType
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
        return fit(self._text, self.content_size.width, self.content_size.height, self.app.console)

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


ELLIPSIS = "…"


def fit(text: RenderableType, width: int, height: int, console: Console) -> RenderableType:
    """``text`` word-wrapped into ``height`` lines of ``width`` cells; when it does not fit,
    the last line ends at a whole word followed by an ellipsis."""
    if not isinstance(text, Text) or width <= 1 or height <= 0:
        return text
    lines = text.wrap(console, width)
    if len(lines) <= height:
        return text
    kept = list(lines)[:height]
    last = kept[-1]
    cut = last.plain.rstrip()
    # the line ends where a word ends (the next line starts a word): drop whole words
    # until the ellipsis fits; a single word longer than the line is cut, with the ellipsis
    while cut and len(cut) + 2 > width and " " in cut:
        cut = cut[:cut.rfind(" ")].rstrip()
    if len(cut) + 2 > width:
        cut = cut[: max(0, width - 1)]
        tail = last[: len(cut)] + Text(ELLIPSIS)
    else:
        tail = last[: len(cut)] + Text(" " + ELLIPSIS)
    out = Text(no_wrap=True, overflow="crop", style=text.style)
    for line in kept[:-1]:
        out.append_text(line)
        out.append("\n")
    out.append_text(tail)
    return out
