"""A DataTable that keeps its cursor through refreshes and sorts by column.

Rows are keyed by a stable id; ``sync`` updates only the cells whose text
changed when the rows are the same, and otherwise rebuilds and puts the
cursor back on the same row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from ..format import plain


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None
    sortable: bool = True


def _plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def same_cell(a: object, b: object) -> bool:
    """Whether two cells look alike: the same text, and for styled text the same styles."""
    if _plain(a) != _plain(b):
        return False
    if isinstance(a, Text) and isinstance(b, Text):
        return a.style == b.style and a.spans == b.spans
    return True


class RecordTable(DataTable):
    """The list of a screen: rows by key, sortable, cursor kept across refreshes."""

    BINDINGS = [
        Binding("o", "cycle_sort", "Sort by next column", show=False, id="table.sort"),
        Binding("O", "reverse_sort", "Reverse the sort", show=False, id="table.reverse"),
    ]

    class SortChanged(Message):
        def __init__(self, table: RecordTable) -> None:
            super().__init__()
            self.table = table

    def __init__(self, columns: Sequence[Column], *, sort: str | None = None,
                 tooltip_for: Callable[[str, str], str | None] | None = None, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.spec = list(columns)
        self.sort_key = sort or (self.spec[0].key if self.spec else None)
        self.sort_reverse = False
        self._tooltip_for = tooltip_for
        self._cells: dict[str, list[object]] = {}

    def on_mount(self) -> None:
        for col in self.spec:
            self.add_column(self._label(col), key=col.key, width=col.width)

    def _label(self, col: Column) -> Text:
        arrow = ""
        if col.key == self.sort_key and col.sortable:
            arrow = " ▼" if self.sort_reverse else " ▲"
        return Text(col.label + arrow)

    def _relabel(self) -> None:
        for col in self.spec:
            column = self.columns.get(col.key)  # type: ignore[call-overload]
            if column is not None:
                column.label = self._label(col)
        self.refresh()

    # -- sorting -----------------------------------------------------------
    def set_sort(self, key: str, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = (not self.sort_reverse) if key == self.sort_key else False
        self.sort_key, self.sort_reverse = key, reverse
        self._relabel()
        self.post_message(self.SortChanged(self))

    def action_cycle_sort(self) -> None:
        keys = [c.key for c in self.spec if c.sortable]
        if not keys:
            return
        nxt = keys[(keys.index(self.sort_key) + 1) % len(keys)] if self.sort_key in keys else keys[0]
        self.set_sort(nxt, False)

    def action_reverse_sort(self) -> None:
        if self.sort_key:
            self.set_sort(self.sort_key, not self.sort_reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if any(c.key == key and c.sortable for c in self.spec):
            self.set_sort(key)

    def sort_rows(self, rows: list[tuple[str, list[object]]],
                  sort_values: dict[str, Callable[[object], object]] | None = None
                  ) -> list[tuple[str, list[object]]]:
        """Sort locally by the current column (for lists that are loaded whole)."""
        if self.sort_key is None:
            return rows
        index = [c.key for c in self.spec].index(self.sort_key)
        fn = (sort_values or {}).get(self.sort_key)

        def value(row: tuple[str, list[object]]):
            cell = row[1][index]
            return fn(cell) if fn else _plain(cell).casefold()

        return sorted(rows, key=value, reverse=self.sort_reverse)

    # -- rows ----------------------------------------------------------------
    @property
    def current_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0))
        except Exception:  # noqa: BLE001 - no rows or cursor out of range
            return None
        return row_key.value

    def keys(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows]

    def sync(self, rows: list[tuple[str, list[object]]]) -> None:
        """Show exactly ``rows``, touching as little as possible, keeping the cursor."""
        new_keys = [k for k, _ in rows]
        column_keys = [c.key for c in self.spec]
        if new_keys == self.keys():
            for key, cells in rows:
                old = self._cells.get(key, [])
                for i, cell in enumerate(cells):
                    if i >= len(old) or not same_cell(old[i], cell):
                        self.update_cell(key, column_keys[i], plain(cell))
                self._cells[key] = list(cells)
            return
        current, index = self.current_key, self.cursor_row
        self.clear()
        self._cells = {}
        for key, cells in rows:
            self.add_row(*(plain(c) for c in cells), key=key)
            self._cells[key] = list(cells)
        if not rows:
            return
        if current in self._cells:
            self.move_cursor(row=self.get_row_index(current), animate=False)
        else:
            self.move_cursor(row=min(index, len(rows) - 1), animate=False)

    # -- tooltips for cells (badges) ------------------------------------------
    def watch_hover_coordinate(self, old: Coordinate, value: Coordinate) -> None:
        super().watch_hover_coordinate(old, value)
        if self._tooltip_for is None:
            return
        try:
            row_key, col_key = self.coordinate_to_cell_key(value)
        except Exception:  # noqa: BLE001
            self.tooltip = None
            return
        self.tooltip = plain(self._tooltip_for(row_key.value, col_key.value))
