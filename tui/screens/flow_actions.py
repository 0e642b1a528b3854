"""The keys on one flow that the flow screen and the workspace's Flows tab share.

Every one asks the store; stopping and restarting ask first and say how
many queued messages will be dropped. Each is a method that reads top to
bottom: a worker (group ``ASKING``) awaits the dialog (``push_screen_wait``),
then acts (``act``: the store in a thread, the words, a reload).
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.markup import escape

from store.errors import FlowdeckError, InvalidInput
from store.policy import WORK_TIME
from store.services.messages import parse_payload
from store.views import FlowView

from ..format import hms
from .base import ASKING, FlowdeckScreen
from .confirm import ConfirmScreen
from .form import FormField, FormScreen

__all__ = ["ASKING", "STORE_ACTIONS", "FlowActions", "credential_fields", "credential_mapping",
           "credentials_of"]

#: the keys of a flow (on the workspace's list and on its own screen) -> the store's action
STORE_ACTIONS = {"start": "flow.start", "stop": "flow.stop", "restart": "flow.restart",
                 "send": "flow.send", "switch_type": "flow.type", "copy": "flow.copy"}


def _lost(flow: FlowView) -> str:
    n = flow.queued_messages
    return f"{n} queued message{'s' if n != 1 else ''} will be dropped" if n else \
        "no messages are queued, so nothing is lost"


def _count_problem(value: str) -> str | None:
    if not value.isdigit() or int(value) < 1:
        return "a whole number of at least 1"
    return None


def _payload_problem(value: str) -> str | None:
    try:
        parse_payload(value)
    except InvalidInput as exc:
        return str(exc)
    return None


def credentials_of(flow: FlowView) -> list[str]:
    """The credentials a flow's steps use, by name, each once."""
    return sorted({s.credential for s in flow.steps if s.credential})


def credential_fields(credentials: list[str]) -> list[FormField]:
    """One field per credential a copy or a promotion takes to another workspace."""
    return [FormField(f"cred{i}", f"Credential for {cred!r} there:", value=cred,
                      hint="matched by name; type another credential's name to map it")
            for i, cred in enumerate(credentials)]


def credential_mapping(values: dict[str, str], credentials: list[str]) -> dict[str, str]:
    """The credentials named otherwise than by name in :func:`credential_fields` (a blank
    field keeps matching by name)."""
    chosen = {cred: values[f"cred{i}"].strip() for i, cred in enumerate(credentials)}
    return {cred: there for cred, there in chosen.items() if there and there != cred}


