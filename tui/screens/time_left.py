"""What stops next: every active Limited flow the caller can see, soonest deadline first.

Across contracts, paged by the store (``time_left_page``: one short walk of the
``(status, deadline)`` index a page), so it opens as fast on a million flows as
on ten. Countdowns tick in the usual styles; a flow that stops leaves the list
at the next reload. Enter opens the flow; space marks, ``U`` clears the marks;
``R`` restarts and ``x`` stops the marked flows (or the highlighted one) as one
change; ``/`` narrows to the paths containing a text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer

from store.views import FlowView

from ..format import KIND_EXPLANATION
from ..live import FlowWatch
from ..widgets.breadcrumb import Breadcrumb
from ..widgets.detail import DetailLine
from ..widgets.paged_table import PagedTable, Row
from ..widgets.table import Column
from .base import FilterBar, Gate
from .marked import MarkedFlows
from .marks import Marks, plural

if TYPE_CHECKING:
    from ..app import FlowdeckApp

COLUMNS = [
    Column("time", "Time left", width=12, sortable=False),
    Column("path", "Flow", sortable=False),
    Column("queued", "Queued", width=6, sortable=False),
    Column("mark", "", width=1, sortable=False),
]


class TimeLeftSource:
    """The time-left set for one filter text, a page at a time."""

    def __init__(self, app: FlowdeckApp, watch: FlowWatch, marks: Marks, search: str | None) -> None:
        self.svc = app.svc
        self.clock = app.clock
        self.watch = watch
        self.marks = marks
        self.search = search or None

    def count_and_page(self, offset: int, limit: int, with_count: bool = True
                       ) -> tuple[int | None, list[Row]]:
        count, flows = self.svc.time_left_page(search=self.search, offset=offset, limit=limit,
                                               with_count=with_count)
        now = self.clock.now()
        return count, [Row(str(f.id), self.cells(f, now), f) for f in flows]

    def page(self, offset: int, limit: int) -> list[Row]:
        return self.count_and_page(offset, limit, with_count=False)[1]

    def cells(self, f: FlowView, now) -> list[object]:
        return [self.watch.cell(f, now), Text(f.path, style="bold"),
                Text(str(f.queued_messages), justify="right"), self.mark(f.id)]

    def mark(self, fid: int) -> Text:
        return self.marks.cell(fid).divide([1])[0]


class TimeLeftScreen(MarkedFlows):
    screen_name = "Time left"
    BINDINGS = [
        Binding("enter", "open", "Open", id="timeleft.open"),
        Binding("space", "mark", "Mark", key_display="␣", id="timeleft.mark"),
        Binding("R", "restart", "Restart", id="timeleft.restart"),
        Binding("x", "stop", "Stop", show=False, id="timeleft.stop"),
        Binding("U", "clear_marks", "Clear marks", show=False, id="timeleft.clear_marks"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.marks = Marks()
        self.watch: FlowWatch | None = None

    def compose(self) -> ComposeResult:
        yield Breadcrumb("Time left", who=self.fd.who)
        yield PagedTable(COLUMNS, id="timeleft-table")
        yield DetailLine(id="detail")
        yield FilterBar(placeholder="filter by contract, workspace or flow name")
        yield Footer()

    def on_mount(self) -> None:
        self.watch = FlowWatch(self.fd)
        self._show()
        super().on_mount()

    # -- the list ---------------------------------------------------------------------------
    def _table(self) -> PagedTable:
        return self.query_one("#timeleft-table", PagedTable)

    def _show(self) -> None:
        if self.fd.svc is None:
            return  # the store is being opened: ``show`` comes after
        self._table().set_source(TimeLeftSource(self.fd, self.watch, self.marks,
                                                self.filter_text))

    def load(self) -> None:
        return None

    def show(self, _data: None) -> None:
        table = self._table()
        if table.loaded_once:
            table.refresh_data()  # a flow that stopped leaves the list
        else:
            self._show()

    def apply_filter(self) -> None:
        self._show()

    def on_paged_table_loaded(self, event: PagedTable.Loaded) -> None:
        self.watch.update([row.payload for row in event.rows])
        self._describe()
        self.offer()

    def on_paged_table_highlighted(self, _event: PagedTable.Highlighted) -> None:
        self._describe()
        self.offer()

    def on_paged_table_selected(self, _event: PagedTable.Selected) -> None:
        self.action_open()

    def tick(self) -> None:
        """The countdowns in view; a deadline come: reload (the flow leaves the list)."""
        if self.watch is not None and self.watch.tick_rows(self._table(), self.fd.clock.now()):
            self.reload()

    def current_flow(self) -> FlowView | None:
        row = self._table().current_row
        return row.payload if row is not None else None

    def _describe(self) -> None:
        table = self._table()
        f = self.current_flow()
        marked = f"{plural(len(self.marks), 'flow')} marked (R restarts them). " \
            if self.marks else ""
        if f is None:
            text = ("No flow matches the filter." if self.filter_text else
                    "No active flow of a Limited workspace you can see: nothing stops.")
        else:
            text = (f"{marked}{f.path}: {table.cursor + 1:,} of {table.row_count:,} stopping "
                    f"soonest first. {KIND_EXPLANATION['limited']}")
        self.query_one("#detail", DetailLine).update(text)

    # -- keys -------------------------------------------------------------------------------
    def gate(self, action: str) -> Gate | None:
        f = self.current_flow()
        row = {"row": "flow", "selected": f is not None}
        gates = {
            "open": lambda: Gate(**row),
            "mark": lambda: Gate(**row),
            "clear_marks": lambda: Gate(row="mark", selected=bool(self.marks),
                                        missing="no flow is marked"),
            "restart": lambda: Gate("flow.restart", f, **row),
            "stop": lambda: Gate("flow.stop", f, **row),
        }
        return gates[action]() if action in gates else None

    def action_open(self) -> None:
        if f := self.current_flow():
            self.fd.open_flow(f.path)

    def repaint_marks_shown(self) -> None:
        table = self._table()
        for index, row in table.visible_rows():
            table.set_cell(index, "mark", table._source.mark(row.payload.id))  # type: ignore[union-attr]
        self._describe()
        self.offer()

    def action_mark(self) -> None:
        table = self._table()
        if (f := self.current_flow()) is None:
            return
        self.marks.toggle(f.id)
        self.repaint_marks_shown()
        if table.cursor < table.row_count - 1:
            table.cursor += 1

