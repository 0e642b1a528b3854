"""What every Flowdeck screen shares: navigation keys, the filter, live refresh.

One timer per screen drives everything live: each tick updates the visible
countdowns (``tick``) and asks the store for its change marker; when that
moved (another operator, the worker, the CLI), the screen reloads in a
thread and updates only what changed.

Keys: a screen decides nothing about permissions. For each of its keys,
``gate`` names the store's action id, the view whose ``allowed`` answers
for it (``store/actions.py``) and the row it needs. The footer and ``?``
offer exactly the keys the store allows; a key that is not on offer,
pressed, says why in a notification (the store's words, or "no … is
selected").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Input

from store.errors import FlowdeckError, NotFound
from store.views import View

from ..widgets.field import FieldInput
from .help import HelpScreen, keys_of

if TYPE_CHECKING:
    from ..app import FlowdeckApp


class FilterBar(FieldInput):
    """'/': type to narrow the list in view; Enter keeps it, Escape clears it."""

    DEFAULT_CSS = """
    FilterBar { dock: bottom; display: none; border: tall $accent; height: 3; }
    FilterBar.shown { display: block; }
    """
    BINDINGS = [Binding("escape", "close", "Clear filter", id="filter.close")]

    def action_close(self) -> None:
        self.value = ""
        self.remove_class("shown")
        self.screen.focus_main()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Gate:
    """What one key of a screen needs: the store's yes for ``action`` on ``view``, and a row.

    ``view`` None: not read yet (the key waits, dimmed). ``row``: the word for the row the
    key acts on, when it needs one, and ``selected`` whether one is. ``elsewhere``: the
    key belongs to another tab of the screen; the words say where. The store's refusal
    is said first, then where the key works, then the missing row.
    """

    action: str | None = None
    view: View | None = None
    row: str | None = None
    selected: bool = True
    elsewhere: str | None = None
    missing: str | None = None  # what to say when no row is selected (default: "no … is selected")

    def no_row(self) -> str | None:
        if self.row is None or self.selected:
            return None
        return self.missing or f"no {self.row} is selected"


#: the group of the workers that ask the operator on the way (a dialog waited for with
#: ``push_screen_wait``): tests and screenshots answer the dialog instead of waiting
ASKING = "ask"

#: the reason of a key whose view is still being read: dimmed, not hidden
LOADING = "still reading from the store; try again in a moment"


class FlowdeckScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="nav.back"),
        Binding("slash", "filter", "Filter", id="nav.filter"),
        Binding("question_mark", "help", "Keys", id="nav.help"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="nav.refresh"),
    ]

    #: Shown in the help screen's title.
    screen_name = "Flowdeck"

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self._revision: int | None = None
        self._polling = False
        self._reloading = False
        self._reload_again = False

    @property
    def fd(self) -> FlowdeckApp:
        return self.app  # type: ignore[return-value]

    # -- life ---------------------------------------------------------------
    def on_mount(self) -> None:
        self.set_interval(self.fd.tick_seconds, self._on_timer, name="live")
        self.call_after_refresh(self.reload)  # paint the frame first, then read

    def on_screen_resume(self) -> None:
        if self._revision is not None:
            self.reload()

    async def _on_timer(self) -> None:
        """Once a second: the countdowns, then the change marker (read in a thread, awaited
        here rather than in a worker of its own: a worker a second costs more than the read)."""
        if not self.is_current or self._polling:
            return
        self.tick()
        if self.fd.svc is None:
            return
        self._polling = True
        try:
            revision = await asyncio.to_thread(self.fd.store.revision)
        except FlowdeckError:
            return
        finally:
            self._polling = False
        if revision != self._revision:
            self.reload()

    def reload(self) -> None:
        """Read again and show. One read at a time: asked while one is under way, it runs
        once more when that one has shown. (Cancelling the read under way for a newer one
        starves the screen when reads take longer than the ticks that ask for them.)"""
        if self._reloading:
            self._reload_again = True
            return
        self._reloading = True
        self.run_worker(self._reload_until_current, group="reload", exit_on_error=False)

    async def _reload_until_current(self) -> None:
        try:
            again = True
            while again:
                self._reload_again = False
                await self._reload()
                again = self._reload_again
        finally:
            self._reloading = False

    async def _reload(self) -> None:
        if self.fd.svc is None:  # opened lazily: the store is being opened
            try:
                await asyncio.to_thread(self.fd.ensure_open)
            except FlowdeckError as exc:
                self.fd.cannot_open(exc)
                return
            self.opened()
        try:
            revision, data = await asyncio.to_thread(self._read)
        except NotFound as exc:
            self.notify(f"{exc} — it was renamed or deleted", severity="warning")
            if len(self.app.screen_stack) > 2:
                self.app.pop_screen()
            return
        except FlowdeckError as exc:
            self.notify(exc.line(), severity="error")
            return
        self._revision = revision
        self.show(data)

    def _read(self) -> tuple[int, Any]:
        """The change marker, then the data (one trip to a thread for both)."""
        return self.fd.store.revision(), self.load()

    # -- for subclasses -------------------------------------------------------
    def opened(self) -> None:
        """The store has just been opened (lazily): show who is looking."""
        for crumb in self.query("Breadcrumb"):
            crumb.set_who(self.fd.who)

    def load(self) -> Any:
        """Read what the screen shows (runs in a thread)."""
        return None

    def show(self, data: Any) -> None:
        """Put freshly loaded data on screen (runs on the UI thread)."""

    def tick(self) -> None:
        """Once a second: update countdowns from the stored deadlines."""

    def focus_main(self) -> None:
        tables = self.query("RecordTable, PagedTable")
        visible = [t for t in tables if t.display and t.region.area]
        if visible:
            visible[0].focus()

    def apply_filter(self) -> None:
        """The filter text changed: show the matching rows."""
        self.reload()

    # -- store calls from actions ---------------------------------------------
    def act(self, fn: Callable[..., Any], *args: Any, done: str | None = None,
            then: Callable[[Any], None] | None = None, **kwargs: Any) -> None:
        """Run a change in a thread; say what happened, or show the refusal."""

        async def run() -> None:
            try:
                result = await asyncio.to_thread(fn, *args, **kwargs)
            except FlowdeckError as exc:
                self.notify(escape(exc.line()), severity="error", timeout=8)
                return
            if done:
                self.notify(done)
            if then:
                then(result)
            self.reload()

        self.run_worker(run(), group="act", exit_on_error=False)

    # -- keys -----------------------------------------------------------------
    def gate(self, action: str) -> Gate | None:
        """What the key bound to ``action`` needs here (None: nothing, it is always on offer)."""
        return None

    def why_not(self, action: str) -> str | None:
        """Why the key bound to ``action`` is not on offer now (None: it is)."""
        gate = self.gate(action.partition("(")[0])  # "tab('flows')" is the action "tab"
        if gate is None:
            return None
        if gate.action is not None:
            if gate.view is None:
                return gate.elsewhere or gate.no_row() or LOADING
            if (refused := gate.view.why(gate.action)) is not None:
                return refused
        return gate.elsewhere or gate.no_row()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer exactly what the store allows here (False hides the key, None dims it)."""
        if action == "back":
            return len(self.app.screen_stack) > 2
        if action in ("filter", "help", "reload"):
            return True
        reason = self.why_not(action)
        if reason is None:
            return True
        return None if reason == LOADING else False

    def on_key(self, event: events.Key) -> None:
        """A key of this screen that is not on offer says why, instead of nothing."""
        refused = self.refused_key(event.key)
        if refused is not None:
            binding, reason = refused
            self.notify(escape(reason), title=escape(binding.description or binding.action),
                        severity="warning", timeout=6)

    def refused_key(self, key: str) -> tuple[Binding, str] | None:
        """The binding of this screen that ``key`` would run, and why it does not (None: some
        binding takes the key, or none of this screen's has it)."""
        ours = None
        for namespace, bindings in self._modal_binding_chain:
            for binding in bindings.key_to_bindings.get(key, ()):
                if namespace.check_action(binding.action, ()):
                    return None  # it acts: nothing to explain
                if namespace is self and ours is None:
                    ours = binding
        if ours is None:
            return None
        reason = self.why_not(ours.action)
        return None if reason is None else (ours, reason)

    def offer(self) -> None:
        """Re-ask which keys are on offer; repaint the footer only when that changed."""
        state = tuple(
            (b.action, self.check_action(b.action, ()))
            for bindings in self._bindings.key_to_bindings.values() for b in bindings
        )
        if state != getattr(self, "_offered", None):
            self._offered = state
            self.refresh_bindings()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.add_class("shown")
        bar.focus()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.screen_name, keys_of(self)))

    def action_reload(self) -> None:
        self.reload()

    @on(Input.Changed, "FilterBar")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.apply_filter()

    @on(Input.Submitted, "FilterBar")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.remove_class("shown")
        self.focus_main()

    def matches(self, *texts: str) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.casefold()
        return any(needle in (t or "").casefold() for t in texts)
