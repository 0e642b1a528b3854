"""Deciding a request to make a workspace Full: from support's inbox and from a contract's
Support requests tab (support staff only; the store decides who may)."""

from __future__ import annotations

from textual import work

from store.views import SupportRequestView

from .base import ASKING, FlowdeckScreen
from .confirm import ConfirmScreen
from .form import FormField, FormScreen


class RequestActions(FlowdeckScreen):
    @work(group=ASKING, exit_on_error=False)
    async def approve_request(self, r: SupportRequestView) -> None:
        if await self.app.push_screen_wait(ConfirmScreen(
                f"Approve request #{r.id}?", f"{r.path} becomes Full at once: its active flows "
                "lose their deadline and run until stopped.", confirm_label="Approve",
                danger=False)):
            self.act(self.fd.svc.approve_request, r.id, done=f"{r.path} is now Full")

    @work(group=ASKING, exit_on_error=False)
    async def decline_request(self, r: SupportRequestView) -> None:
        svc = self.fd.svc
        if await self.app.push_screen_wait(FormScreen(f"Decline request #{r.id} for {r.path}", [
            FormField("reason", "Reason (told to the workspace):",
                      placeholder="e.g. no production contract yet"),
        ], lambda v: svc.decline_request(r.id, v["reason"]), submit_label="Decline")):
            self.reload()
