"""The pages of a list too long to load: which are in view, which are held, which to drop.

No widget here: ``PagedTable`` asks these which page numbers it needs, keeps what
arrives in a ``Pages``, and draws. A page is ``PAGE`` rows; at most ``KEEP_PAGES``
are held at once, the ones farthest from the cursor dropped first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .table import same_cell

PAGE = 100
KEEP_PAGES = 12


@dataclass
class Row:
    key: str
    cells: list[Any]
    payload: Any = None


class Source(Protocol):
    """Where the rows come from. Both methods run in a worker thread."""

    def count_and_page(self, offset: int, limit: int) -> tuple[int, list[Row]]:
        """The size of the whole set and one page of it, in one read."""
        ...

    def page(self, offset: int, limit: int) -> list[Row]: ...


def pages_in_view(top: int, height: int, around: int | None = None) -> list[int]:
    """The page numbers of rows ``top`` to ``top + height``, and the page of row ``around``."""
    first, last = top // PAGE, (top + height) // PAGE
    pages = set(range(first, last + 1))
    if around is not None:
        pages.add(around // PAGE)
    return sorted(pages)


def changed_rows(page: int, old: list[Row] | None, new: list[Row]) -> list[int]:
    """The indexes of the rows of ``page`` that ``new`` shows differently from ``old``."""
    changed = []
    for i, row in enumerate(new):
        before = old[i] if old and i < len(old) else None
        if before is None or before.key != row.key or not all(
                map(same_cell, before.cells, row.cells)):
            changed.append(page * PAGE + i)
    return changed


class Pages:
    """The pages fetched from one source, by page number, and the ones being fetched."""

    def __init__(self) -> None:
        self.held: dict[int, list[Row]] = {}
        self.loading: set[int] = set()

    def clear(self) -> None:
        self.held.clear()
        self.loading.clear()

    def row_at(self, index: int) -> Row | None:
        rows = self.held.get(index // PAGE)
        if rows is None or index % PAGE >= len(rows):
            return None
        return rows[index % PAGE]

    def index_of(self, key: str) -> int | None:
        for p, rows in self.held.items():
            for i, row in enumerate(rows):
                if row.key == key:
                    return p * PAGE + i
        return None

    def keys(self) -> list[str]:
        """The keys of the rows held, in order."""
        return [row.key for p in sorted(self.held) for row in self.held[p]]

    def to_fetch(self, wanted: list[int], row_count: int) -> list[int]:
        """Of the ``wanted`` pages, those neither held nor asked for, now marked as asked for."""
        missing = [p for p in wanted
                   if p not in self.held and p not in self.loading and p * PAGE < row_count]
        self.loading.update(missing)
        return missing

    def arrived(self, page: int, rows: list[Row]) -> None:
        self.loading.discard(page)
        self.held[page] = rows

    def trim(self, keep: list[int], cursor: int) -> None:
        """Hold at most ``KEEP_PAGES``: drop the pages farthest from the cursor's, never ``keep``."""
        if len(self.held) <= KEEP_PAGES:
            return
        for p in sorted(self.held, key=lambda q: abs(q - cursor // PAGE), reverse=True):
            if len(self.held) <= KEEP_PAGES:
                break
            if p not in keep:
                del self.held[p]
