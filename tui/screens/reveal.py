"""The one place a secret is shown in clear, after the store has recorded the reveal."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..format import plain


class RevealScreen(ModalScreen[None]):
    CSS_PATH = "reveal.tcss"
    BINDINGS = [Binding("escape,enter", "close", "Close", id="reveal.close")]

    def __init__(self, path: str, fields: dict[str, str]) -> None:
        super().__init__()
        self.path = path
        self.fields = fields

    def compose(self) -> ComposeResult:
        with Vertical(id="reveal-box"):
            yield Static(plain(f"Secrets of {self.path}"), id="reveal-title")
            body = Text()
            for key, value in sorted(self.fields.items()):
                body.append(f"{key}: ", style="bold")
                body.append(f"{value}\n")
            yield Static(plain(body), id="reveal-fields")
            yield Static("This reveal was recorded in the workspace's events.", id="reveal-note")
            yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
