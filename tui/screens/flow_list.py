"""The flows of a workspace as a paged list: the store sorts, filters and counts.

A workspace may hold a hundred thousand flows; the list never loads them
all. Its source asks the store for one page at a time, with the filter
and sort applied to the whole set.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from store.views import FlowView

from ..format import status_text
from ..live import FlowWatch
from ..widgets.paged_table import Row
from ..widgets.table import Column
from .flow_runs import per_minute
from .marks import Marks

if TYPE_CHECKING:
    from ..app import FlowdeckApp

#: column key -> the store's sort key
FLOW_SORTS = {"name": "name", "status": "status", "type": "type", "time": "deadline",
              "queued": "queued"}

COLUMNS = [
    Column("name", "Flow", width=16), Column("status", "Status", width=10),
    Column("type", "Type", width=8), Column("time", "Time left", width=19),
    Column("queued", "Queued", width=6), Column("rate", "/min", width=4, sortable=False),
    Column("mark", "", width=2, sortable=False),  # the mark (space), then the promotion marker
]


def flow_cells(f: FlowView, now: datetime, watch: FlowWatch, rate: float, marks: Marks,
               promoted: bool = False) -> list[object]:
    return [Text(f.name, style="bold"), status_text(f.status), f.type, watch.cell(f, now),
            Text(str(f.queued_messages), justify="right"),
            Text(per_minute(rate), justify="right", style="" if rate else "dim"),
            marks.cell(f.id, promoted)]


class FlowSource:
    """One view of a workspace's flows: a filter and a sort, paged from the store.

    Each page also asks the store which of its flows differ from a flow of the same name
    in another workspace of the contract (``promotion_marks``): ``promoted`` keeps the
    answer (flow id -> those workspaces) for the detail line."""

    def __init__(self, app: FlowdeckApp, watch: FlowWatch, path: str, search: str | None = None,
                 sort: str = "name", descending: bool = False,
                 marks: Marks | None = None) -> None:
        self.svc = app.svc
        self.marks = marks if marks is not None else Marks()
        self.promoted: dict[int, list[str]] = {}
        self.clock = app.clock
        self.watch = watch
        self.path = path
        self.search = search or None
        self.sort = FLOW_SORTS.get(sort, "name")
        self.descending = descending

    def key(self) -> tuple:
        return (self.path, self.search, self.sort, self.descending)

    def count_and_page(self, offset: int, limit: int, with_count: bool = True
                       ) -> tuple[int | None, list[Row]]:
        count, flows, rates = self.svc.flow_page(
            self.path, search=self.search, sort=self.sort, descending=self.descending,
            offset=offset, limit=limit, with_count=with_count)
        promoted = self.svc.promotion_marks(self.path, [f.id for f in flows]) if flows else {}
        self.promoted.update(promoted)
        now = self.clock.now()
        return count, [Row(str(f.id), flow_cells(f, now, self.watch, rates.get(f.id, 0.0),
                                                  self.marks, f.id in promoted), f)
                       for f in flows]

    def page(self, offset: int, limit: int) -> list[Row]:
        return self.count_and_page(offset, limit, with_count=False)[1]


class FirstPage:
    """A workspace's first rows, read before its screen opens."""

    def __init__(self, source: FlowSource, count: int, rows: list[Row]) -> None:
        self.source = source
        self.count = count
        self.rows = rows


def read_first_page(app: FlowdeckApp, path: str) -> FirstPage:
    """(In a thread.) Count the flows and read the first page, with the default sort."""
    from ..widgets.paged_table import PAGE

    source = FlowSource(app, FlowWatch(app), path)
    count, rows = source.count_and_page(0, PAGE)
    return FirstPage(source, count or 0, rows)
