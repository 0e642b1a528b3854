"""Workspace actions offered from more than one screen: delete, convert, ask for Full."""

from __future__ import annotations

import asyncio

from store.errors import FlowdeckError
from store.policy import work_hours_text

from ..format import KIND_WORD
from .confirm import ConfirmScreen
from .form import FormField, FormScreen


def confirm_delete_workspace(screen, path: str, after=None) -> None:
    """Ask first, naming what goes; a Full workspace needs its name typed."""
    svc = screen.fd.svc

    async def ask() -> None:
        try:
            plan = await asyncio.to_thread(svc.workspace_deletion_plan, path)
        except FlowdeckError as exc:
            screen.notify(exc.line(), severity="error")
            return
        name = path.split("/")[1]
        full = plan.kind == "full"

        def go(ok: bool | None) -> None:
            if not ok:
                return
            screen.act(svc.delete_workspace, path, yes=True, confirm=name if full else None,
                       done=f"Workspace {path} deleted", then=after)

        screen.app.push_screen(ConfirmScreen(
            f"Delete {KIND_WORD[plan.kind]} workspace {path}?",
            f"This removes {plan.describe()}. It cannot be undone.",
            confirm_label="Delete", type_to_confirm=name if full else None), go)

    screen.run_worker(ask(), group="act", exit_on_error=False)


def convert_workspace_form(screen, path: str, kind: str) -> None:
    """Support staff: convert between Limited and Full, saying what happens to flows."""
    svc = screen.fd.svc
    to = "limited" if kind == "full" else "full"
    effect = ("active flows lose their deadline and run until stopped" if to == "full" else
              f"every active flow gets a deadline {work_hours_text()} from now")

    def go(ok: bool | None) -> None:
        if ok:
            screen.act(svc.convert_workspace, path, to, done=f"{path} is now {KIND_WORD[to]}")

    screen.app.push_screen(ConfirmScreen(
        f"Convert {path} to {KIND_WORD[to]}?", f"The workspace becomes {KIND_WORD[to]}: {effect}.",
        confirm_label=f"Make {KIND_WORD[to]}", danger=to == "limited"), go)


def request_full_form(screen, path: str) -> None:
    svc = screen.fd.svc
    form = FormScreen(f"Ask support to make {path} Full", [
        FormField("reason", "Why does it need to be Full?",
                  placeholder="e.g. go-live of the order sync on 1 December"),
    ], lambda v: svc.request_full(path, v["reason"]), submit_label="Send request",
        intro="Support staff review the request; approving it converts the workspace at once.")
    screen.app.push_screen(form, lambda r: r and (screen.notify(
        f"Support request #{r.id} sent"), screen.reload()))
