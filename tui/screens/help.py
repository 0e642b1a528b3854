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
    """(key, description, enabled) for every binding active on ``screen``.

    The screen's own keys come first, then the list's and the app's.
    """
    seen: dict[str, tuple[int, str, str, bool]] = {}
    app = screen.app
    for active in screen.active_bindings.values():
        binding = active.binding
        shown = app.get_key_display(binding)
        if "super" in binding.key:
            continue
        words = binding.description or binding.action.replace("_", " ").capitalize()
        if binding.action in ("app.command_palette", "command_palette"):
            words = "Jump to anything by name (command palette)"
        rank = 0 if active.node is screen else (2 if active.node is app else 1)
        seen.setdefault(words + shown, (rank, shown, words, active.enabled))
    return [(key, words, enabled) for _, key, words, enabled in
            sorted(seen.values(), key=lambda k: (k[0], k[2].lower(), k[1]))]
