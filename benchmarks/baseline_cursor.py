"""Twin of the cursor in the paged list: a plain DataTable of 100 rows.

    python benchmarks/baseline_cursor.py
"""

from textual.app import App
from textual.widgets import DataTable

ROWS = [(f"Row {i:03d}", ("inactive", "stopped", "active")[i % 3], str(i)) for i in range(100)]


class BaselineCursor(App):
    def compose(self):
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Flow", "Status", "Number")
        table.add_rows(ROWS)
        table.focus()


if __name__ == "__main__":
    BaselineCursor().run()
