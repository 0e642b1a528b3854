"""Promote: the flow's current definition onto its namesake in another workspace of the
contract (staging → production), as a new revision there (DESIGN 2b).

First the target (``workspaces_for_promotion``) and, for each credential the
flow uses, the target's credential (by name unless another is typed); the
store's plan is read there, and its refusal (a step without a credential
there, named) is shown in that form. Then the diff, Cancel focused;
confirming calls ``promote_flow``.
"""

from __future__ import annotations

import asyncio

from textual import work

from store.errors import FlowdeckError
from store.views import PromotionView

from ..base import ASKING, FlowdeckScreen
from ..flow_actions import credential_fields, credential_mapping, credentials_of
from ..form import FormField, FormScreen
from .data import FlowData
from .review import ReviewScreen


class PromoteActions(FlowdeckScreen):
    path: str
    data: FlowData | None

    @work(group=ASKING, exit_on_error=False)
    async def action_promote(self) -> None:
        if self.data is None:
            return
        flow, svc = self.data.flow, self.fd.svc
        try:
            targets = await asyncio.to_thread(svc.workspaces_for_promotion, flow.path)
        except FlowdeckError as exc:
            self.notify(exc.line(), severity="error")
            return
        if not targets:
            self.notify("There is no other workspace of this contract you may promote into",
                        severity="warning")
            return
        credentials = credentials_of(flow)
        fields = [FormField("target", "Promote into:", options=[(t, t) for t in targets]),
                  *credential_fields(credentials)]
        mapping: dict[str, str] = {}

        def plan(v: dict[str, str]) -> PromotionView:
            mapping.clear()
            mapping.update(credential_mapping(v, credentials))
            return svc.plan_promotion(flow.path, v["target"], mapping)

        planned = await self.app.push_screen_wait(FormScreen(
            f"Promote {flow.name} (revision {flow.revision})", fields, plan,
            submit_label="Show diff", intro="The flow of the same name there gets this "
            "definition as a new revision (or is created inactive); it keeps running, and its "
            "queued messages finish on their own revision."))
        if not planned:
            return
        target = planned.target.rsplit("/", 1)[0]
        what = (f"{planned.target} does not exist yet: it is created, inactive."
                if planned.created else f"What changes in {planned.target}:")
        done = await self.app.push_screen_wait(ReviewScreen(
            f"Promote {flow.path} revision {planned.source_revision} to {target}?", what,
            planned.differences, lambda: svc.promote_flow(flow.path, target, mapping),
            confirm_label="Promote", same=f"{planned.target} already matches: nothing to do"))
        if done:
            self.notify(f"Promoted to {done.target}: revision {done.target_revision}")
            self.reload()
