"""What the bare-Textual twins (``baseline_*.py``) share: one DataTable, filled and focused.

The twins run as scripts (``python benchmarks/baseline_app.py``), so they import
this as ``twin``, from their own folder.
"""

from collections.abc import Sequence

from textual.widgets import DataTable


class OneTable:
    """For an App or a Screen: compose one DataTable; on mount, fill it and focus it.

    Textual calls every class's own ``on_mount``, so a twin may add its own
    (a timer, say) beside this one.
    """

    COLUMNS: Sequence[str] = ()
    ROWS: Sequence[tuple[str, ...]] = ()
    CURSOR = "cell"

    def compose(self):
        yield DataTable(cursor_type=self.CURSOR)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.COLUMNS)
        table.add_rows(self.ROWS)
        table.focus()