class FlowActions(FlowdeckScreen):
    """Start, stop, restart, send messages into, switch the type of, and copy one flow: the
    flow the screen's :meth:`current_flow` names."""

    def current_flow(self) -> FlowView | None:
        """The flow the keys act on (the highlighted row, or the flow on screen)."""
        raise NotImplementedError

    def _on_flow(self, action: str) -> None:
        """Start, stop or restart the current flow."""
        if f := self.current_flow():
            {"start": self.start_flow, "stop": self.stop_flow,
             "restart": self.restart_flow}[action](f)

    def action_start(self) -> None:
        self._on_flow("start")

    def action_stop(self) -> None:
        self._on_flow("stop")

    def action_restart(self) -> None:
        self._on_flow("restart")

    def action_send(self) -> None:
        if f := self.current_flow():
            self.send_messages(f)

    def action_switch_type(self) -> None:
        if f := self.current_flow():
            self.switch_flow_type(f)

    def action_copy(self) -> None:
        if f := self.current_flow():
            self.copy_flow(f)

    def start_flow(self, flow: FlowView) -> None:
        note = (f" — it stops in {hms(WORK_TIME.total_seconds())} unless restarted"
                if flow.workspace_kind == "limited" else "")
        self.act(self.fd.svc.start_flow, flow.path, done=f"{flow.name} started{note}")

    async def _afresh(self, flow: FlowView) -> FlowView | None:
        """The flow read again (its state and queue may have moved since it was listed)."""
        try:
            return await asyncio.to_thread(self.fd.svc.get_flow, flow.path)
        except FlowdeckError as exc:
            self.notify(escape(exc.line()), severity="error")
            return None

    def _refused(self, flow: FlowView, action: str) -> bool:
        """Say the store's refusal of ``action`` on the flow as read afresh, if there is one."""
        why = flow.why(action)
        if why is not None:
            self.notify(escape(why), severity="warning")
        return why is not None

    @work(group=ASKING, exit_on_error=False)
    async def stop_flow(self, flow: FlowView) -> None:
        """Ask first, with how many queued messages go (read afresh), then stop."""
        fresh = await self._afresh(flow)
        if fresh is None or self._refused(fresh, "flow.stop"):
            return
        if not await self.app.push_screen_wait(ConfirmScreen(
                f"Stop {fresh.name}?", f"The flow stops now and {_lost(fresh)}.",
                confirm_label="Stop")):
            return
        self.act(self.fd.svc.stop_flow, fresh.path, then=self._say_stopped)

    def _say_stopped(self, f: FlowView) -> None:
        self.notify(f"{f.name} stopped; {f.lost_messages} queued message"
                    f"{'s' if f.lost_messages != 1 else ''} dropped")

    @work(group=ASKING, exit_on_error=False)
    async def restart_flow(self, flow: FlowView) -> None:
        """Stop and start again (asking first, saying what is lost); a flow at rest just
        starts."""
        fresh = await self._afresh(flow)
        if fresh is None:
            return
        if fresh.status != "active":
            self.start_flow(fresh)
            return
        again = " and gets a fresh work time" if fresh.workspace_kind == "limited" else ""
        if await self.app.push_screen_wait(ConfirmScreen(
                f"Restart {fresh.name}?",
                f"The flow stops and starts again{again}; {_lost(fresh)}.",
                confirm_label="Restart")):
            self.act(self.fd.svc.restart_flow, fresh.path, done=f"{fresh.name} restarted")

    def switch_flow_type(self, flow: FlowView) -> None:
        to = "ordinary" if flow.type == "realtime" else "realtime"
        self.act(self.fd.svc.set_flow_type, flow.path, to, done=f"{flow.name} is now {to}")

    @work(group=ASKING, exit_on_error=False)
    async def send_messages(self, flow: FlowView) -> None:
        svc = self.fd.svc
        sent = await self.app.push_screen_wait(FormScreen(f"Send messages into {flow.name}", [
            FormField("count", "How many:", value="1", check=_count_problem),
            FormField("payload", "Payload (JSON, optional):", placeholder='{"order": 1042}',
                      check=_payload_problem, required=False),
        ], lambda v: svc.send_messages(flow.path, int(v["count"]), parse_payload(v["payload"])
                                       if v["payload"].strip() else None), submit_label="Send"))
        if sent:
            self.notify(f"{flow.name} now holds {sent} queued messages")
            self.reload()

    @work(group=ASKING, exit_on_error=False)
    async def copy_flow(self, flow: FlowView) -> None:
        """Copy to another workspace of the contract; each credential maps by name unless
        another is named. Reads where the flow may go and the credentials it uses first."""
        svc = self.fd.svc
        try:
            full = await asyncio.to_thread(svc.get_flow, flow.path)
            targets = await asyncio.to_thread(svc.workspaces_for_copy, full.path)
        except FlowdeckError as exc:
            self.notify(exc.line(), severity="error")
            return
        if not targets:
            self.notify("There is no other workspace of this contract you may copy into",
                        severity="warning")
            return
        credentials = credentials_of(full)
        fields = [FormField("target", "Copy into:", options=[(t, t) for t in targets]),
                  FormField("name", "Name there:", value=full.name),
                  *credential_fields(credentials)]

        def submit(v: dict[str, str]) -> FlowView:
            return svc.copy_flow(full.path, v["target"], credential_mapping(v, credentials),
                                 new_name=v["name"])

        made = await self.app.push_screen_wait(FormScreen(
            f"Copy {full.name} to another workspace", fields, submit, submit_label="Copy",
            intro="The copy is inactive; credentials never leave their workspace, so each "
            "step gets one of the target's."))
        if made:
            self.notify(f"Copied to {made.path} (inactive)")
            self.reload()
