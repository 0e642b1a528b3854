"""``flowdeck serve``: the TUI in a browser, with textual-serve, for demos on a trusted network.

Each browser tab gets its own ``flowdeck`` process (this interpreter, the
same ``--db``, ``--user``, ``--readonly`` and clock), driven over a
websocket. There is no login: whoever can open the page acts as that user.
So the server listens on the loopback interface unless told otherwise.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import shlex
import sys
from collections.abc import Callable

from textual_serve.server import Server

from store.clock import iso
from store.text import visible


class _OneLine(logging.Formatter):
    """Log records as one line each, an exception as its message (never a traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        line = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line = f"{line}: {type(exc).__name__}: {exc}" if str(line) != str(exc) else \
                f"{type(exc).__name__}: {exc}"
        return visible(" ".join(f"{record.name}: {line}".split()))


class WebServer(Server):
    """textual-serve's server, starting a fresh ``flowdeck`` command for every page."""

    def __init__(self, argv: Callable[[], list[str]], *, host: str, port: int,
                 public_url: str | None, banner: list[str]) -> None:
        self._argv = argv
        super().__init__("flowdeck", host=host, port=port, title="Flowdeck", public_url=public_url)
        self._banner = banner

    @property  # type: ignore[override]
    def command(self) -> str:
        """The shell command for the next page: built now, so the clock continues."""
        return shlex.join(self._argv())

    @command.setter
    def command(self, _value: str) -> None:  # textual-serve sets it once; ours is built per page
        pass

    def initialize_logging(self) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_OneLine())
        for name, level in (("textual-serve", logging.INFO), ("aiohttp", logging.WARNING)):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(level)
            logger.propagate = False

    async def on_startup(self, app) -> None:
        for line in self._banner:
            print(visible(line), flush=True)

    async def _make_app(self):
        app = await super()._make_app()
        app.on_cleanup.append(self._release_pages)
        return app

    async def _release_pages(self, app) -> None:
        """After the last page has closed, before the loop does: let go of the pages' finished
        processes now, so their pipes close on a running loop instead of printing an
        'Event loop is closed' traceback from the garbage collector at exit."""
        gc.collect()
        await asyncio.sleep(0)


def served_argv(*, url: str, user: str, clock, readonly: bool) -> list[str]:
    """``flowdeck --db URL --user EMAIL [--now T --speed N] [--readonly]`` for one page."""
    argv = [sys.executable, "-m", "tui.cli", "--db", url, "--user", user]
    if clock.describe() != "real time":
        argv += ["--now", iso(clock.now()), "--speed", f"{clock.speed:g}"]
    if readonly:
        argv.append("--readonly")
    return argv
