"""Asking first: Cancel is the default, and the dialog says what will be lost."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from store.text import visible

from ..widgets.field import FieldInput


class ConfirmScreen(ModalScreen[bool]):
    """Yes/No with Cancel focused; with ``type_to_confirm`` the name must be typed."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]

    def __init__(self, title: str, body: str, *, confirm_label: str = "Confirm",
                 danger: bool = True, type_to_confirm: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_label = confirm_label
        self.danger = danger
        self.expected = type_to_confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="danger" if self.danger else ""):
            # plain text: never markup, control characters made visible
            yield Static(visible(self.title_text, keep="\n"), id="confirm-title", markup=False)
            yield Static(visible(self.body, keep="\n"), id="confirm-body", markup=False)
            if self.expected is not None:
                yield Static(visible(f"Type {self.expected!r} to confirm:"), id="confirm-prompt",
                             markup=False)
                yield FieldInput(placeholder=self.expected, id="confirm-input", compact=True)
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel", id="cancel", variant="default", compact=True)
                yield Button(self.confirm_label, id="ok", compact=True,
                             variant="error" if self.danger else "primary",
                             disabled=self.expected is not None)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        typed = event.value.strip().casefold()
        self.query_one("#ok", Button).disabled = typed != (self.expected or "").casefold()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not self.query_one("#ok", Button).disabled:
            self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ok")

    def action_cancel(self) -> None:
        self.dismiss(False)
