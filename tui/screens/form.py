"""A modal form: fields checked as you type, the store's refusal shown inline."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from store.errors import FlowdeckError

from ..format import plain
from ..widgets.field import FieldInput


@dataclass
class FormField:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    options: list[tuple[str, str]] | None = None  # a choice: (label, value)
    password: bool = False
    check: Callable[[str], str | None] | None = None  # the problem, or None
    required: bool = True
    hint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class ModalForm(ModalScreen[Any]):
    """What a modal form does with its buttons and keys: Enter or the submit button sends,
    Cancel or Escape leaves; sending calls the store in a thread, shows its refusal under
    the fields, or dismisses the form with the store's answer."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_submit()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        raise NotImplementedError

    async def _send(self, call: Callable[[Any], Any], values: Any) -> None:
        button = self.query_one("#submit", Button)
        button.disabled = True
        try:
            result = await asyncio.to_thread(call, values)
        except FlowdeckError as exc:
            self.query_one("#form-error", Static).update(plain(f"✗ {exc.line()}"))
            button.disabled = False
            return
        self.dismiss(result if result is not None else True)


class FormScreen(ModalForm):
    CSS_PATH = "form.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.submit", show=False),
    ]

    def __init__(self, title: str, fields: list[FormField],
                 submit: Callable[[dict[str, str]], Any], *, submit_label: str = "Save",
                 intro: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self.submit_label = submit_label
        self.intro = intro

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form-box"):
            yield Static(plain(self.title_text), id="form-title")
            if self.intro:
                yield Static(plain(self.intro), id="form-intro")
            for f in self.fields:
                yield Static(plain(f.label), classes="form-label")
                if f.options is not None:
                    yield Select(f.options, value=f.value or f.options[0][1], allow_blank=False,
                                 id=f"field-{f.name}", compact=True)
                else:
                    yield FieldInput(value=f.value, placeholder=f.placeholder, password=f.password,
                                     id=f"field-{f.name}", compact=True)
                yield Static(plain(f.hint), classes="form-hint", id=f"hint-{f.name}")
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button(self.submit_label, id="submit", variant="primary", compact=True)

    def on_mount(self) -> None:
        first = self.query("Input, Select").first()
        first.focus()
        for f in self.fields:
            if f.options is None and f.value:
                self._check(f)

    def values(self) -> dict[str, str]:
        out = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            out[f.name] = str(widget.value) if widget.value is not None else ""
        return out

    def _check(self, f: FormField) -> str | None:
        value = self.values()[f.name]
        problem = None
        if f.required and not value.strip():
            problem = "required"
        elif f.check and value:
            problem = f.check(value)
        hint = self.query_one(f"#hint-{f.name}", Static)
        hint.update(plain(f"✗ {problem}" if problem else f.hint))
        hint.set_class(bool(problem), "invalid")
        return problem

    def on_input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("field-")
        for f in self.fields:
            if f.name == name:
                self._check(f)
        self.query_one("#form-error", Static).update("")

    def action_submit(self) -> None:
        problems = [f for f in self.fields if self._check(f)]
        if problems:
            self.query_one("#form-error", Static).update(
                plain(f"✗ {problems[0].label.rstrip(':')}: fix the field above first"))
            self.query_one(f"#field-{problems[0].name}").focus()
            return
        self.run_worker(self._send(self.submit, self.values()), exclusive=True, group="form")
