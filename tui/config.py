"""The user's config file: ``<user config dir>/flowdeck/config.toml``.

It may set ``db``, ``user``, ``theme`` and a ``[keys]`` table that remaps
the TUI's keys. Command-line options and environment variables win over it.
``FLOWDECK_CONFIG`` points at another file (tests use it). A missing file
is an empty config; a broken one is a ``ConfigError`` naming the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import FlowdeckError, InvalidInput

CONFIG_ENV = "FLOWDECK_CONFIG"
_STRING_KEYS = ("db", "user", "theme")


class ConfigError(InvalidInput):
    """The config file cannot be read or holds a value of the wrong kind."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    db: str | None = None
    user: str | None = None
    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    #: every table and value of the file, for settings other parts may add
    raw: dict[str, Any] = field(default_factory=dict)


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("flowdeck", appauthor=False)) / "config.toml"


def config_path() -> Path:
    env = os.environ.get(CONFIG_ENV)
    return Path(env).expanduser() if env else default_config_path()


def read_text_file(path: Path, what: str, error: type[FlowdeckError]) -> str:
    """The UTF-8 text of a file a person keeps (``what`` names it: "config file",
    "authorized-keys file"). A missing file raises ``FileNotFoundError`` (what that means
    is the caller's to say); any other failure is one line, raised as ``error``."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise error(f"{what} {path} is a directory") from None
    except UnicodeDecodeError:
        raise error(f"{what} {path} is not UTF-8 text") from None
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file is an empty config."""
    path = path or config_path()
    try:
        text = read_text_file(path, "config file", ConfigError)
    except FileNotFoundError:
        return Config(path=path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return _from_dict(path, data)


def _from_dict(path: Path, data: dict[str, Any]) -> Config:
    values: dict[str, str | None] = {}
    for key in _STRING_KEYS:
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"config file {path}: {key} must be a non-empty string")
        values[key] = value.strip() if isinstance(value, str) else None
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise ConfigError(f"config file {path}: keys must be a table ([keys])")
    for action, key in keys.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f"config file {path}: keys.{action} must be a non-empty string")
    return Config(path=path, db=values["db"], user=values["user"], theme=values["theme"],
                  keys={str(k): v.strip() for k, v in keys.items()}, raw=data)
