"""Twin of opening the 100,000-flow workspace: Enter opens a screen whose DataTable
shows its first rows, taken from a list in memory.

    python benchmarks/baseline_open.py
"""

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

ROWS = [(f"Row {i:07d}", ("inactive", "stopped", "active")[i % 3], str(i)) for i in range(100_000)]
PAGE = 100


class Rows(Screen):
    def compose(self):
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Flow", "Status", "Number")
        table.add_rows(ROWS[:PAGE])
        table.focus()


class BaselineOpen(App):
    BINDINGS = [Binding("enter", "open", "Open", priority=True)]

    def compose(self):
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Workspace")
        table.add_row("Open me")
        table.focus()

    def action_open(self) -> None:
        self.push_screen(Rows())


if __name__ == "__main__":
    BaselineOpen().run()
