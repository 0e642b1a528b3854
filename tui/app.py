"""The Flowdeck TUI: ``FlowdeckApp(db_url=…, user=…, clock=…)``.

The app opens the store and binds the caller; screens ask the services and
show the answers. Navigation goes through ``open_*`` so screens never
import each other.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual.actions import SkipAction
from textual.app import App
from textual.binding import Binding

from store.clock import Clock
from store.engine import Store, open_store
from store.errors import FlowdeckError
from store.services import Flowdeck

from .commands import JumpProvider
from .theme import DEFAULT_THEME, themes


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
    ]

    def __init__(self, db_url: str | None = None, user: str | None = None,
                 clock: Clock | None = None, *, readonly: bool = False,
                 store: Store | None = None, theme: str | None = None,
                 keymap: dict[str, str] | None = None, tick_seconds: float = 1.0,
                 steady: bool = False, tour: bool = False) -> None:
        super().__init__()
        if store is None:
            store = open_store(db_url, clock or Clock())
        elif clock is not None:
            store.clock = clock
        self.store = store
        self.clock = store.clock
        self.readonly = readonly
        self.svc = Flowdeck(store, user, readonly=readonly)
        self.me = self.svc.me()  # an unknown user is refused here, before any screen
        self.tick_seconds = tick_seconds
        self.steady = steady or bool(os.environ.get("FLOWDECK_STEADY"))
        self._theme_name = theme or DEFAULT_THEME
        self._keymap = keymap or {}
        self._warned: set[tuple[int, str]] = set()
        self.tour = None
        if tour:  # the guided tour (flowdeck demo --tour): see tui/tour.py
            from .tour import Tour

            self.tour = Tour(self)

    # -- start-up ---------------------------------------------------------------
    def on_mount(self) -> None:
        for theme in themes():
            self.register_theme(theme)
        if os.environ.get("NO_COLOR") and not os.environ.get("FLOWDECK_THEME"):
            self._theme_name = "ansi"
        self.theme = self._theme_name if self._theme_name in self.available_themes \
            else DEFAULT_THEME
        if self._keymap:
            self.set_keymap(self._keymap)
        self.open_contracts()
        if self.tour is not None:
            self.tour.start()

    @property
    def who(self) -> str:
        me = self.me
        parts = [me.email if me else "system"]
        if me and me.support:
            parts.append("support")
        if self.readonly:
            parts.append("read-only")
        clock = self.clock.describe()
        if clock != "real time":
            parts.append(f"clock {clock}")
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

    # -- notifications that must be said once ---------------------------------------
    def say_once(self, key: tuple[int, str], message: str, severity: str = "warning") -> None:
        if key in self._warned:
            return
        self._warned.add(key)
        self.notify(message, severity=severity, timeout=10)  # type: ignore[arg-type]
