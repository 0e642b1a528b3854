"""One line of a table drawn by hand: the columns' widths and the cells laid out in them.

``PagedTable`` draws only the lines on screen (Textual's line API); these say how
wide each column is and how a row of cells becomes one ``Strip``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from ..format import plain
from .table import Column


def cell_text(cell: Any) -> Text:
    """A cell as shown: markup-free, control characters made visible (``format.plain``)."""
    return plain(cell if isinstance(cell, Text) else str(cell))


def column_widths(spec: Sequence[Column], width: int) -> list[int]:
    """Each column's width in a table ``width`` wide: fixed ones as set, the rest share."""
    fixed = sum(c.width or 0 for c in spec) + 2 * len(spec)
    flexible = [c for c in spec if not c.width]
    spare = max(8, width - fixed) // max(1, len(flexible)) if flexible else 0
    return [c.width or spare for c in spec]


def column_at(spec: Sequence[Column], widths: list[int], x: int) -> str | None:
    """The key of the column at ``x`` (from the table's left edge), if any."""
    edge = 0
    for col, width in zip(spec, widths, strict=True):
        edge += width + 2
        if x < edge:
            return col.key
    return None


def render_cells(cells: list[Text], widths: list[int], console: Console, style: Style) -> Strip:
    """The cells, each cut to its column and padded (right-justified ones on the left)."""
    line = Text(no_wrap=True, overflow="ellipsis")
    for cell, width in zip(cells, widths, strict=True):
        text = cell.copy()
        text.truncate(width, overflow="ellipsis")
        gap = " " * max(0, width - text.cell_len)
        line.append(" " + gap if cell.justify == "right" else " ")
        line.append_text(text)
        line.append(" " if cell.justify == "right" else gap + " ")
    segments = list(line.render(console, end=""))
    return Strip(Segment.apply_style(segments, style)).simplify()
