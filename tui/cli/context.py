"""What the Typer commands share: the invocation's state on the Typer context, opening
the TUI from a command, the options every listing takes (see ``invocation``) and the
arguments many commands take, each declared once."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tui.cli.invocation import CliContext, normalize_db, open_tui_with  # noqa: F401 - the CLI's state


def ctx_of(ctx: typer.Context) -> CliContext:
    obj: Any = ctx.find_root().obj
    if not isinstance(obj, CliContext):  # pragma: no cover - the root callback always sets it
        raise RuntimeError("the flowdeck context is missing")
    obj.config  # noqa: B018 - every command reads the config file, so a broken one always says so
    return obj


def open_tui_for(ctx: typer.Context, *, db_url: str | None = None, user: str | None = None,
                 clock=None, tour: bool = False) -> None:
    """Open the TUI (written elsewhere; imported only when asked for)."""
    code = open_tui_with(ctx_of(ctx), db_url=db_url, user=user, clock=clock, tour=tour)
    if code:
        raise typer.Exit(code)


#: ``--json`` on every listing and ``show``
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

#: the arguments that name what a command acts on
ContractName = Annotated[str, typer.Argument(metavar="CONTRACT")]
Name = Annotated[str, typer.Argument(metavar="NAME")]
NewName = Annotated[str, typer.Argument(metavar="NEW")]
Email = Annotated[str, typer.Argument(metavar="EMAIL")]
RequestId = Annotated[int, typer.Argument(metavar="ID")]
WsPath = Annotated[str, typer.Argument(metavar="CONTRACT/WS")]
FlowPath = Annotated[str, typer.Argument(metavar="CONTRACT/WS/FLOW")]
StepNumber = Annotated[int, typer.Argument(metavar="N", min=1, help="The step, counted from 1.")]


def sub_app(help_text: str) -> typer.Typer:
    """A command group that shows its help when given no command."""
    return typer.Typer(help=help_text, no_args_is_help=True, add_completion=False,
                       pretty_exceptions_enable=False)
