"""The Flowdeck TUI: ``FlowdeckApp(db_url=…, user=…, clock=…)``.

The app opens the store and binds the caller; screens ask the services and
show the answers. Navigation goes through ``open_*`` so screens never
import each other.

Opened from the command line, the app is ``lazy``: it paints its first
screen at once and opens the store (SQLAlchemy and all) in a thread while
the user looks at it; a store or user that cannot be opened ends the app
with that one-line message (``open_error``).
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.app import App
from textual.binding import Binding

from store.clock import Clock
from store.errors import FlowdeckError
from store.text import visible

from .commands import JumpProvider
from .theme import DEFAULT_THEME, themes

if TYPE_CHECKING:
    from store.engine import Store
    from store.services import Flowdeck
    from store.views import UserView


class FlowdeckApp(App):
    #: Every screen's stylesheet is read once at start, so opening a screen never
    #: re-parses the styles (each screen still names its own .tcss beside it).
    CSS_PATH = ["app.tcss", *sorted(
        f"screens/{p.name}" for p in (Path(__file__).parent / "screens").glob("*.tcss"))]
    TITLE = "Flowdeck"
    COMMANDS = App.COMMANDS | {JumpProvider}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("T", "time_left", "Time left (what stops next)", show=False, id="app.time_left"),
    ]

    def __init__(self, db_url: str | None = None, user: str | None = None,
                 clock: Clock | None = None, *, readonly: bool = False,
                 store: Store | None = None, theme: str | None = None,
                 keymap: dict[str, str] | None = None, tick_seconds: float = 1.0,
                 steady: bool = False, tour: bool = False, lazy: bool = False) -> None:
        super().__init__()
        if store is not None and clock is not None:
            store.clock = clock
        self.store: Store | None = store
        self.clock = clock or (store.clock if store is not None else Clock())
        self.readonly = readonly
        self.svc: Flowdeck | None = None
        self.me: UserView | None = None
        self.open_error: FlowdeckError | None = None
        self._db_url, self._user = db_url, user
        self._open_lock = threading.Lock()
        if not lazy:
            self.ensure_open()  # a bad store or an unknown user is refused here, before any screen
        self.tick_seconds = tick_seconds
        self.steady = steady or bool(os.environ.get("FLOWDECK_STEADY"))
        self._theme_name = theme or DEFAULT_THEME
        self._keymap = keymap or {}
        self._warned: set[tuple[int, str]] = set()
        self._choose_theme()
        self.tour = None
        if tour:  # the guided tour (flowdeck demo --tour): see tui/tour/panel.py
            from tui.tour.panel import Tour

            self.tour = Tour(self)

    # -- start-up ---------------------------------------------------------------
    def ensure_open(self) -> None:
        """Open the store and bind the caller (once; safe from any thread)."""
        with self._open_lock:
            if self.svc is not None:
                return
            from store.engine import open_store
            from store.services import Flowdeck

            from .caller import resolve_caller

            if self.store is None:
                self.store = open_store(self._db_url, self.clock)
                self.clock = self.store.clock  # a real-clock server store: the server's time
            user = resolve_caller(None if self._user else Flowdeck(self.store, None), self._user)
            svc = Flowdeck(self.store, user, readonly=self.readonly)
            self.me = svc.me()  # an unknown user is refused here
            self.svc = svc
            # Everything loaded so far (SQLAlchemy, Textual, the models) lives as long as the
            # app: keep it out of the collector's full passes, which otherwise stall the UI
            # for tens of milliseconds at a time. Then collect again: the start paused it
            # (tui.entry; tui.launch resumes it if the store never opens).
            gc.freeze()
            gc.enable()

    def cannot_open(self, exc: FlowdeckError) -> None:
        """The store or the user could not be opened: end with that message."""
        self.open_error = exc
        self.exit(return_code=exc.exit_code)

    def _choose_theme(self) -> None:
        """Register and pick the theme before the styles are first read (not after: a
        change of theme re-reads every stylesheet)."""
        for theme in themes():
            self.register_theme(theme)
        if os.environ.get("NO_COLOR") and not os.environ.get("FLOWDECK_THEME"):
            self._theme_name = "ansi"
        self.theme = self._theme_name if self._theme_name in self.available_themes \
            else DEFAULT_THEME

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        self.open_contracts()
        if self.tour is not None:
            self.tour.start()

    @property
    def who(self) -> str:
        me = self.me
        if me is None and self.svc is None:
            return "opening the store…"
        parts = [me.email if me else "system"]
        if me and me.support:
            parts.append("support")
        if self.readonly:
            parts.append("read-only")
        if self.store is not None and self.store.clock_kind == "simulated":
            clock = self.clock.describe()
            parts.append("simulated clock" + ("" if clock == "real time" else f" {clock}"))
        return " · ".join(parts)

    # -- navigation ---------------------------------------------------------------
    def open_contracts(self) -> None:
        from .screens.contracts import ContractsScreen

        self.push_screen(ContractsScreen())

    def open_contract(self, name: str) -> None:
        from .screens.contract import ContractScreen

        self.push_screen(ContractScreen(name))

    def open_workspace(self, path: str, *, first_page: bool = False) -> None:
        """Open a workspace; with ``first_page`` its first rows are read before the screen
        opens (in a thread), so the screen appears with its list already filled."""
        from .screens.flow_list import read_first_page
        from .screens.workspace import WorkspaceScreen

        if not first_page:
            self.push_screen(WorkspaceScreen(path))
            return

        async def open_filled() -> None:
            try:
                first = await asyncio.to_thread(read_first_page, self, path)
            except FlowdeckError as exc:
                self.notify(exc.line(), severity="error")
                return
            self.push_screen(WorkspaceScreen(path, first))

        self.run_worker(open_filled(), group="open", exclusive=True, exit_on_error=False)

    def open_flow(self, path: str) -> None:
        from .screens.flow import FlowScreen

        self.push_screen(FlowScreen(path))

    def open_time_left(self) -> None:
        """Every active Limited flow the caller can see, soonest deadline first."""
        from .screens.base import FlowdeckScreen
        from .screens.time_left import TimeLeftScreen

        # from a screen of the app, not over a dialog (a confirmation waits for its answer)
        if isinstance(self.screen, FlowdeckScreen) and not isinstance(self.screen, TimeLeftScreen):
            self.push_screen(TimeLeftScreen())

    def action_time_left(self) -> None:
        self.open_time_left()

    def open_support(self) -> None:
        from .screens.support import SupportScreen

        self.push_screen(SupportScreen())

    def jump(self, path: str) -> None:
        """Go to a contract, workspace or flow by path, with its parents beneath it."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        parts = path.split("/")
        self.open_contract(parts[0])
        if len(parts) >= 2:
            self.open_workspace("/".join(parts[:2]))
        if len(parts) >= 3:
            self.open_flow(path)

    def action_tour(self, move: str) -> None:
        """The tour's keys (bound by the tour when it starts): next, back or leave."""
        if self.tour is None:
            raise SkipAction()
        self.tour.move(move)

    # -- notifications ---------------------------------------------------------------------
    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification as plain text: a name holding '[bold]' or an escape sequence
        (in a refusal that quotes it) is shown as it is, control characters made visible."""
        super().notify(visible(message), title=visible(title), severity=severity,
                       timeout=timeout, markup=False)

    # -- notifications that must be said once ---------------------------------------
    def say_once(self, key: tuple[int, str], message: str, severity: str = "warning") -> None:
        if key in self._warned:
            return
        self._warned.add(key)
        self.notify(message, severity=severity, timeout=10)  # type: ignore[arg-type]
