"""Commands about flows and what runs through them: ``flow …``, ``message send``, ``events``."""

from __future__ import annotations

from typing import Annotated

import typer

from tui.cli import output as o
from tui.cli.context import FlowPath, JsonFlag, StepNumber, ctx_of, sub_app

flow_app = sub_app("Integration flows: create, start, stop, copy, inspect.")
step_app = sub_app("The steps of a flow.")
message_app = sub_app("Messages sent into a flow's queue.")
webhook_app = sub_app("A flow's webhook address.")
flow_app.add_typer(step_app, name="step")
flow_app.add_typer(webhook_app, name="webhook")

STATUSES = ("inactive", "active", "stopped")


def remaining_text(f) -> str:
    """H:MM:SS left for an active limited flow; 'no limit' for an active full one."""
    if f.status != "active":
        return "-"
    return o.hms(f.remaining_seconds) if f.deadline is not None else "no limit"


def steps_text(f) -> str:
    return ", ".join(s.component + (f"({s.credential})" if s.credential else "") for s in f.steps)


# -- reading ---------------------------------------------------------------------
#: --sort words -> the store's sorts
LIST_SORTS = {"name": "name", "status": "status", "remaining": "deadline", "queued": "queued",
              "started": "started", "type": "type"}


def _within(value: str | None):
    if value is None:
        return None
    from store.errors import InvalidInput
    from store.services.timeleft import parse_duration

    try:
        return parse_duration(value)
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc), param_hint="'--within'") from None


