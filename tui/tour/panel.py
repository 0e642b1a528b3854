"""The guided tour (``flowdeck demo --tour``): a panel that walks through the concepts.

Each step (see ``tui.tour.steps``) takes the app to the real screen, puts the
cursor on the row it talks about, focuses and highlights the widget it
points at (class ``tour-target``), and explains it in a panel at the bottom
of the screen. ``]`` goes on, ``[`` goes back, Escape leaves the tour at
any time (in a dialog or the filter, Escape keeps its usual meaning). The
eight-hour step runs the clock fast (a :class:`TimeLapseClock`) while it is
shown, so the flow with the least time left can be watched stopping.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from store.clock import Clock, utc
from store.errors import FlowdeckError
from tui.tour.steps import LAPSE_SPEED, Step, plan_tour
from tui.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from tui.app import FlowdeckApp

_SETTLE_TRIES = 100  # × 0.05 s: how long a step waits for its screen's data
_SCREEN_CLASS = {"contracts": "ContractsScreen", "contract": "ContractScreen",
                 "workspace": "WorkspaceScreen", "flow": "FlowScreen"}


class TimeLapseClock(Clock):
    """A clock (as ``--now`` / ``--speed`` make) whose speed can change from now on."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        super().__init__(start, speed)
        self.base_speed = self.speed
        self._anchor = utc(start) if start is not None else None
        self._anchor_mono = time.monotonic()

    def _exact(self) -> datetime:
        if self._anchor is None:
            return super()._exact()
        return self._anchor + timedelta(seconds=(time.monotonic() - self._anchor_mono) * self.speed)

    def lapse(self, speed: float | None) -> None:
        """Run ``speed`` times as fast from this instant (None: back to the first speed)."""
        now = self._exact()
        self._anchor, self._anchor_mono = now, time.monotonic()
        self.speed = self.base_speed if speed is None else float(speed)


class TourPanel(Static):
    """The tour's words, at the bottom of whichever screen is in view."""

    SCOPED_CSS = False  # the highlight rule applies to widgets outside the panel
    DEFAULT_CSS = """
    TourPanel {
        height: auto; max-height: 9; padding: 0 1; margin: 0 0;
        border: round $accent; border-title-style: bold; border-title-color: $accent;
        border-subtitle-color: $text-muted; background: $boost;
    }
    .tour-target { border-left: thick $accent; background-tint: $accent 12%; }
    """

    def show_step(self, step: Step, number: int, total: int) -> None:
        self.border_title = f"Tour {number}/{total} · {step.title}"
        keys = ["] finish" if number == total else "] next"]
        if number > 1:
            keys.append("[ back")
        self.border_subtitle = "  ".join([*keys, "Esc leave"])
        self.update(step.text)


