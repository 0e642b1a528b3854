"""Twin of Flowdeck's start-up (and of its memory): a bare Textual app whose one
DataTable shows rows it already holds in a list.

    python benchmarks/baseline_app.py
"""

from textual.app import App
from twin import OneTable

ROWS = [(f"Baseline {i}", "active", str(i)) for i in range(1, 11)]


class Baseline(OneTable, App):
    COLUMNS = ("Contract", "Status", "Workspaces")
    ROWS = ROWS


if __name__ == "__main__":
    Baseline().run()
