"""The baseline: a minimal Textual app that shows one DataTable of a few rows."""

from textual.app import App
from textual.widgets import DataTable


class Baseline(App):
    def compose(self):
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Contract", "Status", "Workspaces")
        for i in range(1, 11):
            table.add_row(f"Baseline {i}", "active", str(i))
        table.focus()


if __name__ == "__main__":
    Baseline().run()
