"""Commands about credentials: ``credential add|set|list|show|delete|reveal``.

Secret values go in through ``--secret KEY=VALUE`` and come out only
through ``credential reveal``; nothing else ever prints them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from store.errors import ConfirmationRequired
from tui.cli import output as o
from tui.cli.context import JsonFlag, WsPath, ctx_of, sub_app

credential_app = sub_app("Credentials: the secrets a workspace's flow steps use.")

CredPath = Annotated[str, typer.Argument(metavar="CONTRACT/WS/NAME")]
SecretOpt = Annotated[list[str], typer.Option(
    "--secret", metavar="KEY=VALUE", help="A secret field; repeat for several.")]


def _secrets(pairs: list[str]) -> dict[str, str]:
    from store.services import parse_secret_pairs

    return parse_secret_pairs(pairs)


@credential_app.command("add")
def credential_add(
    ctx: typer.Context,
    path: CredPath,
    component: Annotated[str, typer.Option("--component", metavar="C",
                                           help="The component that uses it (e.g. http).")],
    secret: SecretOpt,
) -> None:
    """Add a credential to a workspace."""
    c = ctx_of(ctx).as_caller().add_credential(path, component, _secrets(secret))
    o.out(f"added {c.component} credential {c.path} (fields: {', '.join(c.fields)})")


@credential_app.command("set")
def credential_set(
    ctx: typer.Context,
    path: CredPath,
    secret: SecretOpt,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace all fields instead of merging into the old ones.")] = False,
) -> None:
    """Change a credential's secret fields."""
    c = ctx_of(ctx).as_caller().update_credential(path, _secrets(secret), replace=replace)
    o.out(f"updated credential {c.path} (fields: {', '.join(c.fields)})")


@credential_app.command("list")
def credential_list(ctx: typer.Context,
                    path: WsPath,
                    as_json: JsonFlag = False) -> None:
    """List a workspace's credentials (field names only, never values)."""
    creds = ctx_of(ctx).as_caller().list_credentials(path)
    o.listing(creds, as_json, ["NAME", "COMPONENT", "FIELDS", "USED BY", "UPDATED"],
              lambda c: (c.name, c.component, c.fields, c.used_by, o.when(c.updated_at)),
              empty="no credentials")


@credential_app.command("show")
def credential_show(ctx: typer.Context, path: CredPath, as_json: JsonFlag = False) -> None:
    """Show one credential (field names only, never values)."""
    c = ctx_of(ctx).as_caller().get_credential(path)
    if as_json:
        return o.print_json(c.to_json())
    o.fields([("credential", c.path), ("component", c.component), ("fields", c.fields),
              ("used by", c.used_by),
              ("updated", f"{o.when(c.updated_at)} by {c.updated_by or '-'}")])


@credential_app.command("delete")
def credential_delete(
    ctx: typer.Context,
    path: CredPath,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm the deletion.")] = False,
) -> None:
    """Delete a credential (not while an active flow uses it)."""
    try:
        c = ctx_of(ctx).as_caller().delete_credential(path, yes=yes)
    except ConfirmationRequired as exc:
        view = exc.plan
        users = ""
        if view is not None and view.used_by:
            users = f"; flows that use it lose it: {', '.join(view.used_by)}"
        shown = view.path if view is not None else path
        raise ConfirmationRequired(
            f"deleting credential {shown} removes its secrets{users}; pass --yes to delete it",
            exc.plan, exc.expected) from None
    o.out(f"deleted credential {c.path}")


@credential_app.command("reveal")
def credential_reveal(ctx: typer.Context, path: CredPath, as_json: JsonFlag = False) -> None:
    """Print a credential's secret fields in clear (recorded as an event)."""
    secrets = ctx_of(ctx).as_caller().reveal_credential(path)
    if as_json:
        return o.print_json(dict(sorted(secrets.items())))
    for key, value in sorted(secrets.items()):
        o.out(f"{key}: {value}")
