"""The differences between two flow definitions, step by step (DESIGN section 2b).

A definition is a type and an ordered list of steps, each a dict with
``component``, ``credential`` (a name or None) and ``settings``. The result is
a list of ``Difference`` rows (``step``, ``change``, ``field``, ``before``,
``after``), ``change`` being ``added``, ``removed``, ``moved`` or ``changed``.

How steps are matched (two flows share no step ids, so identity is content):

1. ``difflib.SequenceMatcher`` runs over the steps' whole content (component,
   credential name, settings). Steps in its matching blocks are the same step,
   perhaps shifted by an insertion or removal before them: not reported.
2. A step left over on both sides with the same content is a step that was
   **moved** (reported once, from its old position to its new one).
3. The leftovers are matched again by component alone (a second
   SequenceMatcher over them, in order): such a pair is one step whose
   credential or settings **changed**, one row per field.
4. What is still left over was **removed** (before) or **added** (after).

Credentials are compared by name, ignoring case; a secret never appears
(credentials are only names here, and a URL's ``user:password@`` is masked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .views import View

MASK = "•••"


@dataclass(frozen=True)
class Difference(View):
    step: int | None  # the step's position (after; before for a removed one); None: the flow
    change: str  # added, removed, moved, changed
    field: str | None  # type, credential, settings.KEY, position; None for a whole step
    before: Any
    after: Any


def public(value: Any) -> Any:
    """A setting as a diff may show it: a URL without its password."""
    if not isinstance(value, str) or "@" not in value or "://" not in value:
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        return MASK
    if "@" not in parts.netloc:
        return value
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{MASK}@{host}", parts.path, parts.query, parts.fragment))


def _cred_key(step: dict[str, Any]) -> str | None:
    name = step.get("credential")
    return name.casefold() if name else None


def _content(step: dict[str, Any]) -> str:
    return json.dumps([step["component"], _cred_key(step), step.get("settings") or {}],
                      sort_keys=True, ensure_ascii=False)


def shown(step: dict[str, Any]) -> dict[str, Any]:
    """A whole step, as an added or removed row shows it."""
    return {"component": step["component"], "credential": step.get("credential"),
            "settings": {k: public(v) for k, v in sorted((step.get("settings") or {}).items())}}


def _changes(pos: int, a: dict[str, Any], b: dict[str, Any]) -> list[Difference]:
    rows = []
    if _cred_key(a) != _cred_key(b):
        rows.append(Difference(pos, "changed", "credential", a.get("credential"),
                               b.get("credential")))
    sa, sb = a.get("settings") or {}, b.get("settings") or {}
    for key in sorted(set(sa) | set(sb)):
        if sa.get(key) != sb.get(key):
            rows.append(Difference(pos, "changed", f"settings.{key}", public(sa.get(key)),
                                   public(sb.get(key))))
    return rows


def diff(before_type: str | None, before: list[dict[str, Any]], after_type: str | None,
         after: list[dict[str, Any]]) -> list[Difference]:
    """What turns definition ``before`` into ``after``; [] when they are the same."""
    rows: list[Difference] = []
    if before_type is not None and after_type is not None and before_type != after_type:
        rows.append(Difference(None, "changed", "type", before_type, after_type))
    ca, cb = [_content(s) for s in before], [_content(s) for s in after]
    matcher = SequenceMatcher(None, ca, cb, autojunk=False)
    left_a: set[int] = set(range(len(before)))
    left_b: set[int] = set(range(len(after)))
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            left_a.discard(block.a + k)
            left_b.discard(block.b + k)
    # 2. the same content on both sides, out of order: moved
    for j in sorted(left_b):
        same = next((i for i in sorted(left_a) if ca[i] == cb[j]), None)
        if same is not None:
            left_a.discard(same)
            left_b.discard(j)
            rows.append(Difference(j + 1, "moved", "position", same + 1, j + 1))
    # 3. what is left, matched by component in order: one step changed (in place)
    ia, jb = sorted(left_a), sorted(left_b)
    inner = SequenceMatcher(None, [before[i]["component"] for i in ia],
                            [after[j]["component"] for j in jb], autojunk=False)
    for block in inner.get_matching_blocks():
        for k in range(block.size):
            i, j = ia[block.a + k], jb[block.b + k]
            left_a.discard(i)
            left_b.discard(j)
            rows.extend(_changes(j + 1, before[i], after[j]))
    # 4. the rest
    rows += [Difference(i + 1, "removed", None, shown(before[i]), None) for i in sorted(left_a)]
    rows += [Difference(j + 1, "added", None, None, shown(after[j])) for j in sorted(left_b)]
    order = {"removed": 0, "moved": 1, "changed": 2, "added": 3}
    return sorted(rows, key=lambda r: (r.step is not None, r.step or 0, order[r.change]))


def same_shape(a_type: str, a: list[dict[str, Any]], b_type: str, b: list[dict[str, Any]]) -> bool:
    """Whether two flows (of different workspaces) are alike but for their credentials'
    names: what the 'waiting to be promoted' marker compares."""

    def shape(steps: list[dict[str, Any]]) -> list[Any]:
        return [[s["component"], bool(s.get("credential")), s.get("settings") or {}]
                for s in steps]

    return a_type == b_type and shape(a) == shape(b)
