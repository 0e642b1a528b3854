"""One invocation of ``flowdeck``: its global options, the store and the caller.

The store (and SQLAlchemy with it) is opened only when a command needs it,
so ``--help`` and ``--version`` stay fast. The caller is resolved only by
commands that act as a person: ``--user``, then ``FLOWDECK_USER``, then the
config file's ``user``, then the one registered user whose email's local
part is the OS login name.

Nothing here imports Typer: ``flowdeck`` with global options only (the TUI)
is recognised and started from here, without building the command tree.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import FlowdeckError
from tui.caller import resolve_caller
from tui.config import Config, load_config

if TYPE_CHECKING:
    from store.clock import Clock
    from store.engine import Store
    from store.services import Flowdeck


def parse_now(value: str) -> datetime:
    """``--now``: an ISO-8601 instant (ValueError with the words to show otherwise)."""
    from store.clock import parse_instant

    try:
        return parse_instant(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 time (e.g. 2026-11-27T09:00:00Z)") from None


def check_speed(value: float) -> float:
    """``--speed``: 0 or more (ValueError with the words to show otherwise)."""
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise ValueError(f"{value:g} is not a speed; give a number of 0 or more (1 is real time)")
    return value


def normalize_db(value: str) -> str:
    """A database URL; a plain file path is taken as a SQLite file."""
    value = value.strip()
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


@dataclass
class CliContext:
    db: str | None  # from --db or FLOWDECK_DB
    user: str | None  # from --user or FLOWDECK_USER
    now: datetime | None
    speed: float
    readonly: bool
    _config: Config | None = field(default=None, repr=False)
    _clock: Clock | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _caller: str | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        """The config file, read when first needed (so --help works beside a broken one)."""
        if self._config is None:
            self._config = load_config()
        return self._config

    # -- where and when ------------------------------------------------------
    @property
    def url(self) -> str:
        from store.paths import resolve_url

        chosen = self.db or self.config.db
        return resolve_url(normalize_db(chosen) if chosen else None)

    def clock(self, speed: float | None = None) -> Clock:
        from store.clock import Clock

        if speed is not None:
            return Clock(self.now, speed)
        if self._clock is None:
            self._clock = Clock(self.now, self.speed)
        return self._clock

    def store(self) -> Store:
        if self._store is None:
            from store.engine import open_store

            self._store = open_store(self.url, self.clock())
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- who -------------------------------------------------------------------
    def system(self) -> Flowdeck:
        """The store as the system (workers, caller resolution)."""
        from store.services import Flowdeck

        return Flowdeck(self.store(), None, readonly=self.readonly)

    def caller(self) -> str:
        if self._caller is None:
            self._caller = self._resolve_caller()
        return self._caller

    def _resolve_caller(self) -> str:
        explicit = self.explicit_caller()
        return resolve_caller(None if explicit else self.system(), explicit)

    def explicit_caller(self) -> str | None:
        """The caller named by --user, FLOWDECK_USER or the config file, if any."""
        explicit = self.user or self.config.user
        return explicit.strip().lower() if explicit else None

    def as_caller(self) -> Flowdeck:
        """The store as the person running the command."""
        from store.services import Flowdeck

        return Flowdeck(self.store(), self.caller(), readonly=self.readonly)


def open_tui_with(state: CliContext, *, db_url: str | None = None, user: str | None = None,
                  clock=None, tour: bool = False) -> int:
    """Open the TUI for this invocation's options; its exit code."""
    state.config  # noqa: B018 - a broken config file says so before anything opens
    try:
        from tui.launch import open_tui  # type: ignore[import-not-found]
    except ImportError as exc:
        missing = getattr(exc, "name", None)
        detail = "" if missing in ("tui.launch", "tui.app", None) else f" ({exc})"
        raise FlowdeckError(f"the TUI is not available yet{detail}") from None
    url = db_url or state.url
    if user is None:  # no one named: the TUI finds the login's user once the store is open
        user = state.explicit_caller()
    state.close()  # the TUI opens the store itself
    code = open_tui(db_url=url, user=user, clock=clock or state.clock(), readonly=state.readonly,
                    config=state.config, tour=tour)
    return code if isinstance(code, int) else 0


#: set by the completion script Typer installs (``flowdeck --install-completion``)
COMPLETE_VAR = "_FLOWDECK_COMPLETE"


@dataclass(frozen=True)
class GlobalOption:
    """One global option, declared once: the Typer app (``tui.cli.main``) builds its options
    from these, and ``tui_only`` reads them without Typer."""

    flag: str
    help: str
    metavar: str | None = None  # None: a switch that takes no value
    envvar: str | None = None

    @property
    def takes_value(self) -> bool:
        return self.metavar is not None


GLOBAL_OPTIONS = {option.flag: option for option in (
    GlobalOption("--db", "Database URL or SQLite file (default: flowdeck.db in the data directory).",
                 "URL", "FLOWDECK_DB"),
    GlobalOption("--user", "Act as this registered user (default: the one whose email's local "
                 "part is your login name).", "EMAIL", "FLOWDECK_USER"),
    GlobalOption("--now", "Start the clock at this instant; it runs forward from there.",
                 "ISO-8601"),
    GlobalOption("--speed", "Run the clock N times as fast as real time.", "N"),
    GlobalOption("--readonly", "Refuse every change in this session."),
)}


def _from_env(flag: str) -> str | None:
    envvar = GLOBAL_OPTIONS[flag].envvar
    return os.environ.get(envvar) if envvar else None


def tui_only(args: list[str]) -> CliContext | None:
    """The invocation's state when it asks for nothing but the TUI (global options only),
    else None. The common case then skips building the whole command tree, which costs
    Typer a tenth of a second; anything unusual (a command, --help, a bad value) goes the
    usual way, so its message is the usual one."""
    if COMPLETE_VAR in os.environ:  # the shell asking for completions: the command line answers
        return None
    values: dict[str, str | bool] = {}
    rest = iter(args)
    for arg in rest:
        name, eq, value = arg.partition("=")
        option = GLOBAL_OPTIONS.get(name)
        if option is None or name in values or (eq and not option.takes_value):
            return None
        if option.takes_value and not eq:
            value = next(rest, None)
            if value is None:
                return None
        values[name] = value if option.takes_value else True
    try:
        now = parse_now(str(values["--now"])) if "--now" in values else None
        speed = check_speed(float(values.get("--speed", 1.0)))
    except ValueError:
        return None
    return CliContext(db=str(values.get("--db") or _from_env("--db") or "") or None,
                      user=str(values.get("--user") or _from_env("--user") or "") or None,
                      now=now, speed=speed, readonly=bool(values.get("--readonly")))