@flow_app.command("list")
def flow_list(
    ctx: typer.Context,
    scope: Annotated[str | None, typer.Argument(metavar="CONTRACT[/WS]")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", metavar="STATUS", help="inactive, active or stopped.")] = None,
    sort: Annotated[str, typer.Option(
        "--sort", metavar="KEY",
        help="name, status, remaining (soonest stop first), queued, started or type.")] = "name",
    within: Annotated[str | None, typer.Option(
        "--within", metavar="DURATION",
        help="Only active Limited flows stopping within this long (1h, 30m, 90s, 1h30m), "
             "soonest first.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List flows, with the work time left for active flows in Limited workspaces."""
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"{status!r} is not inactive, active or stopped",
                                 param_hint="'--status'")
    if sort not in LIST_SORTS:
        raise typer.BadParameter(f"{sort!r} is not {', '.join(LIST_SORTS)}", param_hint="'--sort'")
    span = _within(within)
    if span is not None and status not in (None, "active"):
        raise typer.BadParameter("--within lists active flows only", param_hint="'--status'")
    if span is not None and sort not in ("name", "remaining"):
        raise typer.BadParameter("--within lists the soonest stop first", param_hint="'--sort'")
    fd = ctx_of(ctx).as_caller()
    if span is not None:
        flows = fd.time_left_page(scope, within=span, limit=None, with_count=False)[1]
    else:
        flows = fd.list_flows(scope, status=status, sort=LIST_SORTS[sort])
    o.listing(flows, as_json,
              ["FLOW", "KIND", "STATUS", "TYPE", "REMAINING", "QUEUED", "STARTED", "STOP REASON"],
              lambda f: (f.path, o.kind_word(f.workspace_kind), f.status, f.type, remaining_text(f),
                         f.queued_messages, o.when(f.started_at), f.stop_reason),
              empty=f"no active Limited flow stops within {within}" if span else "no flows",
              colour_columns=(1, 2))


@flow_app.command("show")
def flow_show(ctx: typer.Context, path: FlowPath, as_json: JsonFlag = False) -> None:
    """Show one flow: its status, work time, queue and steps."""
    f = ctx_of(ctx).as_caller().get_flow(path)
    if as_json:
        return o.print_json(f.to_json())
    pairs = [("flow", f.path), ("workspace", f"{f.contract}/{f.workspace} ({o.kind_word(f.workspace_kind)})"),
             ("status", f.status), ("type", f.type), ("started", o.when(f.started_at))]
    if f.status == "active":
        pairs.append(("deadline", o.when(f.deadline) if f.deadline else "none (Full workspace)"))
        pairs.append(("remaining", remaining_text(f)))
    if f.status == "stopped":
        pairs += [("stopped", o.when(f.stopped_at)), ("stop reason", f.stop_reason),
                  ("lost messages", f.lost_messages)]
    pairs.append(("queued", o.plural(f.queued_messages, "message")))
    if f.queued_on_older_revisions:
        pairs.append(("on older revisions", o.plural(f.queued_on_older_revisions, "message")
                      + " (they finish on the steps they entered with)"))
    pairs.insert(4, ("revision", f.revision))
    if f.webhook_path:
        pairs.append(("webhook", f"POST {f.webhook_path}"))
    o.fields(pairs)
    o.out()
    o.table(["#", "COMPONENT", "CREDENTIAL", "QUEUED", "SETTINGS"],
            [(s.position, s.component, s.credential, s.queued, o.compact(s.settings))
             for s in f.steps], empty="no steps")


# -- changing --------------------------------------------------------------------
@flow_app.command("create")
def flow_create(
    ctx: typer.Context,
    path: FlowPath,
    step: Annotated[list[str] | None, typer.Option(
        "--step", metavar="COMPONENT[:CREDENTIAL]",
        help="A step, in order; the first is a trigger (default: one webhook step).")] = None,
    realtime: Annotated[bool, typer.Option("--realtime", help="A realtime flow.")] = False,
) -> None:
    """Create an inactive flow."""
    from store.services import parse_step

    steps = [parse_step(s) for s in step or []]
    f = ctx_of(ctx).as_caller().create_flow(path, steps or None, realtime=realtime)
    o.out(f"created {f.type} flow {f.path} (inactive; steps: {steps_text(f)})")


@flow_app.command("set-type")
def flow_set_type(ctx: typer.Context, path: FlowPath,
                  flow_type: Annotated[str, typer.Argument(metavar="ordinary|realtime")]) -> None:
    """Switch a stopped or inactive flow between ordinary and realtime."""
    f = ctx_of(ctx).as_caller().set_flow_type(path, flow_type)
    o.out(f"{f.path} is now {f.type}")


@flow_app.command("copy")
def flow_copy(
    ctx: typer.Context,
    path: FlowPath,
    target: Annotated[str, typer.Argument(metavar="CONTRACT/WS2")],
    credential: Annotated[list[str] | None, typer.Option(
        "--credential", metavar="OLD=NEW",
        help="Use credential NEW of the target for steps that use OLD; repeatable.")] = None,
    name: Annotated[str | None, typer.Option("--name", metavar="NEW",
                                             help="A name for the copy.")] = None,
) -> None:
    """Copy a flow into another workspace of its contract, inactive (staging to production)."""
    from tui.cli.revisions import credential_mapping

    mapping = credential_mapping(credential)
    f = ctx_of(ctx).as_caller().copy_flow(path, target, mapping, new_name=name)
    o.out(f"copied {path} to {f.path} (inactive; steps: {steps_text(f)})")


@webhook_app.command("rotate")
def webhook_rotate(ctx: typer.Context, path: FlowPath) -> None:
    """Give the flow a new webhook token; the old address stops answering at once."""
    f = ctx_of(ctx).as_caller().rotate_webhook(path)
    o.out(f"{f.path} has a new webhook address: POST {f.webhook_path}")


@step_app.command("set")
def step_set(
    ctx: typer.Context,
    path: FlowPath,
    number: StepNumber,
    key: Annotated[str, typer.Argument(metavar="KEY")],
    value: Annotated[str, typer.Argument(metavar="VALUE")],
) -> None:
    """Set one setting of step N (transform: expression; http: url, method; timer: cron)."""
    f = ctx_of(ctx).as_caller().set_step(path, number, key, value)
    o.out(f"step {number} ({f.steps[number - 1].component}) of {f.path}: {key} set")


@step_app.command("credential")
def step_credential(
    ctx: typer.Context,
    path: FlowPath,
    number: StepNumber,
    credential: Annotated[str | None, typer.Argument(metavar="CREDENTIAL")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Take the step's credential away.")] = False,
) -> None:
    """Choose the credential step N uses (one of its workspace, of the step's component)."""
    if (credential is None) == (not clear):
        raise typer.BadParameter("give a CREDENTIAL or --clear (not both)", param_hint="CREDENTIAL")
    f = ctx_of(ctx).as_caller().set_step_credential(path, number, credential)
    now = f.steps[number - 1].credential
    o.out(f"step {number} of {f.path} " + (f"uses credential {now}" if now else "has no credential"))


# -- messages and events -----------------------------------------------------------
@message_app.command("send")
def message_send(
    ctx: typer.Context,
    path: FlowPath,
    count: Annotated[int, typer.Option("--count", metavar="N", min=1,
                                       help="How many messages.")] = 1,
    payload: Annotated[str | None, typer.Option(
        "--payload", metavar="JSON", help="The message body (default: a numbered test message).")] = None,
) -> None:
    """Enqueue messages at an active flow's trigger."""
    from store.services import parse_payload

    body = parse_payload(payload)
    depth = ctx_of(ctx).as_caller().send_messages(path, count, body)
    o.out(f"sent {o.plural(count, 'message')} to {path}; {depth} queued")


def events(
    ctx: typer.Context,
    path: Annotated[str | None, typer.Argument(metavar="PATH",
                                               help="A contract, workspace or flow.")] = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", min=1, max=10_000,
                                       help="At most N events.")] = 50,
    kind: Annotated[list[str] | None, typer.Option(
        "--kind", metavar="KIND", help="Only events of this kind (e.g. flow.auto_stopped).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The audit trail and flow log, newest first."""
    rows = ctx_of(ctx).as_caller().list_events(path, limit=limit, kinds=kind or None)
    o.listing(rows, as_json, ["AT", "ACTOR", "KIND", "PATH", "DETAIL"],
              lambda e: (o.when(e.at), e.actor, e.kind, e.path, o.compact(e.detail)),
              empty="no events")


def register(app: typer.Typer) -> None:
    from tui.cli import flow_run as cli_flow_run
    from tui.cli.credentials import credential_app

    cli_flow_run.register(flow_app)
    panel = "Flows and what runs through them"
    app.add_typer(credential_app, name="credential", rich_help_panel=panel)
    app.add_typer(flow_app, name="flow", rich_help_panel=panel)
    app.add_typer(message_app, name="message", rich_help_panel=panel)
    app.command("events", rich_help_panel=panel)(events)
