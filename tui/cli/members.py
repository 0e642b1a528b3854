"""The member commands, written once for both places that have members: a contract
(``member …``) and a workspace (``workspace member …``).

Each place adds, re-roles, removes and lists its members the same way and says so
in the same words; what differs (the argument naming the place, the roles, the
store's calls, the help) is a ``Members``.

No ``from __future__ import annotations`` here: Typer reads the commands'
annotations, which are made per place, from the functions themselves.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from tui.cli import output as o
from tui.cli.context import Email, JsonFlag, ctx_of

#: one of the store's calls, taken from the caller's Flowdeck (not imported: the CLI starts fast)
Call = Callable[[Any], Callable[..., Any]]


@dataclass(frozen=True)
class Members:
    place: Any  # the Annotated argument naming the contract or the workspace
    roles: str  # the --role help: the roles a member may have there
    add: tuple[str, str, Call]  # (command, help, the store's call)
    set_role: tuple[str, Call]  # (help, the store's call)
    remove: tuple[str, Call]
    list: tuple[str, Call]


def add_member_commands(group: typer.Typer, members: Members) -> None:
    """``add`` (or ``invite``), ``set-role``, ``remove`` and ``list`` on ``group``."""
    Place = members.place  # noqa: N806 - a type, as the commands' annotations read it
    Role = Annotated[str, typer.Option("--role", metavar="ROLE", help=members.roles)]  # noqa: N806

    def call(ctx: typer.Context, method: Call) -> Callable[..., Any]:
        return method(ctx_of(ctx).as_caller())

    name, add_help, add_method = members.add

    @group.command(name, help=add_help)
    def add(ctx: typer.Context, place: Place, email: Email, role: Role) -> None:
        m = call(ctx, add_method)(place, email, role)
        o.out(f"added {m.email} to {place} as {m.role}")

    @group.command("set-role", help=members.set_role[0])
    def set_role(ctx: typer.Context, place: Place, email: Email, role: Role) -> None:
        m = call(ctx, members.set_role[1])(place, email, role)
        o.out(f"{m.email} is now {m.role} in {place}")

    @group.command("remove", help=members.remove[0])
    def remove(ctx: typer.Context, place: Place, email: Email) -> None:
        call(ctx, members.remove[1])(place, email)
        o.out(f"removed {email.strip().lower()} from {place}")

    @group.command("list", help=members.list[0])
    def list_(ctx: typer.Context, place: Place, as_json: JsonFlag = False) -> None:
        o.listing(call(ctx, members.list[1])(place), as_json, ["EMAIL", "NAME", "ROLE"],
                  lambda m: (m.email, m.name, m.role), empty="no members")
