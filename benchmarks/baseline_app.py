"""Twin of Flowdeck's start-up (and of its memory): a bare Textual app whose one
DataTable shows rows it already holds in a list.

    python benchmarks/baseline_app.py
"""

from textual.app import App
from textual.widgets import DataTable

ROWS = [(f"Baseline {i}", "active", str(i)) for i in range(1, 11)]


class Baseline(App):
    def compose(self):
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Contract", "Status", "Workspaces")
        table.add_rows(ROWS)
        table.focus()


if __name__ == "__main__":
    Baseline().run()
