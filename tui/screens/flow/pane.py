"""What the flow screen's tabs share: one table, its rows in the order the store gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import TabPane

from ...widgets.table import Column, RecordTable
from .data import FlowData

#: the screen's filter: whether any of the texts holds what was typed
Matches = Callable[..., bool]


class TablePane(TabPane):
    """A tab of the flow screen: ``COLUMNS`` (key, title, width or None for the rest), not
    sortable by column, in a table ``TABLE_ID``."""

    TITLE: ClassVar[str]
    PANE_ID: ClassVar[str]
    TABLE_ID: ClassVar[str]
    SORT: ClassVar[str]
    COLUMNS: ClassVar[list[tuple[str, str, int | None]]]

    def __init__(self) -> None:
        super().__init__(self.TITLE, id=self.PANE_ID)
        self.table = RecordTable([Column(key, title, width=width, sortable=False)
                                  for key, title, width in self.COLUMNS],
                                 id=self.TABLE_ID, sort=self.SORT)

    def compose(self) -> ComposeResult:
        yield self.table

    def show(self, data: FlowData, now: datetime, matches: Matches) -> object:
        """Fill the table from freshly loaded data (filtered by ``matches``)."""
        raise NotImplementedError
