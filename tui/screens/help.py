"""'?': every key of the screen you were on."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from ..format import plain


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
            yield Static(plain(f"Keys — {self.title_text}"), id="help-title")
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


def keys_of(screen: Screen[Any]) -> list[tuple[str, str, bool]]:
    """(key, description, enabled) for every binding active on ``screen``.

    The screen's own keys come first, then the list's and the app's.
    """
    seen: dict[str, tuple[int, str, str, bool]] = {}
    app = screen.app
    for active in _every_binding(screen):
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


def _every_binding(screen: Screen[Any]) -> list[ActiveBinding]:
    """Like ``screen.active_bindings``, but keeping the keys ``check_action`` hides (as disabled).

    Those are the keys the user may not use here (a guest's Start): listed dimmed, not left
    out. A key bound at several levels shows the binding that would act, as Textual picks it.
    """
    app = screen.app
    found: dict[str, tuple[bool, ActiveBinding]] = {}  # key -> (hidden, binding)
    for namespace, bindings in screen._modal_binding_chain:
        for key, binding in bindings:
            state = app._check_action_state(binding.action, namespace)
            hidden = state is False
            if key in found:
                was_hidden, before = found[key]
                takes_over = (binding.priority and not before.binding.priority) or \
                    (was_hidden and not hidden)
                if not takes_over:
                    continue
            found[key] = (hidden, ActiveBinding(namespace, binding, bool(state), binding.tooltip))
    return [active for _hidden, active in found.values()]
