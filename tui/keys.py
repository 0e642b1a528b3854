"""The TUI's key bindings by id: every ``Binding(..., id=...)`` of the app, its screens, widgets
and the tour, found where they are declared (so this list cannot drift from them).

``flowdeck keys`` prints them; the config file's ``[keys]`` table may remap only these ids,
and an unknown id is refused with the list of the valid ones (``check_keymap``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from tui.config import ConfigError

#: the packages and modules whose classes declare bindings
_PACKAGES = ("tui.screens", "tui.widgets", "tui.tour")
_MODULES = ("tui.app",)


@dataclass(frozen=True)
class KeyBinding:
    id: str
    key: str  # the default key(s), as Textual writes them ("slash,f")
    description: str  # what it does
    where: str  # the class that declares it


def _modules() -> list[str]:
    names = list(_MODULES)
    for package in _PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            names.append(info.name)
    return names


def bindings() -> list[KeyBinding]:
    """Every binding with an id, in id order (an id declared twice is listed once)."""
    from textual.binding import Binding

    found: dict[str, KeyBinding] = {}
    for name in _modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name:
                continue
            for binding in vars(cls).get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id and binding.id not in found:
                    found[binding.id] = KeyBinding(binding.id, binding.key,
                                                   binding.description or binding.action,
                                                   cls.__name__)
    return sorted(found.values(), key=lambda b: b.id)


def check_keymap(keys: dict[str, str], path: Path | None = None) -> None:
    """Refuse (ConfigError, one line) a ``[keys]`` table that names an unknown binding id."""
    if not keys:
        return
    valid = [b.id for b in bindings()]
    unknown = sorted(set(keys) - set(valid))
    if unknown:
        where = f"config file {path}: " if path else ""
        names = ", ".join(repr(u) for u in unknown)
        raise ConfigError(f"{where}[keys] names no binding {names}; the ids are: {', '.join(valid)} "
                          "(see 'flowdeck keys')")
