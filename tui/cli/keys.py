"""``flowdeck keys``: every key binding id of the TUI, its default key and what it does (the ids
the config file's ``[keys]`` table may remap; see ``tui.keys``)."""

from __future__ import annotations

import typer

from tui.cli import output as o
from tui.cli.context import JsonFlag


def keys(json_out: JsonFlag = False) -> None:
    """The TUI's key bindings: id, default key and what it does (remap them in [keys])."""
    from tui.keys import bindings

    found = bindings()
    if json_out:
        o.print_json([{"id": b.id, "key": b.key, "does": b.description, "where": b.where}
                      for b in found])
        return
    o.table(["ID", "KEY", "DOES"], [(b.id, b.key, b.description) for b in found])


def register(app: typer.Typer) -> None:
    app.command("keys", rich_help_panel="The console")(keys)
