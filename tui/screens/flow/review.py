"""Asking first, with the change in view: a diff like a code review, Cancel focused.

``ReviewScreen`` shows what a change does to a flow's definition (``+`` a
step added, green; ``-`` one removed, red; ``~`` something changed, before →
after, or moved) and, confirmed, makes the change itself in a thread: the
store's refusal is then shown in the dialog, on one line, and nothing has
changed. Values are shown as JSON, escaped: no one's text reaches the
terminal raw, and a diff never holds a secret (``store/flowdiff.py``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from store.errors import FlowdeckError
from store.flowdiff import Difference
from store.text import visible

from ...format import plain


def _value(value: Any) -> str:
    return visible(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _step_text(step: dict[str, Any]) -> str:
    cred = f" credential {_value(step['credential'])}" if step.get("credential") else ""
    settings = "".join(f" {k}={_value(v)}" for k, v in (step.get("settings") or {}).items())
    return f"{visible(step['component'])}{cred}{settings}"


def diff_line(d: Difference) -> Text:
    """One difference as a code review reads it."""
    where = f"step {d.step}" if d.step is not None else "flow"
    if d.change == "added":
        return Text(f"+ {where}: {_step_text(d.after)}", style="green")
    if d.change == "removed":
        return Text(f"- {where}: {_step_text(d.before)}", style="red")
    if d.change == "moved":
        return Text(f"~ {where}: moved from {d.before} to {d.after}", style="yellow")
    line = Text(f"~ {where} {visible(d.field or '')}: ")
    line.append(_value(d.before), style="red")
    line.append(" → ")
    line.append(_value(d.after), style="green")
    return line


def diff_text(rows: Sequence[Difference], same: str = "no differences") -> Text:
    if not rows:
        return Text(same, style="dim")
    return Text("\n").join(diff_line(d) for d in rows)


class ReviewScreen(ModalScreen[Any]):
    """A change shown before it is made; ``submit`` (in a thread) makes it. Dismissed with
    its result, or None on Cancel."""

    DEFAULT_CSS = """
    ReviewScreen { align: center middle; }
    #review-box { width: 96; max-width: 98%; height: auto; max-height: 96%;
                  border: thick $primary; background: $surface; padding: 0 1; }
    #review-title { text-style: bold; padding: 0 0 1 0; }
    #review-intro { color: $text-muted; padding: 0 0 1 0; }
    #review-diff { height: auto; max-height: 14; background: $panel; padding: 0 1; }
    #review-error { color: $error; height: auto; }
    #review-buttons { height: auto; align: right middle; padding: 1 0 0 0; }
    #review-buttons Button { margin-left: 2; min-width: 10; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="review.cancel")]

    def __init__(self, title: str, intro: str, rows: Sequence[Difference],
                 submit: Callable[[], Any], *, confirm_label: str, same: str = "no differences",
                 error: str | None = None) -> None:
        super().__init__()
        self.title_text, self.intro, self.rows, self.same = title, intro, rows, same
        self.submit, self.confirm_label, self.error = submit, confirm_label, error

    def compose(self) -> ComposeResult:
        with Vertical(id="review-box"):
            yield Static(plain(self.title_text), id="review-title")
            if self.intro:
                yield Static(plain(self.intro), id="review-intro")
            with VerticalScroll(id="review-diff"):
                yield Static(diff_text(self.rows, self.same), id="review-lines")
            yield Static(plain(f"✗ {self.error}" if self.error else ""), id="review-error")
            with Horizontal(id="review-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button(self.confirm_label, id="ok", variant="warning", compact=True,
                             disabled=self.error is not None)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.run_worker(self._confirm(), exclusive=True, group="review")
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    async def _confirm(self) -> None:
        button = self.query_one("#ok", Button)
        button.disabled = True
        try:
            result = await asyncio.to_thread(self.submit)
        except FlowdeckError as exc:
            self.query_one("#review-error", Static).update(plain(f"✗ {exc.line()}"))
            self.query_one("#cancel", Button).focus()
            return
        self.dismiss(result if result is not None else True)
