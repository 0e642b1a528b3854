"""The forms of the workspace screen: flows, credentials, members, renaming."""

from __future__ import annotations

import asyncio

from store.components import COMPONENTS, check_flow_steps
from store.errors import FlowdeckError, InvalidInput
from store.models import WORKSPACE_ROLES
from store.names import name_problem
from store.services.credentials import parse_secret_pairs
from store.services.flows import parse_step
from store.views import CredentialView, FlowView, MemberView

from . import flow_actions
from .confirm import ConfirmScreen
from .form import FormField, FormScreen
from .reveal import RevealScreen

TRIGGERS = [c.name for c in COMPONENTS.values() if c.kind == "trigger"]
ACTIONS = [c.name for c in COMPONENTS.values() if c.kind == "action"]


def parse_steps(text: str) -> list[tuple[str, str | None]]:
    return [parse_step(part) for part in text.split(",") if part.strip()]


def _steps_problem(text: str) -> str | None:
    """The store's answer to the steps as typed (the flow itself is checked when created)."""
    try:
        check_flow_steps([comp for comp, _ in parse_steps(text)])
    except InvalidInput as exc:
        return str(exc)
    return None


def _done(screen, message: str):
    def after(result) -> None:
        if result:
            screen.notify(message)
            screen.reload()
    return after


def new_flow(screen) -> None:
    svc, path = screen.fd.svc, screen.path
    creds = ", ".join(f"{c.name} ({c.component})" for c in screen.data.credentials) or "none yet"
    form = FormScreen(f"New flow in {path}", [
        FormField("name", "Name:", placeholder="e.g. Order sync", check=name_problem,
                  hint="3–40 letters, digits, spaces, - and _"),
        FormField("steps", "Steps (COMPONENT[:CREDENTIAL], comma-separated):",
                  value="webhook, transform, http", check=_steps_problem,
                  hint=f"triggers: {', '.join(TRIGGERS)}; actions: {', '.join(ACTIONS)}; "
                       f"credentials: {creds}"),
        FormField("type", "Type:", options=[("ordinary", "ordinary"), ("realtime", "realtime")]),
    ], lambda v: svc.create_flow(f"{path}/{v['name']}", parse_steps(v["steps"]),
                                 realtime=v["type"] == "realtime"), submit_label="Create",
        intro="The new flow is inactive until you start it.")
    screen.app.push_screen(form, _done(screen, "Flow created (inactive); s starts it"))


def _secrets_problem(text: str) -> str | None:
    try:
        parse_secret_pairs(text.split())
    except InvalidInput as exc:
        return str(exc)
    return None


def new_credential(screen) -> None:
    svc, path = screen.fd.svc, screen.path
    takers = [c.name for c in COMPONENTS.values() if c.takes_credential]
    form = FormScreen(f"New credential in {path}", [
        FormField("name", "Name:", placeholder="e.g. CRM token", check=name_problem),
        FormField("component", "Component:", options=[(c, c) for c in takers]),
        FormField("secrets", "Secrets (KEY=VALUE, space-separated):", password=True,
                  placeholder="token=…  or  username=… password=…", check=_secrets_problem,
                  hint="stored encrypted; shown masked"),
    ], lambda v: svc.add_credential(f"{path}/{v['name']}", v["component"],
                                    parse_secret_pairs(v["secrets"].split())),
        submit_label="Add")
    screen.app.push_screen(form, _done(screen, "Credential added"))


def edit_credential(screen, cred: CredentialView) -> None:
    svc = screen.fd.svc
    form = FormScreen(f"Change secrets of {cred.name}", [
        FormField("secrets", "New values (KEY=VALUE, space-separated):", password=True,
                  placeholder=" ".join(f"{f}=…" for f in cred.fields), check=_secrets_problem,
                  hint=f"fields: {', '.join(cred.fields)}; unnamed fields keep their value"),
    ], lambda v: svc.update_credential(cred.path, parse_secret_pairs(v["secrets"].split())),
        submit_label="Save")
    screen.app.push_screen(form, _done(screen, f"Credential {cred.name} updated"))


def delete_credential(screen, cred: CredentialView) -> None:
    svc = screen.fd.svc
    users = f" Flows that use it ({', '.join(cred.used_by)}) lose it." if cred.used_by else ""

    def go(ok: bool | None) -> None:
        if ok:
            screen.act(svc.delete_credential, cred.path, yes=True,
                       done=f"Credential {cred.name} deleted")

    screen.app.push_screen(ConfirmScreen(
        f"Delete credential {cred.name}?", f"Its secrets are destroyed.{users}",
        confirm_label="Delete"), go)


def reveal_credential(screen, cred: CredentialView) -> None:
    svc = screen.fd.svc

    async def run() -> None:
        try:
            fields = await asyncio.to_thread(svc.reveal_credential, cred.path)
        except FlowdeckError as exc:
            screen.notify(exc.line(), severity="error")
            return
        screen.app.push_screen(RevealScreen(cred.path, fields))
        screen.reload()

    screen.run_worker(run(), group="act", exit_on_error=False)


def add_member(screen) -> None:
    svc, path = screen.fd.svc, screen.path
    form = FormScreen(f"Add a member to {path}", [
        FormField("email", "Email (a member of the contract):", placeholder="name@example.com"),
        FormField("role", "Role:", options=[(r, r) for r in WORKSPACE_ROLES], value="integrator"),
    ], lambda v: svc.add_workspace_member(path, v["email"], v["role"]), submit_label="Add")
    screen.app.push_screen(form, _done(screen, "Member added"))


def change_member_role(screen, m: MemberView) -> None:
    svc, path = screen.fd.svc, screen.path
    form = FormScreen(f"Role of {m.email} in {path}", [
        FormField("role", "Role:", options=[(r, r) for r in WORKSPACE_ROLES], value=m.role),
    ], lambda v: svc.set_workspace_member_role(path, m.email, v["role"]), submit_label="Change")
    screen.app.push_screen(form, _done(screen, f"{m.email}'s role changed"))


def remove_member(screen, m: MemberView) -> None:
    svc, path = screen.fd.svc, screen.path

    def go(ok: bool | None) -> None:
        if ok:
            screen.act(svc.remove_workspace_member, path, m.email, done=f"{m.email} removed")

    screen.app.push_screen(ConfirmScreen(
        f"Remove {m.email} from {path}?", f"{m.name} loses the {m.role} role here.",
        confirm_label="Remove"), go)


def rename_workspace(screen) -> None:
    svc, path = screen.fd.svc, screen.path
    contract, name = path.split("/")
    form = FormScreen(f"Rename workspace {path}", [
        FormField("name", "New name:", value=name, check=name_problem),
    ], lambda v: svc.rename_workspace(path, v["name"]), submit_label="Rename")

    def after(result) -> None:
        if result:
            screen.path = result.path
            screen.reload()

    screen.app.push_screen(form, after)


def copy_flow(screen, flow: FlowView) -> None:
    """Find where the flow may go and which credentials it uses, then ask."""
    svc = screen.fd.svc

    async def run() -> None:
        try:
            full = await asyncio.to_thread(svc.get_flow, flow.path)
            targets = await asyncio.to_thread(svc.workspaces_for_copy, full.path)
        except FlowdeckError as exc:
            screen.notify(exc.line(), severity="error")
            return
        creds = sorted({s.credential for s in full.steps if s.credential})
        flow_actions.copy(screen, full, targets, creds)

    screen.run_worker(run(), group="act", exit_on_error=False)
