"""The components a flow step can be: what each one is, takes and needs.

Only the declarations live here; running them is the runtime's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import InvalidInput

if TYPE_CHECKING:
    from .models import StepKind


@dataclass(frozen=True)
class Component:
    name: str
    kind: StepKind
    summary: str
    settings: tuple[str, ...] = ()
    #: Alternative sets of secret fields a credential of this component may hold.
    credential_shapes: tuple[frozenset[str], ...] = ()

    @property
    def takes_credential(self) -> bool:
        return bool(self.credential_shapes)


COMPONENTS: dict[str, Component] = {
    c.name: c
    for c in (
        Component("webhook", "trigger", "receives JSON posted to POST /hooks/<token>"),
        Component("timer", "trigger", "emits a message on a cron schedule", settings=("cron",)),
        Component("transform", "action", "maps the message with a JSONata expression",
                  settings=("expression",)),
        Component("http", "action", "sends the message to a URL and passes the response on",
                  settings=("url", "method"),
                  credential_shapes=(frozenset({"token"}), frozenset({"username", "password"}))),
        Component("log", "action", "writes the message to the flow log"),
    )
}


def component(name: str) -> Component:
    found = COMPONENTS.get((name or "").strip().lower())
    if found is None:
        raise InvalidInput(
            f"unknown component {name!r}; components are {', '.join(COMPONENTS)}"
        )
    return found


def triggers() -> list[str]:
    return [c.name for c in COMPONENTS.values() if c.kind == "trigger"]


def check_flow_steps(names: list[str]) -> list[Component]:
    """The components of a flow's steps, in order, or the refusal: step 1 and only step 1
    is a trigger."""
    comps = [component(name) for name in names]
    if not comps:
        raise InvalidInput(f"a flow needs at least a trigger ({' or '.join(triggers())})")
    for i, comp in enumerate(comps, start=1):
        if i == 1 and comp.kind != "trigger":
            raise InvalidInput(
                f"step 1 must be a trigger ({' or '.join(triggers())}), not {comp.name}")
        if i > 1 and comp.kind == "trigger":
            raise InvalidInput(f"step {i} ({comp.name}) is a trigger; only step 1 may be one")
    return comps


def check_credential_fields(comp: Component, fields: dict[str, str]) -> None:
    if not comp.takes_credential:
        takers = ", ".join(c.name for c in COMPONENTS.values() if c.takes_credential)
        raise InvalidInput(f"component {comp.name} takes no credential (only {takers} do)")
    names = set(fields)
    if names not in comp.credential_shapes:
        shapes = " or ".join("+".join(sorted(s)) for s in comp.credential_shapes)
        raise InvalidInput(
            f"a {comp.name} credential holds {shapes}; got {'+'.join(sorted(names)) or 'nothing'}"
        )
    for key, value in fields.items():
        if not value:
            raise InvalidInput(f"secret field {key!r} is empty")


def check_setting(comp: Component, key: str, value: str) -> None:
    if key not in comp.settings:
        allowed = ", ".join(comp.settings) or "no settings"
        raise InvalidInput(f"step component {comp.name} has no setting {key!r} ({allowed})")
    if comp.name == "http" and key == "method" and value.upper() not in {
            "GET", "POST", "PUT", "PATCH", "DELETE"}:
        raise InvalidInput(f"http method {value!r} is not one of GET, POST, PUT, PATCH, DELETE")
    if comp.name == "http" and key == "url":
        check_url(value)
    if comp.name == "timer" and key == "cron":
        if len(value.split()) != 5:
            raise InvalidInput(f"cron {value!r} must have 5 fields (minute hour day month weekday)")
        from croniter import croniter

        if not croniter.is_valid(value):
            raise InvalidInput(f"cron {value!r} is not a schedule (a field is out of range?)")
    if comp.name == "transform" and key == "expression":
        import jsonata

        try:
            jsonata.Jsonata(value)
        except Exception as exc:  # noqa: BLE001 - jsonata raises its own kinds
            raise InvalidInput(f"expression {value!r} is not JSONata: {exc}") from None


def check_url(value: str) -> None:
    """An http step's URL: absolute http or https with a host, no whitespace or control
    characters (ESC, CR, LF, DEL, C1 included)."""
    from urllib.parse import urlsplit

    shown = ascii(value)[:200]
    if any(c.isspace() or ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for c in value):
        raise InvalidInput(f"http url {shown} holds whitespace or control characters")
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise InvalidInput(f"http url {shown} is not a URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not value.lower().startswith(
            ("http://", "https://")):
        raise InvalidInput(f"http url {shown} must start with http:// or https://")
    if not host:
        raise InvalidInput(f"http url {shown} names no host")
