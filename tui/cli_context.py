"""One invocation of ``flowdeck``: its global options, the store and the caller.

The store (and SQLAlchemy with it) is opened only when a command needs it,
so ``--help`` and ``--version`` stay fast. The caller is resolved only by
commands that act as a person: ``--user``, then ``FLOWDECK_USER``, then the
config file's ``user``, then the one registered user whose email's local
part is the OS login name.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from store.errors import FlowdeckError, InvalidInput, NotFound

from .config import Config, load_config

if TYPE_CHECKING:
    from store.clock import Clock
    from store.engine import Store
    from store.services import Flowdeck


def normalize_db(value: str) -> str:
    """A database URL; a plain file path is taken as a SQLite file."""
    value = value.strip()
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def login_name() -> str | None:
    try:
        return getpass.getuser() or None
    except (OSError, KeyError, ImportError):
        return None


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
        from store.engine import resolve_url

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
        explicit = self.user or self.config.user
        if explicit:
            return explicit.strip().lower()
        users = self.system().list_users()
        if not users:
            raise NotFound(
                "this store has no users yet; register the first one (it becomes support "
                "staff) with 'flowdeck user add EMAIL --name NAME'")
        login = login_name()
        if not login:
            raise InvalidInput("cannot tell who you are (no OS login name); pass --user EMAIL")
        matches = [u.email for u in users if u.email.split("@", 1)[0] == login.lower()]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFound(
                f"no registered user's email starts with '{login}@'; pass --user EMAIL "
                "(or set FLOWDECK_USER)")
        raise InvalidInput(
            f"several registered users match the login name {login!r} ({', '.join(matches)}); "
            "pass --user EMAIL (or set FLOWDECK_USER)")

    def as_caller(self) -> Flowdeck:
        """The store as the person running the command."""
        from store.services import Flowdeck

        return Flowdeck(self.store(), self.caller(), readonly=self.readonly)


def ctx_of(ctx: typer.Context) -> CliContext:
    obj: Any = ctx.find_root().obj
    if not isinstance(obj, CliContext):  # pragma: no cover - the root callback always sets it
        raise RuntimeError("the flowdeck context is missing")
    obj.config  # noqa: B018 - every command reads the config file, so a broken one always says so
    return obj


def open_tui_for(ctx: typer.Context, *, db_url: str | None = None, user: str | None = None,
                 clock=None, tour: bool = False) -> None:
    """Open the TUI (written elsewhere; imported only when asked for)."""
    state = ctx_of(ctx)
    try:
        from tui.launch import open_tui  # type: ignore[import-not-found]
    except ImportError as exc:
        missing = getattr(exc, "name", None)
        detail = "" if missing in ("tui.launch", "tui.app", None) else f" ({exc})"
        raise FlowdeckError(f"the TUI is not available yet{detail}") from None
    url = db_url or state.url
    if user is None:
        user = state.caller()
    state.close()  # the TUI opens the store itself
    code = open_tui(db_url=url, user=user, clock=clock or state.clock(), readonly=state.readonly,
                    config=state.config, tour=tour)
    if isinstance(code, int) and code:
        raise typer.Exit(code)


#: ``--json`` on every listing and ``show``
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def sub_app(help_text: str) -> typer.Typer:
    """A command group that shows its help when given no command."""
    return typer.Typer(help=help_text, no_args_is_help=True, add_completion=False,
                       pretty_exceptions_enable=False)
