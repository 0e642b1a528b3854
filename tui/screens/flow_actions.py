"""Flow actions shared by the workspace and flow screens.

Every one asks the store; stopping and restarting ask first and say how
many queued messages will be dropped. Each reads top to bottom: a worker
(group ``ASKING``) awaits the dialog (``push_screen_wait``), then acts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from textual.markup import escape

from store.errors import FlowdeckError, InvalidInput
from store.policy import WORK_TIME
from store.services.messages import parse_payload
from store.views import FlowView

from ..format import hms
from .base import FlowdeckScreen
from .confirm import ConfirmScreen
from .form import FormField, FormScreen

#: the group of the workers that ask the operator on the way (a dialog waited for)
ASKING = "ask"

#: the keys of a flow (on the workspace's list and on its own screen) -> the store's action
STORE_ACTIONS = {"start": "flow.start", "stop": "flow.stop", "restart": "flow.restart",
                 "send": "flow.send", "switch_type": "flow.type", "copy": "flow.copy"}


def _lost(flow: FlowView) -> str:
    n = flow.queued_messages
    return f"{n} queued message{'s' if n != 1 else ''} will be dropped" if n else \
        "no messages are queued, so nothing is lost"


def start(screen: FlowdeckScreen, flow: FlowView) -> None:
    svc = screen.fd.svc
    note = (f" — it stops in {hms(WORK_TIME.total_seconds())} unless restarted"
            if flow.workspace_kind == "limited" else "")
    screen.act(svc.start_flow, flow.path, done=f"{flow.name} started{note}")


async def _afresh(screen: FlowdeckScreen, flow: FlowView) -> FlowView | None:
    """The flow read again (its state and queue may have moved since it was listed)."""
    try:
        return await asyncio.to_thread(screen.fd.svc.get_flow, flow.path)
    except FlowdeckError as exc:
        screen.notify(escape(exc.line()), severity="error")
        return None


def _refused(screen: FlowdeckScreen, flow: FlowView, action: str) -> bool:
    """Say the store's refusal of ``action`` on the flow as read afresh, if there is one."""
    why = flow.why(action)
    if why is not None:
        screen.notify(escape(why), severity="warning")
    return why is not None


def _ask(screen: FlowdeckScreen, conversation: Callable[[], Awaitable[None]]) -> None:
    """Run an action that asks the operator (``push_screen_wait``) in a worker of its own."""
    screen.run_worker(conversation, group=ASKING, exit_on_error=False)


def stop(screen: FlowdeckScreen, flow: FlowView) -> None:
    """Ask first, with how many queued messages go (read afresh), then stop."""

    async def conversation() -> None:
        fresh = await _afresh(screen, flow)
        if fresh is None or _refused(screen, fresh, "flow.stop"):
            return
        if not await screen.app.push_screen_wait(ConfirmScreen(
                f"Stop {fresh.name}?", f"The flow stops now and {_lost(fresh)}.",
                confirm_label="Stop")):
            return
        screen.act(screen.fd.svc.stop_flow, fresh.path, then=lambda f: screen.notify(
            f"{f.name} stopped; {f.lost_messages} queued message"
            f"{'s' if f.lost_messages != 1 else ''} dropped"))

    _ask(screen, conversation)


def restart(screen: FlowdeckScreen, flow: FlowView) -> None:
    """Stop and start again (asking first, saying what is lost); a flow at rest just starts."""

    async def conversation() -> None:
        fresh = await _afresh(screen, flow)
        if fresh is None:
            return
        if fresh.status != "active":
            start(screen, fresh)
            return
        again = " and gets a fresh work time" if fresh.workspace_kind == "limited" else ""
        if await screen.app.push_screen_wait(ConfirmScreen(
                f"Restart {fresh.name}?",
                f"The flow stops and starts again{again}; {_lost(fresh)}.",
                confirm_label="Restart")):
            screen.act(screen.fd.svc.restart_flow, fresh.path, done=f"{fresh.name} restarted")

    _ask(screen, conversation)


def switch_type(screen: FlowdeckScreen, flow: FlowView) -> None:
    to = "ordinary" if flow.type == "realtime" else "realtime"
    screen.act(screen.fd.svc.set_flow_type, flow.path, to, done=f"{flow.name} is now {to}")


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


def send(screen: FlowdeckScreen, flow: FlowView) -> None:
    svc = screen.fd.svc

    async def conversation() -> None:
        sent = await screen.app.push_screen_wait(FormScreen(f"Send messages into {flow.name}", [
            FormField("count", "How many:", value="1", check=_count_problem),
            FormField("payload", "Payload (JSON, optional):", placeholder='{"order": 1042}',
                      check=_payload_problem, required=False),
        ], lambda v: svc.send_messages(flow.path, int(v["count"]), parse_payload(v["payload"])
                                       if v["payload"].strip() else None), submit_label="Send"))
        if sent:
            screen.notify(f"{flow.name} now holds {sent} queued messages")
            screen.reload()

    _ask(screen, conversation)


def copy(screen: FlowdeckScreen, flow: FlowView, targets: list[str],
         credentials: list[str]) -> None:
    """Copy to another workspace; each credential maps by name unless another is named."""
    svc = screen.fd.svc
    if not targets:
        screen.notify("There is no other workspace of this contract you may copy into",
                      severity="warning")
        return
    fields = [FormField("target", "Copy into:", options=[(t, t) for t in targets]),
              FormField("name", "Name there:", value=flow.name)]
    for i, cred in enumerate(credentials):
        fields.append(FormField(f"cred{i}", f"Credential for {cred!r} there:", value=cred,
                                hint="matched by name; type another credential's name to map it"))

    def submit(v: dict[str, str]) -> FlowView:
        mapping = {cred: v[f"cred{i}"] for i, cred in enumerate(credentials)
                   if v[f"cred{i}"].strip() and v[f"cred{i}"].strip() != cred}
        return svc.copy_flow(flow.path, v["target"], mapping, new_name=v["name"])

    async def conversation() -> None:
        made = await screen.app.push_screen_wait(FormScreen(
            f"Copy {flow.name} to another workspace", fields, submit, submit_label="Copy",
            intro="The copy is inactive; credentials never leave their workspace, so each "
            "step gets one of the target's."))
        if made:
            screen.notify(f"Copied to {made.path} (inactive)")
            screen.reload()

    _ask(screen, conversation)
