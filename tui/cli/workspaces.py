"""Commands about workspaces: ``workspace …`` and ``workspace member …``."""

from __future__ import annotations

from typing import Annotated

import typer

from store.errors import ConfirmationRequired
from store.policy import work_hours_text
from tui.cli import output as o
from tui.cli.context import JsonFlag, NewName, WsPath, ctx_of, sub_app
from tui.cli.members import Members, add_member_commands

workspace_app = sub_app("Workspaces of a contract (new ones are Limited).")
ws_member_app = sub_app("Members of a workspace (owner, admin, integrator, guest).")
workspace_app.add_typer(ws_member_app, name="member")



def _row(w):
    return (w.path, o.kind_word(w.kind), w.role or (f"({w.contract_role})" if w.contract_role else None),
            w.flows, w.active_flows, w.credentials)


@workspace_app.command("create")
def workspace_create(ctx: typer.Context, path: WsPath) -> None:
    """Create a workspace (Limited); you become its owner."""
    w = ctx_of(ctx).as_caller().create_workspace(path)
    o.out(f"created workspace {w.path} ({o.kind_word(w.kind)}); you are its owner")


@workspace_app.command("list")
def workspace_list(ctx: typer.Context,
                   contract: Annotated[str | None, typer.Argument(metavar="CONTRACT")] = None,
                   as_json: JsonFlag = False) -> None:
    """List the workspaces you may see, of one contract or of all."""
    workspaces = ctx_of(ctx).as_caller().list_workspaces(contract)
    o.listing(workspaces, as_json, ["WORKSPACE", "KIND", "ROLE", "FLOWS", "ACTIVE", "CREDENTIALS"],
              _row, empty="no workspaces", colour_columns=(1,))


@workspace_app.command("show")
def workspace_show(ctx: typer.Context, path: WsPath, as_json: JsonFlag = False) -> None:
    """Show one workspace."""
    w = ctx_of(ctx).as_caller().get_workspace(path)
    if as_json:
        return o.print_json(w.to_json())
    rule = (f"flows stop {work_hours_text()} after each start" if w.kind == "limited"
            else "flows run without a work-time limit")
    o.fields([("workspace", w.path), ("kind", f"{o.kind_word(w.kind)} ({rule})"),
              ("your role", w.role), ("contract role", w.contract_role),
              ("flows", f"{w.flows} ({w.active_flows} active)"), ("credentials", w.credentials),
              ("created", f"{o.when(w.created_at)} by {w.created_by or '-'}")])


@workspace_app.command("rename")
def workspace_rename(ctx: typer.Context, path: WsPath, new: NewName) -> None:
    """Rename a workspace."""
    w = ctx_of(ctx).as_caller().rename_workspace(path, new)
    o.out(f"renamed workspace {path} to {w.path}")


@workspace_app.command("convert")
def workspace_convert(ctx: typer.Context, path: WsPath,
                      to: Annotated[str, typer.Option("--to", metavar="full|limited",
                                                      help="The new kind.")]) -> None:
    """Convert a workspace between Limited and Full (support staff)."""
    w = ctx_of(ctx).as_caller().convert_workspace(path, to)
    if w.kind == "full":
        after = "its active flows no longer have a deadline"
    else:
        after = f"its active flows now stop {work_hours_text()} from now"
    o.out(f"{w.path} is now {o.kind_word(w.kind)}; {after}")


@workspace_app.command("request-full")
def workspace_request_full(ctx: typer.Context, path: WsPath,
                           reason: Annotated[str, typer.Option("--reason", metavar="TEXT",
                                                               help="Why it should be Full.")]) -> None:
    """Ask support staff to convert a workspace to Full."""
    r = ctx_of(ctx).as_caller().request_full(path, reason)
    o.out(f"opened support request {r.id} for {r.path}")


@workspace_app.command("delete")
def workspace_delete(
    ctx: typer.Context,
    path: WsPath,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm deleting a Limited workspace.")] = False,
    confirm: Annotated[str | None, typer.Option(
        "--confirm", metavar="NAME", help="Type the workspace's name (needed for a Full one).")] = None,
) -> None:
    """Delete a workspace with its flows, credentials, queues and flow log."""
    try:
        plan = ctx_of(ctx).as_caller().delete_workspace(path, yes=yes, confirm=confirm)
    except ConfirmationRequired as exc:
        raise ConfirmationRequired(_confirmation_line(exc, path), exc.plan, exc.expected) from None
    o.out(f"deleted workspace {plan.path}: {plan.describe()} went with it")


def _confirmation_line(exc: ConfirmationRequired, path: str) -> str:
    plan, name = exc.plan, exc.expected
    if plan is None:  # pragma: no cover - the service always gives its plan
        return str(exc)
    gone = plan.describe()
    if "does not match" in str(exc):
        return f"{exc}; pass --confirm '{name}' to delete {plan.path} ({gone} would go)"
    if plan.kind == "full":
        return (f"{plan.path} is a Full workspace: deleting it removes {gone}; "
                f"pass --confirm '{name}' to delete it")
    return f"deleting {plan.path} removes {gone}; pass --yes to delete it"


# -- workspace members -----------------------------------------------------------
add_member_commands(ws_member_app, Members(
    place=WsPath, roles="owner, admin, integrator or guest.",
    add=("add", "Add a member of the contract to the workspace.",
         lambda fd: fd.add_workspace_member),
    set_role=("Change a workspace member's role.", lambda fd: fd.set_workspace_member_role),
    remove=("Remove a member from the workspace.", lambda fd: fd.remove_workspace_member),
    list=("List a workspace's members.", lambda fd: fd.list_workspace_members)))
