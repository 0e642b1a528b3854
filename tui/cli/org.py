"""Commands about people and contracts: ``user``, ``contract``, ``member``, ``support``."""

from __future__ import annotations

from typing import Annotated

import typer

from tui.cli import output as o
from tui.cli.context import (
    ContractName,
    Email,
    JsonFlag,
    Name,
    NewName,
    RequestId,
    ctx_of,
    sub_app,
)
from tui.cli.members import Members, add_member_commands

user_app = sub_app("Registered users (support staff register them).")
contract_app = sub_app("Contracts: subscriptions to the platform.")
member_app = sub_app("Members of a contract and their roles (owner, admin, member).")
support_app = sub_app("Support requests and decisions (support staff only).")

# -- users ---------------------------------------------------------------------
@user_app.command("add")
def user_add(
    ctx: typer.Context,
    email: Email,
    name: Annotated[str, typer.Option("--name", metavar="NAME", help="The person's name.")],
    support: Annotated[bool, typer.Option("--support", help="Make the user support staff.")] = False,
) -> None:
    """Register a user. The very first user of a store needs no caller and is support staff."""
    state = ctx_of(ctx)
    system = state.system()
    fd = system if not system.has_users() else state.as_caller()
    user = fd.add_user(email, name, support=support)
    role = " (support staff)" if user.support else ""
    o.out(f"registered {user.email} ({user.name}){role}")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the registered users."""
    users = ctx_of(ctx).as_caller().list_users()
    o.listing(users, as_json, ["EMAIL", "NAME", "SUPPORT"], lambda u: (u.email, u.name, u.support),
              empty="no users")


# -- contracts -----------------------------------------------------------------
@contract_app.command("create")
def contract_create(ctx: typer.Context, name: Name) -> None:
    """Create a contract; you become its owner."""
    c = ctx_of(ctx).as_caller().create_contract(name)
    o.out(f"created contract {c.name}; you are its owner")


@contract_app.command("list")
def contract_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the contracts you belong to (support staff: all of them)."""
    contracts = ctx_of(ctx).as_caller().list_contracts()
    o.listing(contracts, as_json, ["NAME", "STATUS", "ROLE", "WORKSPACES", "CREATED"],
              lambda c: (c.name, c.status, c.role, c.workspaces, o.when(c.created_at)),
              empty="no contracts", colour_columns=(1,))


@contract_app.command("show")
def contract_show(ctx: typer.Context, name: Name, as_json: JsonFlag = False) -> None:
    """Show one contract."""
    c = ctx_of(ctx).as_caller().get_contract(name)
    if as_json:
        return o.print_json(c.to_json())
    o.fields([("contract", c.name), ("status", c.status), ("your role", c.role),
              ("workspaces", c.workspaces), ("created", o.when(c.created_at))])


@contract_app.command("rename")
def contract_rename(ctx: typer.Context, name: Name, new: NewName) -> None:
    """Rename a contract (owners)."""
    c = ctx_of(ctx).as_caller().rename_contract(name, new)
    o.out(f"renamed contract {name} to {c.name}")


@contract_app.command("suspend")
def contract_suspend(ctx: typer.Context, name: Name) -> None:
    """Suspend a contract: all its flows stop and nothing in it can change (support staff)."""
    fd = ctx_of(ctx).as_caller()
    c = fd.suspend_contract(name)
    events = fd.list_events(c.name, limit=1, kinds=["contract.suspended"])
    detail = events[0].detail if events else {}
    stopped, lost = detail.get("stopped_flows", 0), detail.get("lost_messages", 0)
    o.out(f"suspended contract {c.name}; stopped {o.plural(stopped, 'flow')}, "
          f"dropped {o.plural(lost, 'queued message')}")


@contract_app.command("resume")
def contract_resume(ctx: typer.Context, name: Name) -> None:
    """Resume a suspended contract (support staff). Its flows stay stopped until restarted."""
    c = ctx_of(ctx).as_caller().resume_contract(name)
    o.out(f"resumed contract {c.name}; its flows stay stopped until someone starts them")


# -- contract members ------------------------------------------------------------
add_member_commands(member_app, Members(
    place=ContractName, roles="owner, admin or member.",
    add=("invite", "Add a registered user to a contract.", lambda fd: fd.invite_member),
    set_role=("Change a member's role (the last owner cannot be demoted).",
              lambda fd: fd.set_member_role),
    remove=("Remove a member from a contract and its workspaces (not the last owner).",
            lambda fd: fd.remove_member),
    list=("List a contract's members.", lambda fd: fd.list_members)))


# -- support -------------------------------------------------------------------
@support_app.command("requests")
def support_requests(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(
        "--status", metavar="STATUS", help="open, approved or declined.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List support requests, newest first (support staff)."""
    if status is not None and status not in ("open", "approved", "declined"):
        raise typer.BadParameter(f"{status!r} is not open, approved or declined",
                                 param_hint="'--status'")
    requests = ctx_of(ctx).as_caller().list_requests(status=status)
    o.listing(requests, as_json,
              ["ID", "WORKSPACE", "KIND", "STATUS", "REQUESTED BY", "CREATED", "REASON"],
              lambda r: (r.id, r.path, o.kind_word(r.workspace_kind), r.status, r.requested_by,
                         o.when(r.created_at), r.reason),
              empty="no support requests", colour_columns=(2, 3))


@support_app.command("approve")
def support_approve(ctx: typer.Context, request_id: RequestId) -> None:
    """Approve a request: its workspace becomes Full at once."""
    r = ctx_of(ctx).as_caller().approve_request(request_id)
    o.out(f"approved support request {r.id}; {r.path} is now Full")


@support_app.command("decline")
def support_decline(
    ctx: typer.Context,
    request_id: RequestId,
    reason: Annotated[str | None, typer.Option("--reason", metavar="TEXT",
                                               help="Why (recorded).")] = None,
) -> None:
    """Decline a request, recording the reason."""
    r = ctx_of(ctx).as_caller().decline_request(request_id, reason)
    o.out(f"declined support request {r.id} for {r.path}")


def register(app: typer.Typer) -> None:
    from tui.cli.workspaces import workspace_app

    panel = "People, contracts and workspaces"
    for sub, name in ((user_app, "user"), (contract_app, "contract"), (member_app, "member"),
                      (workspace_app, "workspace"), (support_app, "support")):
        app.add_typer(sub, name=name, rich_help_panel=panel)
