"""Twin of the idle screen of 500 countdowns: a bare app whose DataTable has one cell
changed by one timer a second.

    python benchmarks/baseline_idle.py
"""

from textual.app import App
from textual.widgets import DataTable
from twin import OneTable

ROWS = [(f"Row {i:03d}", "active", "0") for i in range(25)]


class BaselineIdle(OneTable, App):
    COLUMNS = ("Flow", "Status", "Ticks")
    ROWS = ROWS
    ticks = 0

    def on_mount(self) -> None:  # beside OneTable's, which fills the table
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        self.ticks += 1
        table = self.query_one(DataTable)
        table.update_cell_at((0, 2), str(self.ticks))


if __name__ == "__main__":
    BaselineIdle().run()
