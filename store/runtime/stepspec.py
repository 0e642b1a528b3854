"""What a step is and what it gives back: ``StepSpec``, ``StepOutcome``, ``StepError``.

The step runners (``steps`` for the built-in components, ``httpstep`` for http) and the
worker share these types; nothing here runs a step, so no runner imports another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..policy import TEXT_MAX


@dataclass(frozen=True)
class StepSpec:
    """A step as the worker runs it: its settings and its credential, still sealed."""

    position: int
    component: str
    settings: dict[str, Any]
    credential: str | None = None  # the credential's name
    sealed: str | None = None  # the credential's encrypted fields


@dataclass
class StepOutcome:
    output: Any
    detail: dict[str, Any] = field(default_factory=dict)  # e.g. an http status
    logs: list[dict[str, Any]] = field(default_factory=list)  # flow-log entries to write


class StepError(Exception):
    """A step failed; the message is retried, then parked (or its flow stopped)."""

    def __init__(self, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = clip(message)
        self.detail = detail or {}

    def __str__(self) -> str:
        return self.message


def clip(text: str, limit: int = TEXT_MAX) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
