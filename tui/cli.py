"""The ``flowdeck`` command line: global options, the command tree and error handling.

``main()`` is the console script. It runs Click in non-standalone mode and
turns every failure into one line on stderr and an exit code: 0 done, 1
refused (``error: …``), 2 usage, 3 ``permission denied: …``. No traceback
ever reaches a user.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import sys
from typing import Annotated

import typer

from store.errors import FlowdeckError

from . import cli_backup, cli_demo, cli_enforce, cli_executions, cli_flows, cli_org, cli_reach, cli_work
from .cli_context import CliContext, open_tui_for

app = typer.Typer(
    name="flowdeck",
    help="Flowdeck: a keyboard-first console for an integration platform. "
         "With no command it opens the TUI.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            shown = version("flowdeck")
        except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            shown = "unknown"
        print(f"flowdeck {shown}")
        raise typer.Exit(0)


def _parse_now(value: str | None) -> object:
    if value is None:
        return None
    from store.clock import parse_instant

    try:
        return parse_instant(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO-8601 time (e.g. 2026-11-27T09:00:00Z)") from None


def _check_speed(value: float) -> float:
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise typer.BadParameter(f"{value:g} is not a speed; give a number of 0 or more (1 is real time)")
    return value


#: the invocation's state, kept for naming the database in a late error
_last_state: list[CliContext] = []


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="FLOWDECK_DB", metavar="URL",
        help="Database URL or SQLite file (default: flowdeck.db in the data directory).")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", envvar="FLOWDECK_USER", metavar="EMAIL",
        help="Act as this registered user (default: the one whose email's local part is "
             "your login name).")] = None,
    now: Annotated[str | None, typer.Option(
        "--now", metavar="ISO-8601", callback=_parse_now,
        help="Start the clock at this instant; it runs forward from there.")] = None,
    speed: Annotated[float, typer.Option(
        "--speed", metavar="N", callback=_check_speed,
        help="Run the clock N times as fast as real time.")] = 1.0,
    readonly: Annotated[bool, typer.Option(
        "--readonly", help="Refuse every change in this session.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Flowdeck: contracts, workspaces, flows and the eight-hour work time."""
    state = CliContext(db=db, user=user, now=now, speed=speed,  # type: ignore[arg-type]
                       readonly=readonly)
    ctx.obj = state
    _last_state[:] = [state]
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        open_tui_for(ctx)


cli_org.register(app)
cli_flows.register(app)
cli_enforce.register(app)
cli_demo.register(app)
cli_work.register(app)
cli_executions.register(cli_flows.flow_app)
cli_reach.register(app)
cli_backup.register(app)


# -- running -------------------------------------------------------------------
def _err(line: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(" ".join(line.split()), file=sys.stderr, flush=True)


def _usage_line(exc) -> str:
    message = exc.format_message().strip().rstrip(".")
    hint = ""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        hint = f" (see '{ctx.command_path} --help')"
    return f"error: {message}{hint}"


def _quiet_stdout() -> None:
    """After a broken pipe, send what is left of stdout nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run(argv: list[str] | None = None) -> int:
    """Run one command line; return its exit code."""
    from typer._click import exceptions as click_exc
    from typer.main import get_command

    try:
        command = get_command(app)
        result = command.main(args=argv, prog_name="flowdeck", standalone_mode=False)
        sys.stdout.flush()
        if isinstance(result, int) and not isinstance(result, bool):
            if result == 130:
                _err("error: interrupted")
            return result
        return 0
    except click_exc.NoArgsIsHelpError as exc:
        help_text = exc.format_message()  # rich help has already been printed; plain has not
        if help_text.strip():
            print(help_text, file=sys.stderr)
        return 2
    except click_exc.UsageError as exc:
        _err(_usage_line(exc))
        return 2
    except click_exc.ClickException as exc:
        _err(f"error: {exc.format_message()}")
        return exc.exit_code
    except typer.Abort:
        _err("error: aborted")
        return 1
    except FlowdeckError as exc:
        _err(exc.line())
        return exc.exit_code
    except KeyboardInterrupt:
        _err("error: interrupted")
        return 130
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # the reader went away (| head): quietly, as Click does
            _quiet_stdout()
            return 1
        where = f" ({exc.filename})" if exc.filename else ""
        _err(f"error: {exc.strerror or exc}{where}")
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        db_error = _db_error(exc)
        if db_error is not None:
            _err(db_error.line())
            return db_error.exit_code
        _err(f"error: internal error: {type(exc).__name__}: {exc}")
        return 1


def _db_error(exc: Exception) -> FlowdeckError | None:
    """SQLAlchemy errors that escaped the store, as a store error naming the database."""
    module = type(exc).__module__ or ""
    if not module.startswith("sqlalchemy"):
        return None
    from store.engine import translate_db_error

    url = "?"
    if _last_state:
        try:
            url = _last_state[-1].url
        except Exception:  # noqa: BLE001 - a URL that cannot even be resolved
            url = "?"
    return translate_db_error(exc, url)


def main(argv: list[str] | None = None) -> None:
    code = run(argv)
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _quiet_stdout()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
