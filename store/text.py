"""Free text: what may be stored, and how any text is shown without driving a terminal.

Two rules (DESIGN section 2d):

- ``check_text`` refuses free text (display names, reasons, step settings)
  that holds control characters or bidirectional overrides, with one line
  that says where. A transform expression may keep newlines and tabs.
- ``visible`` is the one function every display boundary (CLI lines, TUI
  cells, detail lines, notifications, modal text) passes text through: a
  control or format character comes out as its escape (``\\x1b``,
  ``\\u202e``), never raw, so stored text from one party, a target's
  answer or a payload cannot move another's cursor, clear a screen, set a
  window title or reverse the text around it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from .errors import InvalidInput

#: Unicode categories made visible when shown: controls (C0, DEL, C1), format
#: characters (bidi marks and overrides, zero-width ones), line and paragraph
#: separators, surrogates and unassigned code points.
_SHOWN_ESCAPED = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"})

#: Bidirectional embeddings, overrides and isolates: refused in free text (they
#: reorder what a reader sees around them).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_SAFE_ASCII = re.compile(r"[ -~]*\Z")


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in _SHOWN_ESCAPED


def escape_char(ch: str) -> str:
    """The visible form of one character: ``\\x1b``, ``\\u202e`` or ``\\U000e0001``."""
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: Any, *, keep: str = "") -> str:
    """``text`` as it may be shown on a terminal: control and format characters escaped.

    ``keep`` names characters left as they are (the TUI keeps ``\n``: a widget
    breaks the line there and never writes it to the terminal). A backslash is
    left as it is: the point is that nothing reaches the terminal raw, not that
    the escaping can be undone.
    """
    shown: str = text if isinstance(text, str) else str(text)
    if _SAFE_ASCII.match(shown):  # the common case, without a look at each character
        return shown
    return "".join(escape_char(ch) if _unsafe(ch) and ch not in keep else ch for ch in shown)


def needs_escape(text: str, *, keep: str = "") -> bool:
    return not _SAFE_ASCII.match(text) and any(_unsafe(ch) and ch not in keep for ch in text)


def visible_json(data: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``data`` with no raw control or format character in it.

    ``json.dumps`` escapes C0 controls but, without ``ensure_ascii``, passes
    C1 controls (U+009B is a CSI on some terminals), bidi overrides and line
    separators through; those are written as JSON ``\\uXXXX`` escapes, so the
    document still parses to the same data.
    """
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    if _SAFE_ASCII.match(text.replace("\n", "")):
        return text
    return "".join(_json_escape(ch) if ch != "\n" and _unsafe(ch) else ch for ch in text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a surrogate pair, as JSON spells characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` may not be stored as free text, or None.

    Refused: control characters (C0, DEL, C1; newlines and tabs too unless
    ``multiline``) and bidirectional overrides. Everything else, combining
    marks and any script included, is kept (and shown through ``visible``).
    """
    for ch in text:
        if multiline and ch in "\n\t\r":
            continue
        if unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS or ch in "\u2028\u2029":
            return f"holds the control character {escape_char(ch)}"
    return None


def check_text(text: str, what: str, *, multiline: bool = False) -> str:
    """``text`` unchanged, or InvalidInput: '<what> holds the control character \\x1b'."""
    if not isinstance(text, str):
        raise InvalidInput(f"{what} must be text")
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise InvalidInput(f"{what} {problem}; control characters are not allowed")
    return text
