"""An event as a row of the workspace's and the flow's Events lists."""

from __future__ import annotations

from datetime import datetime

from store.views import EventView

from ..format import short_when


def who(actor: str) -> str:
    """The local part of an email: enough to tell people apart in a narrow column."""
    return actor.split("@")[0]


def revision_detail(e: EventView) -> str | None:
    """What a revision's event says (DESIGN 2b), or None for another kind of event."""
    d = dict(e.detail)
    if e.kind == "flow.changed":
        return f"r{d.get('revision')}: {d.get('change', '')}"
    if e.kind == "flow.rolled_back":
        return f"r{d.get('revision')}: back to r{d.get('to')}"
    if e.kind == "flow.promoted":
        made = " (created)" if d.get("created") else ""
        return (f"{d.get('source')} r{d.get('source_revision')} → {d.get('target')} "
                f"r{d.get('revision')}{made}")
    return None


def event_detail(e: EventView, with_name: bool = True) -> str:
    d = dict(e.detail)
    parts = []
    name = e.path.split("/")[-1] if e.path.count("/") >= 2 else ""
    if name and with_name:
        parts.append(name)
    if (revision := revision_detail(e)) is not None:
        return " ".join([*parts, revision])
    for key in ("lost_messages", "from", "to", "reason", "email", "role", "count", "fields"):
        if key in d and d[key] not in (None, ""):
            value = d[key]
            if isinstance(value, list):
                value = ",".join(map(str, value))
            parts.append(f"{key.replace('_', ' ')}={value}")
    return " ".join(parts)


def event_cells(e: EventView, now: datetime, with_name: bool = True) -> list[str]:
    """At, who, what, and the detail that matters (the flow's name unless ``with_name`` off)."""
    return [short_when(e.at, now), who(e.actor), e.kind, event_detail(e, with_name)]
