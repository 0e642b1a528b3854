"""An Input that stops blinking when the app asks for a steady screen (tests, screenshots)."""

from __future__ import annotations

from textual.widgets import Input


class FieldInput(Input):
    def on_mount(self) -> None:
        if getattr(self.app, "steady", False):
            self.cursor_blink = False
