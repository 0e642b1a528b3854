"""JSON from a stranger, refused when it nests deeper than ``MAX_JSON_DEPTH``.

``json.loads`` itself stops a body nested thousands deep with a
``RecursionError`` (its C scanner guards its own recursion), which becomes
``TooDeep`` here; whatever parses is then measured without recursion. Bodies
with fewer brackets than the limit cannot be too deep and skip the walk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..policy import MAX_JSON_DEPTH


class TooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(f"the body nests deeper than {MAX_JSON_DEPTH} levels")


def depth(value: Any) -> int:
    """How deep ``value`` nests (a scalar: 0, ``[]``: 1), without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            return level
        todo.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def loads_limited(raw: bytes | str) -> Any:
    try:
        value = json.loads(raw)
    except RecursionError:
        raise TooDeep() from None
    opening = (raw.count(b"[") + raw.count(b"{") if isinstance(raw, bytes)
               else raw.count("[") + raw.count("{"))
    if opening > MAX_JSON_DEPTH and depth(value) > MAX_JSON_DEPTH:
        raise TooDeep()
    return value
