"""Flow actions shared by the workspace and flow screens.

Every one asks the store; stopping and restarting ask first and say how
many queued messages will be dropped.
"""

from __future__ import annotations

import asyncio

from textual.markup import escape

from store.errors import FlowdeckError, InvalidInput
from store.policy import WORK_TIME
from store.services.messages import parse_payload
from store.views import FlowView

from ..format import hms
from .confirm import ConfirmScreen
from .form import FormField, FormScreen

#: the keys of a flow (on the workspace's list and on its own screen) -> the store's action
STORE_ACTIONS = {"start": "flow.start", "stop": "flow.stop", "restart": "flow.restart",
                 "send": "flow.send", "switch_type": "flow.type", "copy": "flow.copy"}


def _lost(flow: FlowView) -> str:
    n = flow.queued_messages
    return f"{n} queued message{'s' if n != 1 else ''} will be dropped" if n else \
        "no messages are queued, so nothing is lost"


def start(screen, flow: FlowView) -> None:
    svc = screen.fd.svc
    note = (f" — it stops in {hms(WORK_TIME.total_seconds())} unless restarted"
            if flow.workspace_kind == "limited" else "")
    screen.act(svc.start_flow, flow.path, done=f"{flow.name} started{note}")


def _afresh(screen, flow: FlowView, then) -> None:
    """Read the flow again (its state and queue may have moved since it was listed)."""

    async def read() -> None:
        try:
            fresh = await asyncio.to_thread(screen.fd.svc.get_flow, flow.path)
        except FlowdeckError as exc:
            screen.notify(exc.line(), severity="error")
            return
        then(fresh)

    screen.run_worker(read(), group="act", exit_on_error=False)


def _refused(screen, flow: FlowView, action: str) -> bool:
    """Say the store's refusal of ``action`` on the flow as read afresh, if there is one."""
    why = flow.why(action)
    if why is not None:
        screen.notify(escape(why), severity="warning")
    return why is not None


def stop(screen, flow: FlowView) -> None:
    """Ask first, with how many queued messages go (read afresh), then stop."""
    svc = screen.fd.svc

    def ask(fresh: FlowView) -> None:
        if _refused(screen, fresh, "flow.stop"):
            return

        def go(ok: bool | None) -> None:
            if ok:
                screen.act(svc.stop_flow, fresh.path,
                           then=lambda f: screen.notify(
                               f"{f.name} stopped; {f.lost_messages} queued message"
                               f"{'s' if f.lost_messages != 1 else ''} dropped"))

        screen.app.push_screen(ConfirmScreen(
            f"Stop {fresh.name}?", f"The flow stops now and {_lost(fresh)}.",
            confirm_label="Stop"), go)

    _afresh(screen, flow, ask)


def restart(screen, flow: FlowView) -> None:
    """Stop and start again (asking first, saying what is lost); a flow at rest just starts."""
    svc = screen.fd.svc

    def ask(fresh: FlowView) -> None:
        if fresh.status != "active":
            start(screen, fresh)
            return
        again = " and gets a fresh work time" if fresh.workspace_kind == "limited" else ""

        def go(ok: bool | None) -> None:
            if ok:
                screen.act(svc.restart_flow, fresh.path, done=f"{fresh.name} restarted")

        screen.app.push_screen(ConfirmScreen(
            f"Restart {fresh.name}?", f"The flow stops and starts again{again}; {_lost(fresh)}.",
            confirm_label="Restart"), go)

    _afresh(screen, flow, ask)


def switch_type(screen, flow: FlowView) -> None:
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


def send(screen, flow: FlowView) -> None:
    svc = screen.fd.svc
    form = FormScreen(f"Send messages into {flow.name}", [
        FormField("count", "How many:", value="1", check=_count_problem),
        FormField("payload", "Payload (JSON, optional):", placeholder='{"order": 1042}',
                  check=_payload_problem, required=False),
    ], lambda v: svc.send_messages(flow.path, int(v["count"]),
                                   parse_payload(v["payload"]) if v["payload"].strip() else None),
        submit_label="Send")
    screen.app.push_screen(form, lambda r: r and (
        screen.notify(f"{flow.name} now holds {r} queued messages"), screen.reload()))


def copy(screen, flow: FlowView, targets: list[str], credentials: list[str]) -> None:
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

    def submit(v: dict[str, str]):
        mapping = {cred: v[f"cred{i}"] for i, cred in enumerate(credentials)
                   if v[f"cred{i}"].strip() and v[f"cred{i}"].strip() != cred}
        return svc.copy_flow(flow.path, v["target"], mapping, new_name=v["name"])

    form = FormScreen(f"Copy {flow.name} to another workspace", fields, submit,
                      submit_label="Copy", intro="The copy is inactive; credentials never leave "
                      "their workspace, so each step gets one of the target's.")
    screen.app.push_screen(form, lambda r: r and (
        screen.notify(f"Copied to {r.path} (inactive)"), screen.reload()))
