"""The ``flowdeck`` command line: global options, the command tree and error handling.

``main()`` is the console script. It runs Click in non-standalone mode and
turns every failure into one line on stderr and an exit code: 0 done, 1
refused (``error: …``), 2 usage, 3 ``permission denied: …``. No traceback
ever reaches a user.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tui.cli import backup as cli_backup
from tui.cli import demo as cli_demo
from tui.cli import enforce as cli_enforce
from tui.cli import executions as cli_executions
from tui.cli import flows as cli_flows
from tui.cli import keys as cli_keys
from tui.cli import org as cli_org
from tui.cli import reach as cli_reach
from tui.cli import revisions as cli_revisions
from tui.cli import store_admin as cli_store
from tui.cli import work as cli_work
from tui.cli.context import CliContext, open_tui_for
from tui.cli.invocation import GLOBAL_OPTIONS, check_speed, parse_now, tui_only
from tui.failures import finish, guarded, run_tui_only, say

app = typer.Typer(
    name="flowdeck",
    help="Flowdeck: a keyboard-first console for an integration platform. "
         "With no command it opens the TUI.",
    no_args_is_help=False,
    add_completion=True,  # --install-completion / --show-completion (Typer's own)
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
    try:
        return parse_now(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _check_speed(value: float) -> float:
    try:
        return check_speed(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _global(flag: str, **extra: object) -> typer.models.OptionInfo:
    """The Typer option for a global option of ``GLOBAL_OPTIONS`` (declared there, once)."""
    option = GLOBAL_OPTIONS[flag]
    return typer.Option(flag, envvar=option.envvar, metavar=option.metavar, help=option.help,
                        **extra)  # type: ignore[arg-type]


#: the invocation's state, kept for naming the database in a late error
_last_state: list[CliContext] = []


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[str | None, _global("--db")] = None,
    user: Annotated[str | None, _global("--user")] = None,
    now: Annotated[str | None, _global("--now", callback=_parse_now)] = None,
    speed: Annotated[float, _global("--speed", callback=_check_speed)] = 1.0,
    readonly: Annotated[bool, _global("--readonly")] = False,
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


cli_store.register(app)
cli_org.register(app)
cli_flows.register(app)
cli_enforce.register(app)
cli_demo.register(app)
cli_work.register(app)
cli_executions.register(cli_flows.flow_app)
cli_revisions.register(cli_flows.flow_app, cli_flows.step_app)
cli_reach.register(app)
cli_backup.register(app)
cli_keys.register(app)


# -- running -------------------------------------------------------------------
def _usage_line(exc) -> str:
    message = exc.format_message().strip().rstrip(".")
    hint = ""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        hint = f" (see '{ctx.command_path} --help')"
    return f"error: {message}{hint}"


def run(argv: list[str] | None = None) -> int:
    """Run one command line; return its exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    state = tui_only(args)
    if state is not None:  # the TUI, and nothing else asked: no command tree to build
        return run_tui_only(state)
    return guarded(lambda: _run_command(args), lambda: _last_state[-1] if _last_state else None)


def _run_command(args: list[str]) -> int:
    from typer._click import exceptions as click_exc
    from typer.main import get_command

    try:
        command = get_command(app)
        result = command.main(args=args, prog_name="flowdeck", standalone_mode=False)
        sys.stdout.flush()
        if isinstance(result, int) and not isinstance(result, bool):
            if result == 130:
                say("error: interrupted")
            return result
        return 0
    except click_exc.NoArgsIsHelpError as exc:
        help_text = exc.format_message()  # rich help has already been printed; plain has not
        if help_text.strip():
            print(help_text, file=sys.stderr)
        return 2
    except click_exc.UsageError as exc:
        say(_usage_line(exc))
        return 2
    except click_exc.ClickException as exc:
        say(f"error: {exc.format_message()}")
        return exc.exit_code
    except typer.Abort:
        say("error: aborted")
        return 1


def main(argv: list[str] | None = None) -> None:
    finish(run(argv))


if __name__ == "__main__":  # pragma: no cover
    main()
