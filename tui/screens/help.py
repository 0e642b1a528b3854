"""'?': every key of the screen you were on."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str, bool]]) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(f"Keys — {self.title_text}", id="help-title")
            table = DataTable(id="help-keys", cursor_type="row", show_cursor=False)
            yield table
            yield Static("Esc closes. Dimmed keys are not available to you here.", id="help-foot")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Key", key="key", width=14)
        table.add_column("Does", key="does")
        for key, words, enabled in self.keys:
            style = "" if enabled else "dim"
            table.add_row(Text(key, style="bold " + style), Text(words, style=style))
        table.focus()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


def keys_of(screen) -> list[tuple[str, str, bool]]:
    """(key, description, enabled) for every binding active on ``screen``."""
    seen: dict[str, tuple[str, str, bool]] = {}
    app = screen.app
    for active in screen.active_bindings.values():
        binding = active.binding
        words = binding.description or binding.action.replace("_", " ")
        if binding.action in ("app.command_palette", "command_palette"):
            words = "Jump to anything by name (command palette)"
        shown = app.get_key_display(binding)
        seen.setdefault(words + shown, (shown, words, active.enabled))
    return sorted(seen.values(), key=lambda k: (k[1].lower(), k[0]))
