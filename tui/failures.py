"""How a run of ``flowdeck`` ends: an exit code and at most one line on stderr.

No traceback ever reaches a user: refusals print ``error: …`` (exit 1) or
``permission denied: …`` (exit 3); a database error names the database;
anything unforeseen is one ``error: internal error: …`` line. Nothing here
imports Typer, so the TUI's fast start can use it too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable

from store.errors import FlowdeckError
from store.text import visible


def say(line: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(visible(" ".join(line.split())), file=sys.stderr, flush=True)


def quiet_stdout() -> None:
    """After a broken pipe, send what is left of stdout nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _db_error(exc: Exception, state) -> FlowdeckError | None:
    """SQLAlchemy errors that escaped the store, as a store error naming the database."""
    module = type(exc).__module__ or ""
    if not module.startswith("sqlalchemy"):
        return None
    from store.connect import translate_db_error

    url = "?"
    if state is not None:
        try:
            url = state.url
        except Exception:  # noqa: BLE001 - a URL that cannot even be resolved
            url = "?"
    return translate_db_error(exc, url)


def guarded(fn: Callable[[], int], state: Callable[[], object] = lambda: None) -> int:
    """Run ``fn``; turn whatever it raises into one line and an exit code."""
    try:
        return fn()
    except FlowdeckError as exc:
        say(exc.line())
        return exc.exit_code
    except KeyboardInterrupt:
        say("error: interrupted")
        return 130
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # the reader went away (| head): quietly, as Click does
            quiet_stdout()
            return 1
        where = f" ({exc.filename})" if exc.filename else ""
        say(f"error: {exc.strerror or exc}{where}")
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        db_error = _db_error(exc, state())
        if db_error is not None:
            say(db_error.line())
            return db_error.exit_code
        say(f"error: internal error: {type(exc).__name__}: {exc}")
        return 1


def run_tui_only(state) -> int:
    """``flowdeck`` with global options only: the TUI."""
    from tui.cli.invocation import open_tui_with

    def go() -> int:
        try:
            return open_tui_with(state)
        finally:
            state.close()

    return guarded(go, lambda: state)


def finish(code: int) -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        quiet_stdout()
    sys.exit(code)
