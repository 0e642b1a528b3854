"""A transform step's expression, tried as it is typed, before it is saved.

The form shows what the step would make of its last message (the newest
one waiting at it), or of a sample the operator types, using the worker's
own evaluation (``store.runtime.steps.run_transform``), off the UI thread.
An expression that does not parse says so under it; Save asks the store,
whose refusal is shown here too, and then nothing has changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Static

from store.errors import InvalidInput
from store.runtime.steps import StepError, StepSpec, run_transform
from store.services.messages import parse_payload
from store.text import visible_json

from ...format import plain
from ...widgets.field import FieldInput
from ..form import ModalForm

#: the longest result shown (characters of its JSON)
RESULT_MAX = 2000


def try_expression(expression: str, sample: str) -> tuple[bool, str]:
    """(worked, what to show): the expression's result on the sample, or the problem."""
    if not expression.strip():
        return False, "required"
    try:
        payload = parse_payload(sample) if sample.strip() else None
    except InvalidInput as exc:
        return False, f"sample: {exc}"
    try:
        outcome = run_transform(StepSpec(0, "transform", {"expression": expression}), payload)
    except StepError as exc:
        return False, str(exc)
    text = visible_json(outcome.output)
    return True, text if len(text) <= RESULT_MAX else text[: RESULT_MAX - 1] + "…"


class TryTransformScreen(ModalForm):
    CSS_PATH = "../form.tcss"
    DEFAULT_CSS = """
    TryTransformScreen { align: center middle; }
    TryTransformScreen Input { margin: 0; background: $panel; }
    TryTransformScreen Input:focus { background: $primary 25%; }
    #try-result { height: auto; max-height: 8; background: $panel; padding: 0 1; }
    #try-result.invalid { color: $error; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="try.cancel")]

    def __init__(self, title: str, expression: str, sample: tuple[bool, Any],
                 save: Callable[[str], Any]) -> None:
        super().__init__()
        self.title_text, self.expression, self.save = title, expression, save
        found, payload = sample
        self.sample = visible_json(payload, indent=None) if found else ""
        self.sample_hint = ("the step's last message (edit it to try another)" if found else
                            "no message waits at this step: type a JSON sample")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form-box"):
            yield Static(plain(self.title_text), id="form-title")
            yield Static("Expression (JSONata):", classes="form-label")
            yield FieldInput(value=self.expression, id="field-expression", compact=True)
            yield Static("Sample message (JSON):", classes="form-label")
            yield FieldInput(value=self.sample, placeholder='{"order": {"id": 1}}',
                             id="field-sample", compact=True)
            yield Static(plain(self.sample_hint), classes="form-hint")
            yield Static("Result:", classes="form-label")
            yield Static("", id="try-result")
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Save", id="submit", variant="primary", compact=True)

    def on_mount(self) -> None:
        expression = self.query_one("#field-expression", Input)
        expression.focus()
        self.call_after_refresh(expression.action_home)  # the expression's start in view
        self._try()

    def _values(self) -> tuple[str, str]:
        return (self.query_one("#field-expression", Input).value,
                self.query_one("#field-sample", Input).value)

    def _try(self) -> None:
        expression, sample = self._values()

        async def evaluate() -> None:  # a function: a run cancelled before it starts is no leak
            await self._evaluate(expression, sample)

        self.run_worker(evaluate, exclusive=True, group="try", exit_on_error=False)

    async def _evaluate(self, expression: str, sample: str) -> None:
        worked, text = await asyncio.to_thread(try_expression, expression, sample)
        result = self.query_one("#try-result", Static)
        result.update(plain(text if worked else f"✗ {text}"))
        result.set_class(not worked, "invalid")

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.query_one("#form-error", Static).update("")
        self._try()

    def action_submit(self) -> None:
        self.run_worker(self._send(self.save, self._values()[0]), exclusive=True, group="form",
                        exit_on_error=False)
