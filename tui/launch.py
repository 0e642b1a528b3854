"""Opening the TUI from the command line, with every failure a one-line message."""

from __future__ import annotations

from typing import Any

from store.clock import Clock
from store.errors import FlowdeckError


def open_tui(*, db_url: str | None, user: str | None, clock: Clock | None = None,
             readonly: bool = False, config: Any = None, tour: bool = False) -> int:
    """Run the TUI until the user quits. Raises FlowdeckError before any screen on bad input."""
    from .app import FlowdeckApp

    theme = getattr(config, "theme", None) if config is not None else None
    keys = getattr(config, "keys", None) if config is not None else None
    if user is None:
        raise FlowdeckError("no user to open Flowdeck as: pass --user EMAIL or set FLOWDECK_USER")
    app = FlowdeckApp(db_url=db_url, user=user, clock=clock, readonly=readonly, theme=theme,
                      keymap=dict(keys) if keys else None, tour=tour)
    app.run()
    return app.return_code or 0
