"""Secrets out of everything a step hands back before it is written.

What a step returns (the next message's payload, flow-log entries, an
execution's error and detail) is recorded in the store, where a guest who
may not reveal a credential reads it through ``events``. A target that
echoes the request's headers would put the credential there, so every
secret value of the credential involved, and the forms the http step
derives from them (``Bearer <token>``, the Basic header's base64 of
``user:password``), is replaced by ``•••`` first, in every string of the
data, keys included. Kept apart from the http client so it holds whatever
client sends the request.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..policy import SCRUB_MIN

MASK = "•••"


def secret_forms(secrets: dict[str, str] | None) -> list[str]:
    """Every text that gives a secret away, longest first (so a form wins over its part)."""
    if not secrets:
        return []
    values = [str(v) for v in secrets.values() if v]
    forms: set[str] = set(values)
    for value in values:
        forms.add(json.dumps(value, ensure_ascii=False)[1:-1])  # as a JSON text spells it
        forms.add(json.dumps(value)[1:-1])
    user, password = secrets.get("username"), secrets.get("password")
    if user is not None and password is not None:
        pair = f"{user}:{password}".encode()
        forms.add(base64.b64encode(pair).decode("ascii"))
        forms.add(base64.b64encode(pair).decode("ascii").rstrip("="))
        forms.add(base64.urlsafe_b64encode(pair).decode("ascii").rstrip("="))
    for value in values:
        encoded = base64.b64encode(value.encode()).decode("ascii")
        forms.update({encoded, encoded.rstrip("=")})
    return sorted((f for f in forms if len(f) >= SCRUB_MIN), key=len, reverse=True)


class Scrubber:
    """Masks the secrets of one step's credential in text and in JSON data."""

    def __init__(self, secrets: dict[str, str] | None) -> None:
        self.forms = secret_forms(secrets)

    def __bool__(self) -> bool:
        return bool(self.forms)

    def text(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def data(self, value: Any) -> Any:
        """``value`` (JSON data) with every string, and every key, scrubbed."""
        if not self.forms:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        if isinstance(value, int | float) and not isinstance(value, bool) \
                and str(value) in self.forms:
            return MASK
        return value


def scrub(text: str, secrets: dict[str, str] | None) -> str:
    """``text`` with every secret of ``secrets``, in any form it is sent, masked."""
    return Scrubber(secrets).text(text)
