"""Workspace actions offered from more than one screen (the contract's Workspaces tab and the
workspace itself): delete, convert, ask for Full.

A mixin of typed methods that read top to bottom; it lives beside the screens rather than in
either, as the screens one navigates between never import each other.
"""

from __future__ import annotations

import asyncio

from textual import work

from store.errors import FlowdeckError
from store.policy import work_hours_text

from ..format import KIND_WORD
from .base import ASKING, FlowdeckScreen
from .confirm import ConfirmScreen
from .form import FormField, FormScreen


class WorkspaceActions(FlowdeckScreen):
    @work(group=ASKING, exit_on_error=False)
    async def delete_workspace(self, path: str, *, leave: bool = False) -> None:
        """Ask first, naming what goes; a Full workspace needs its name typed. ``leave``: the
        screen shows the workspace, and goes back once it is deleted."""
        svc = self.fd.svc
        try:
            plan = await asyncio.to_thread(svc.workspace_deletion_plan, path)
        except FlowdeckError as exc:
            self.notify(exc.line(), severity="error")
            return
        name = path.split("/")[1]
        full = plan.kind == "full"
        if not await self.app.push_screen_wait(ConfirmScreen(
                f"Delete {KIND_WORD[plan.kind]} workspace {path}?",
                f"This removes {plan.describe()}. It cannot be undone.",
                confirm_label="Delete", type_to_confirm=name if full else None)):
            return
        self.act(svc.delete_workspace, path, yes=True, confirm=name if full else None,
                 done=f"Workspace {path} deleted",
                 then=(lambda _r: self.app.pop_screen()) if leave else None)

    @work(group=ASKING, exit_on_error=False)
    async def convert_workspace(self, path: str, kind: str) -> None:
        """Support staff: convert between Limited and Full, saying what happens to flows."""
        to = "limited" if kind == "full" else "full"
        effect = ("active flows lose their deadline and run until stopped" if to == "full" else
                  f"every active flow gets a deadline {work_hours_text()} from now")
        if await self.app.push_screen_wait(ConfirmScreen(
                f"Convert {path} to {KIND_WORD[to]}?",
                f"The workspace becomes {KIND_WORD[to]}: {effect}.",
                confirm_label=f"Make {KIND_WORD[to]}", danger=to == "limited")):
            self.act(self.fd.svc.convert_workspace, path, to,
                     done=f"{path} is now {KIND_WORD[to]}")

    @work(group=ASKING, exit_on_error=False)
    async def request_full(self, path: str) -> None:
        svc = self.fd.svc
        request = await self.app.push_screen_wait(FormScreen(
            f"Ask support to make {path} Full", [
                FormField("reason", "Why does it need to be Full?",
                          placeholder="e.g. go-live of the order sync on 1 December"),
            ], lambda v: svc.request_full(path, v["reason"]), submit_label="Send request",
            intro="Support staff review the request; approving it converts the workspace at "
            "once."))
        if request:
            self.notify(f"Support request #{request.id} sent")
            self.reload()
