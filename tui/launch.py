"""Opening the TUI from the command line, with every failure a one-line message."""

from __future__ import annotations

import gc
from typing import Any

from store.clock import Clock


def open_tui(*, db_url: str | None, user: str | None, clock: Clock | None = None,
             readonly: bool = False, config: Any = None, tour: bool = False) -> int:
    """Run the TUI until the user quits. A store or user that cannot be opened raises
    FlowdeckError (after the screen is put back), so the command line says it in one line.
    With no ``user``, the registered user named like the OS login is used.
    The collector pauses until the store is open (see ``tui.entry``)."""
    gc.disable()
    try:
        from .app import FlowdeckApp

        theme = getattr(config, "theme", None) if config is not None else None
        keys = getattr(config, "keys", None) if config is not None else None
        if keys:  # an unknown binding id is refused before the screen changes
            from .keys import check_keymap

            check_keymap(keys, getattr(config, "path", None))
        app = FlowdeckApp(db_url=db_url, user=user, clock=clock, readonly=readonly, theme=theme,
                          keymap=dict(keys) if keys else None, tour=tour, lazy=True)
        app.run()
    finally:
        gc.enable()  # also when the store never opened
    if app.open_error is not None:
        raise app.open_error
    return app.return_code or 0