class Tour:
    """Where the tour is, and moving through it."""

    def __init__(self, app: FlowdeckApp) -> None:
        self.app = app
        self.steps: list[Step] = []
        self.index = 0
        self.active = False
        self.shown = -1  # the step whose screen, cursor and highlight are in place
        self._generation = 0

    # -- starting and leaving --------------------------------------------------------
    def start(self) -> None:
        app = self.app
        self.active = True
        # App.bind cannot make a priority binding; Escape must come here before a screen's
        # "back" (the action skips itself in dialogs and the filter, so Escape still closes those)
        keys = app._bindings
        keys.bind("right_square_bracket", "tour('next')", "Tour: next step", show=False)
        keys.bind("left_square_bracket", "tour('back')", "Tour: step back", show=False)
        keys.bind("escape", "tour('leave')", "Leave the tour", show=False, priority=True)
        app.screen_change_signal.subscribe(app, self._screen_changed)
        app.run_worker(self._plan, thread=True, exit_on_error=False, name="tour-plan")

    def _plan(self) -> None:
        lapse = LAPSE_SPEED if isinstance(self.app.clock, TimeLapseClock) else None
        try:
            self.app.ensure_open()
            steps = plan_tour(self.app.svc, lapse_speed=lapse)
        except FlowdeckError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._planned, steps)

    def _failed(self, exc: FlowdeckError) -> None:
        self.app.notify(f"The tour cannot start: {exc}", severity="error")
        self.leave(quietly=True)

    def _planned(self, steps: list[Step]) -> None:
        if not self.active:
            return
        self.steps = steps
        self.go(0)

    def leave(self, quietly: bool = False) -> None:
        if not self.active:
            return
        self.active = False
        self._generation += 1
        self._lapse(False)
        self._unhighlight()
        for screen in self.app.screen_stack:
            for panel in screen.query(TourPanel):
                panel.remove()
        self.app.screen_change_signal.unsubscribe(self.app)
        for bindings in self.app._bindings.key_to_bindings.values():
            bindings[:] = [b for b in bindings if not b.action.startswith("tour(")]
        self.app.refresh_bindings()
        if not quietly:
            self.app.notify("The tour is over. ? lists the keys of any screen; q quits.", timeout=6)

    # -- moving ------------------------------------------------------------------------------
    def move(self, where: str) -> None:
        if not self.active:
            raise SkipAction()
        if where == "leave":
            if isinstance(self.app.screen, ModalScreen) or isinstance(self.app.focused, Input):
                raise SkipAction()  # Escape closes the dialog or the filter, as always
            self.leave()
            return
        if not self.steps:
            return
        if where == "next":
            if self.index + 1 >= len(self.steps):
                self.leave()
                return
            self.go(self.index + 1)
        elif where == "back" and self.index > 0:
            self.go(self.index - 1)

    def go(self, index: int) -> None:
        self._lapse(False)
        self._unhighlight()
        self.index = index
        self.shown = -1
        self._generation += 1
        step = self.steps[index]
        if not self._on_screen(step):
            self._navigate(step)
        self._settle(self._generation, 0)

    @property
    def step(self) -> Step | None:
        return self.steps[self.index] if self.steps else None

    # -- the step's screen ------------------------------------------------------------------------
    @staticmethod
    def _path_of(screen) -> str | None:
        """'' for the contracts, the path for a contract, workspace or flow; None otherwise."""
        kind = type(screen).__name__
        if kind == "ContractsScreen":
            return ""
        if kind == "ContractScreen":
            return getattr(screen, "contract_name", None)
        if kind in ("WorkspaceScreen", "FlowScreen"):
            return getattr(screen, "path", None)
        return None

    @staticmethod
    def _chain(step: Step) -> list[str]:
        """The paths of the screens from the contracts down to the step's screen."""
        parts = (step.path or "").split("/") if step.screen != "contracts" else []
        return [""] + ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]

    def _on_screen(self, step: Step) -> bool:
        return self._path_of(self.app.screen) == self._chain(step)[-1] and \
            type(self.app.screen).__name__ == _SCREEN_CLASS[step.screen]

    def _navigate(self, step: Step) -> None:
        """Pop to the deepest screen on the way to the step's, then open the rest."""
        app = self.app
        chain = self._chain(step)
        stack = app.screen_stack[1:]  # [0] is Textual's default screen
        keep = 0
        while keep < min(len(stack), len(chain)) and self._path_of(stack[keep]) == chain[keep]:
            keep += 1
        for _ in range(len(stack) - max(keep, 1)):
            app.pop_screen()
        openers = {1: app.open_contract, 2: app.open_workspace, 3: app.open_flow}
        for depth in range(max(keep, 1), len(chain)):
            openers[depth](chain[depth])

    def _settle(self, generation: int, tries: int) -> None:
        """Wait for the step's screen and its data, then point at the widget."""
        if generation != self._generation or not self.active:
            return
        step = self.step
        screen = self.app.screen
        loaded = getattr(screen, "_revision", None) is not None
        if step is None or not (self._on_screen(step) and loaded and screen.is_mounted):
            if tries < _SETTLE_TRIES:
                self.app.set_timer(0.05, lambda: self._settle(generation, tries + 1))
            return
        if step.tab and hasattr(screen, "action_tab"):
            screen.action_tab(step.tab)
        if step.table and step.row:
            self._put_cursor(screen, step.table, step.row)
        self._place_panel()
        self.app.call_after_refresh(lambda: self._point(generation))

    def _point(self, generation: int) -> None:
        if generation != self._generation or not self.active:
            return
        step = self.step
        screen = self.app.screen
        targets = screen.query(step.target) if step.target else []
        for widget in targets:
            widget.add_class("tour-target")
            if widget.can_focus:
                widget.focus()
        table = screen.query(step.table) if step.table else []
        for widget in table:
            if widget.can_focus and not any(t.can_focus for t in targets):
                widget.focus()
        self._lapse(step.lapse)
        self.shown = self.index

    @staticmethod
    def _put_cursor(screen, selector: str, name: str) -> None:
        for table in screen.query(selector).results(PagedTable):
            for key in list(table.keys()):
                first = table.get_row(key)[0]
                text = first.plain if hasattr(first, "plain") else str(first)
                if text == name or text.startswith(name + "  "):
                    table.move_to_key(key)
                    return
        for table in screen.query(selector).results(DataTable):
            for index, row in enumerate(table.ordered_rows):
                first = table.get_row(row.key)[0]
                text = first.plain if hasattr(first, "plain") else str(first)
                if text == name or text.startswith(name + "  "):
                    table.move_cursor(row=index, animate=False)
                    return

    def _unhighlight(self) -> None:
        for screen in self.app.screen_stack:
            for widget in screen.query(".tour-target"):
                widget.remove_class("tour-target")

    # -- the panel ----------------------------------------------------------------------------------
    def _place_panel(self) -> None:
        """The panel, with the current step, on the screen in view (not on dialogs)."""
        if not self.active or not self.steps:
            return
        screen = self.app.screen
        if isinstance(screen, ModalScreen) or not screen.is_mounted:
            return
        for other in self.app.screen_stack:
            if other is not screen:
                for panel in other.query(TourPanel):
                    panel.remove()
        panels = screen.query(TourPanel)
        if panels:
            panel = panels.first()
        else:
            panel = TourPanel(id="tour-panel")
            screen.mount(panel)
        panel.show_step(self.steps[self.index], self.index + 1, len(self.steps))

    def _screen_changed(self, _screen) -> None:
        if self.active:
            self._place_panel()

    # -- time ------------------------------------------------------------------------------------------
    def _lapse(self, on: bool) -> None:
        clock = self.app.clock
        if isinstance(clock, TimeLapseClock):
            if on and clock.speed < LAPSE_SPEED:
                clock.lapse(LAPSE_SPEED)
            elif not on and clock.speed != clock.base_speed:
                clock.lapse(None)
