"""Twin of the cursor in the paged list: a plain DataTable of 100 rows.

    python benchmarks/baseline_cursor.py
"""

from textual.app import App
from twin import OneTable

ROWS = [(f"Row {i:03d}", ("inactive", "stopped", "active")[i % 3], str(i)) for i in range(100)]


class BaselineCursor(OneTable, App):
    COLUMNS = ("Flow", "Status", "Number")
    ROWS = ROWS
    CURSOR = "row"


if __name__ == "__main__":
    BaselineCursor().run()
