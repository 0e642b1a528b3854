"""A table for lists too long to load: it asks its source for the rows in view.

The store answers a count and pages of rows; the table keeps a few pages
(``paging.Pages``), renders only the lines on screen (Textual's line API),
and fetches a page in a thread when one scrolls into view. Sorting and
filtering happen in the source (the store), so they apply to the whole set,
not one page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..format import plain
from .paging import KEEP_PAGES, PAGE, Pages, Row, Source, changed_rows, pages_in_view
from .row_line import cell_text, column_at, column_widths, render_cells
from .table import Column, same_cell

__all__ = ["KEEP_PAGES", "PAGE", "PagedTable", "Row", "Source"]


class PagedTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    PagedTable { height: 1fr; background: $surface; }
    PagedTable > .paged-table--header { text-style: bold; background: $panel; color: $text; }
    PagedTable > .paged-table--cursor { background: $block-cursor-blurred-background; }
    PagedTable:focus > .paged-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    PagedTable > .paged-table--loading { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"paged-table--header", "paged-table--cursor", "paged-table--loading"}
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "first", "First row", show=False),
        Binding("end,G", "last", "Last row", show=False),
        Binding("enter", "select", "Open", show=False),
        Binding("o", "cycle_sort", "Sort by next column", show=False, id="table.sort"),
        Binding("O", "reverse_sort", "Reverse the sort", show=False, id="table.reverse"),
    ]

    cursor = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, table: PagedTable, row: Row | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

    class Selected(Message):
        def __init__(self, table: PagedTable, row: Row) -> None:
            super().__init__()
            self.table = table
            self.row = row

    class SortChanged(Message):
        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

    class Loaded(Message):
        """Fresh rows arrived from the source."""

        def __init__(self, table: PagedTable, rows: list[Row]) -> None:
            super().__init__()
            self.table = table
            self.rows = rows

    def __init__(self, columns: Sequence[Column], *, sort: str | None = None,
                 tooltip_for: Callable[[Row, str], str | None] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = list(columns)
        self.sort_key = sort or (self.spec[0].key if self.spec else None)
        self.sort_reverse = False
        self.row_count = 0
        self._source: Source | None = None
        self._generation = 0
        self.pages = Pages()
        self._lines: dict[int, Strip] = {}
        self._tooltip_for = tooltip_for
        self._hover: tuple[int, str] | None = None
        self.loaded_once = False

    # -- data ------------------------------------------------------------------
    def _forget(self, source: Source) -> None:
        """A new source: what was fetched or asked for from the old one no longer counts."""
        self._source = source
        self._generation += 1
        self.pages.clear()
        self._lines.clear()

    def set_source(self, source: Source, *, keep_cursor: bool = False) -> None:
        """Show another set (a new filter or sort): count again, fetch what is in view."""
        key = self.current_key if keep_cursor else None
        self._forget(source)
        self._fetch(reset=not keep_cursor, keep_key=key)

    def preload(self, source: Source, count: int, rows: list[Row]) -> None:
        """Show rows already read (before the screen opened): no wait for the first page."""
        self._forget(source)
        self._arrived(self._generation, count, {0: rows} if rows else {}, True, None)

    def refresh_data(self) -> None:
        """The store changed: re-count and re-fetch the pages in view, keeping the cursor."""
        if self._source is None:
            return
        self._fetch(reset=False, keep_key=self.current_key)

    def _visible_pages(self, around: int | None = None) -> list[int]:
        return pages_in_view(int(self.scroll_y), max(1, self.size.height - 1), around)

    def _fetch(self, *, reset: bool, keep_key: str | None) -> None:
        source, generation = self._source, self._generation
        wanted = [0] if reset else self._visible_pages(self.cursor)

        def work() -> None:
            count, rows = source.count_and_page(wanted[0] * PAGE, PAGE)
            pages = {wanted[0]: rows}
            pages.update({p: source.page(p * PAGE, PAGE) for p in wanted[1:]
                          if p * PAGE < max(count, 1)})
            self.app.call_from_thread(self._arrived, generation, count, pages, reset, keep_key)

        self.run_worker(work, thread=True, group="paged-fetch", exit_on_error=False)

    def _arrived(self, generation: int, count: int, pages: dict[int, list[Row]], reset: bool,
                 keep_key: str | None) -> None:
        if generation != self._generation:
            return
        if not reset and count == self.row_count:
            for p, rows in pages.items():
                old = self.pages.held.get(p)
                self.pages.held[p] = rows
                for index in changed_rows(p, old, rows):
                    self._refresh_index(index)
        else:
            self.pages.held = dict(pages)
            self._lines.clear()
            self.row_count = count
            self.virtual_size = Size(self._total_width(), count + 1)
            self.refresh()
        self.loaded_once = True
        if reset:
            self.scroll_to(y=0, animate=False)
            self.cursor = 0
        elif keep_key is not None and self.current_key != keep_key:
            index = self.pages.index_of(keep_key)
            if index is not None:
                self.cursor = index
        self.cursor = min(self.cursor, max(0, count - 1))
        self.post_message(self.Loaded(self, [r for rows in pages.values() for r in rows]))
        self.post_message(self.Highlighted(self, self.current_row))

    def _load_missing(self) -> None:
        if self._source is None:
            return
        missing = self.pages.to_fetch(self._visible_pages(self.cursor), self.row_count)
        if not missing:
            return
        source, generation = self._source, self._generation

        def work() -> None:
            pages = {p: source.page(p * PAGE, PAGE) for p in missing}
            self.app.call_from_thread(self._page_arrived, generation, pages)

        self.run_worker(work, thread=True, group="paged-page", exit_on_error=False)

    def _page_arrived(self, generation: int, pages: dict[int, list[Row]]) -> None:
        if generation != self._generation:
            return
        for p, rows in pages.items():
            self.pages.arrived(p, rows)
            for i in range(len(rows)):
                self._refresh_index(p * PAGE + i)
        self.pages.trim(self._visible_pages(self.cursor), self.cursor)
        self.post_message(self.Loaded(self, [r for rows in pages.values() for r in rows]))
        self.post_message(self.Highlighted(self, self.current_row))

    # -- rows --------------------------------------------------------------------
    def row_at(self, index: int) -> Row | None:
        return self.pages.row_at(index)

    @property
    def cursor_row(self) -> int:
        """The cursor's row index (as a DataTable says it)."""
        return self.cursor

    @property
    def current_row(self) -> Row | None:
        return self.row_at(self.cursor) if self.row_count else None

    @property
    def current_key(self) -> str | None:
        row = self.current_row
        return row.key if row else None

    def keys(self) -> list[str]:
        """The keys of the rows loaded now, in order (a page or a few, never the whole set)."""
        return self.pages.keys()

    def get_row(self, key: str) -> list[Any]:
        index = self.pages.index_of(key)
        if index is None:
            raise KeyError(key)
        return self.row_at(index).cells

    def move_to_key(self, key: str) -> bool:
        index = self.pages.index_of(key)
        if index is not None:
            self.cursor = index
        return index is not None

    def visible_rows(self) -> list[tuple[int, Row]]:
        top = int(self.scroll_y)
        out = []
        for index in range(top, min(self.row_count, top + max(0, self.size.height - 1))):
            row = self.row_at(index)
            if row is not None:
                out.append((index, row))
        return out

    def set_cell(self, index: int, column: str, value: Any) -> bool:
        """Change one cell of a loaded row; repaint its line only if its text changed."""
        row = self.row_at(index)
        if row is None:
            return False
        i = [c.key for c in self.spec].index(column)
        if same_cell(row.cells[i], value):
            return False
        row.cells[i] = value
        self._refresh_index(index)
        return True

    # -- sorting -------------------------------------------------------------------
    def set_sort(self, key: str, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = (not self.sort_reverse) if key == self.sort_key else False
        self.sort_key, self.sort_reverse = key, reverse
        self._lines.pop(-1, None)
        self.refresh(Region(0, 0, self.size.width, 1))
        self.post_message(self.SortChanged(self))

    def action_cycle_sort(self) -> None:
        keys = [c.key for c in self.spec if c.sortable]
        if keys:
            nxt = keys[(keys.index(self.sort_key) + 1) % len(keys)] \
                if self.sort_key in keys else keys[0]
            self.set_sort(nxt, False)

    def action_reverse_sort(self) -> None:
        if self.sort_key:
            self.set_sort(self.sort_key, not self.sort_reverse)

    # -- cursor ----------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_index(old)
        self._refresh_index(new)
        height = max(1, self.size.height - 1)
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False)
        elif new >= self.scroll_y + height:
            self.scroll_to(y=new - height + 1, animate=False)
        self.call_after_refresh(self._load_missing)
        self.post_message(self.Highlighted(self, self.current_row))

    def action_move(self, delta: int) -> None:
        if self.row_count:
            self.cursor = max(0, min(self.row_count - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.size.height - 2))

    def action_first(self) -> None:
        if self.row_count:
            self.cursor = 0

    def action_last(self) -> None:
        if self.row_count:
            self.cursor = self.row_count - 1

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.call_after_refresh(self._load_missing)

    # -- mouse ---------------------------------------------------------------------------
    def _column_at(self, x: int) -> str | None:
        return column_at(self.spec, self._widths(), x + int(self.scroll_x))

    async def _on_click(self, event: events.Click) -> None:
        if event.y == 0:
            key = self._column_at(event.x)
            if key and any(c.key == key and c.sortable for c in self.spec):
                self.set_sort(key)
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < self.row_count:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        if self._tooltip_for is None:
            return
        index = int(self.scroll_y) + event.y - 1
        key = self._column_at(event.x)
        row = self.row_at(index) if event.y >= 1 else None
        spot = (index, key) if row is not None and key else None
        if spot != self._hover:
            self._hover = spot
            self.tooltip = plain(self._tooltip_for(row, key)) if spot else None

    # -- rendering ------------------------------------------------------------------------
    def _widths(self) -> list[int]:
        return column_widths(self.spec, self.size.width)

    def _total_width(self) -> int:
        return sum(self._widths()) + 2 * len(self.spec)

    def on_focus(self, _event: events.Focus) -> None:
        self._refresh_index(self.cursor)

    def on_blur(self, _event: events.Blur) -> None:
        self._refresh_index(self.cursor)

    def on_resize(self, _event: events.Resize) -> None:
        self._lines.clear()
        self.virtual_size = Size(self._total_width(), self.row_count + 1)
        self.call_after_refresh(self._load_missing)

    def _refresh_index(self, index: int) -> None:
        self._lines.pop(index, None)
        y = index - int(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _line(self, cells: list[Text], style: Style) -> Strip:
        return render_cells(cells, self._widths(), self.app.console, style)

    def _header(self) -> Strip:
        cells = []
        for col in self.spec:
            arrow = (" ▼" if self.sort_reverse else " ▲") if col.sortable and \
                col.key == self.sort_key else ""
            cells.append(Text(col.label + arrow))
        return self._line(cells, self.get_component_rich_style("paged-table--header"))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x = int(self.scroll_x)
        base = self.rich_style
        fill = base
        if y == 0:
            fill = self.get_component_rich_style("paged-table--header")
            strip = self._header()
        else:
            index = int(self.scroll_y) + y - 1
            if index >= self.row_count:
                return Strip.blank(width, base)
            row = self.row_at(index)
            if row is None:
                self.call_after_refresh(self._load_missing)
                loading = self.get_component_rich_style("paged-table--loading")
                strip = self._line([Text("…")] + [Text("")] * (len(self.spec) - 1), loading)
            elif index == self.cursor:
                fill = self.get_component_rich_style("paged-table--cursor")
                strip = self._line([cell_text(c) for c in row.cells], fill)
            else:
                strip = self._lines.get(index)
                if strip is None:
                    strip = self._line([cell_text(c) for c in row.cells], base)
                    self._lines[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, fill)
