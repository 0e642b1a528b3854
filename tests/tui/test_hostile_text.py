"""Hostile text from the store reaches the TUI escaped (DESIGN 2d): a support request's
reason, a user's display name and a notification quoting them hold an escape sequence,
a bidi override and Rich markup; the screen shows ``\\x1b``, ``\\u202e`` and ``[bold]`` as
text, and nothing raw reaches the terminal. Snapshot and pilot, on the demo."""

from __future__ import annotations

import unicodedata

from sqlalchemy import text
from tui_helpers import SUPPORT, press, settle

from tui.screens.support import SupportScreen
from tui.widgets.detail import DetailLine

NASTY = "Mallory\x1b[2J\x1b]0;owned\x07\u202eevil [bold]loud[/bold] \x9b31m"


def _plant(demo) -> None:
    """Hostile text in the store behind the services' back (an older release, a hand edit)."""
    def body(s):
        s.execute(text("UPDATE support_requests SET reason = :v"), {"v": NASTY})
        s.execute(text("UPDATE users SET name = :v WHERE email = :e"), {"v": NASTY, "e": SUPPORT})
    demo.store.run(body, write=True)


async def _to_support(pilot) -> None:
    await settle(pilot)
    await press(pilot, "i")
    assert isinstance(pilot.app.screen, SupportScreen)
    await settle(pilot)


def test_support_screen_with_hostile_reason_and_name(snap_compare, demo):
    _plant(demo)

    async def run_before(pilot) -> None:
        await _to_support(pilot)
        pilot.app.notify(f"refused: {NASTY}", timeout=600)
        await settle(pilot)

    assert snap_compare(demo.app(user=SUPPORT), terminal_size=(100, 24), run_before=run_before)


async def test_what_the_terminal_receives_holds_no_raw_control_character(demo):
    _plant(demo)
    app = demo.app(user=SUPPORT)
    async with app.run_test(size=(100, 24)) as pilot:
        await _to_support(pilot)
        pilot.app.notify(f"refused: {NASTY}", timeout=600)
        await settle(pilot)
        detail = pilot.app.screen.query_one("#detail", DetailLine).text
        assert "\\x1b[2J" in detail and "\\u202e" in detail and "[bold]loud[/bold]" in detail
        screen = app.export_screenshot()  # every cell of the screen, as an SVG document
    raw = [c for c in screen if c not in "\n\r\t" and unicodedata.category(c) in ("Cc", "Cf")]
    assert not raw, [f"U+{ord(c):04X}" for c in raw]
    shown = screen.replace("&#160;", " ")
    assert "\\x1b[2J" in shown and "\\u202e" in shown and "[bold]loud" in shown
