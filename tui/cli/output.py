"""What the command line prints: aligned plain tables, key/value blocks and JSON.

Human output is plain text; a terminal that allows colour (a TTY, no
``NO_COLOR``, not ``TERM=dumb``) gets a bold header and coloured statuses.
``--json`` output is one JSON document built from the views' ``to_json()``.
Nothing from the store or from outside is printed raw: every line and cell
goes through ``store.text.visible`` (``ESC`` shows as ``\x1b``), the JSON
through ``visible_json``; only the colour codes made here reach the terminal.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TextIO

from store import words
from store.clock import iso
from store.text import visible, visible_json

_BOLD, _RESET = "\033[1m", "\033[0m"
_COLOURS = {"active": "\033[32m", "stopped": "\033[31m", "suspended": "\033[31m",
            "open": "\033[33m", "full": "\033[34m", "limited": "\033[33m"}


def use_colour(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def out(text: str = "") -> None:
    print(visible(text), file=sys.stdout)


def _emit(line: str) -> None:
    """A line whose parts were made visible already (it may hold our own colour codes)."""
    print(line, file=sys.stdout)


def note(text: str) -> None:
    """A remark for people, on stderr, so piped output stays data only."""
    print(visible(text), file=sys.stderr)


def print_json(data: Any) -> None:
    print(visible_json(data), file=sys.stdout)


def json_list(views: Iterable[Any]) -> None:
    print_json([v.to_json() for v in views])


# -- values --------------------------------------------------------------------
def listing(views: Sequence[Any], as_json: bool, headers: Sequence[str],
            row: Callable[[Any], Sequence[Any]], *, empty: str,
            colour_columns: Sequence[int] = ()) -> None:
    """What a listing prints: the views as JSON (``--json``), else a table of ``row(view)``."""
    if as_json:
        json_list(views)
    else:
        table(headers, [row(v) for v in views], empty=empty, colour_columns=colour_columns)


def when(dt: datetime | None) -> str:
    return iso(dt) or "-"


def hms(seconds: int | None) -> str:
    """Seconds as H:MM:SS (``store.words.hms``), or ``-`` for none."""
    return "-" if seconds is None else words.hms(seconds)


def kind_word(kind: str) -> str:
    return words.KIND_WORD.get(kind, kind)  # type: ignore[call-overload]  # an unknown kind as it is


def dash(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def compact(detail: dict[str, Any]) -> str:
    """A detail object on one line: key=value pairs."""
    parts = []
    for key, value in detail.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}={shown}")
    return " ".join(parts)


# -- tables --------------------------------------------------------------------
def width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide East Asian letters 2, combining marks 0."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def _single_line(text: str) -> str:
    """One line, as it may be shown: runs of whitespace as one space, controls escaped."""
    text = str(text)
    return visible(" ".join(text.split()) if ("\n" in text or "\t" in text) else text)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, empty: str = "nothing to show",
          colour_columns: Sequence[int] = ()) -> None:
    """Print an aligned table; the last column is not padded."""
    cells = [[_single_line(dash(c)) for c in row] for row in rows]
    if not cells:
        note(empty)
        return
    widths = [width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], width(cell))
    colour = use_colour()

    def line(values: list[str], header: bool = False) -> str:
        parts = []
        last = len(values) - 1
        for i, value in enumerate(values):
            text = value if i == last else pad(value, widths[i])
            if colour and header:
                text = f"{_BOLD}{text}{_RESET}"
            elif colour and i in colour_columns and value.lower() in _COLOURS:
                text = f"{_COLOURS[value.lower()]}{text}{_RESET}"
            parts.append(text)
        return "  ".join(parts).rstrip()

    _emit(line([visible(h) for h in headers], header=True))
    for row in cells:
        _emit(line(row))


def fields(pairs: Sequence[tuple[str, Any]]) -> None:
    """Print ``label: value`` lines with the values aligned."""
    width = max((len(label) for label, _ in pairs), default=0) + 1
    colour = use_colour()
    for label, value in pairs:
        shown = _single_line(dash(value))
        key = visible(f"{label}:".ljust(width))
        if colour:
            key = f"{_BOLD}{key}{_RESET}"
        _emit(f"{key} {shown}")
