"""Twin of opening the 100,000-flow workspace: Enter opens a screen whose DataTable
shows its first rows, taken from a list in memory.

    python benchmarks/baseline_open.py
"""

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from twin import OneTable

ROWS = [(f"Row {i:07d}", ("inactive", "stopped", "active")[i % 3], str(i)) for i in range(100_000)]
PAGE = 100


class Rows(OneTable, Screen):
    COLUMNS = ("Flow", "Status", "Number")
    ROWS = ROWS[:PAGE]


class BaselineOpen(OneTable, App):
    BINDINGS = [Binding("enter", "open", "Open", priority=True)]
    COLUMNS = ("Workspace",)
    ROWS = [("Open me",)]

    def action_open(self) -> None:
        self.push_screen(Rows())


if __name__ == "__main__":
    BaselineOpen().run()
