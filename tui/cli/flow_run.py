"""``flow start|stop|restart``: one flow, several by path, or every flow of a contract or
workspace matching filters, as one change (DESIGN section 2c). One line per flow, then
(for more than one) the total of flows changed and queued messages dropped."""

from __future__ import annotations

from typing import Annotated

import typer

from tui.cli import output as o
from tui.cli.context import JsonFlag, ctx_of

Paths = Annotated[list[str] | None, typer.Argument(
    metavar="CONTRACT/WS/FLOW", show_default=False, help="The flows, by path.")]
In = Annotated[str | None, typer.Option(
    "--in", metavar="CONTRACT[/WS]",
    help="Every flow of this contract or workspace that the filters pick.")]
Status = Annotated[str | None, typer.Option(
    "--status", metavar="STATUS", help="With --in: inactive, active or stopped.")]
StopReason = Annotated[str | None, typer.Option(
    "--stop-reason", metavar="REASON",
    help="With --in: manual, work_time_limit, contract_suspended or step_failed.")]
Kind = Annotated[str | None, typer.Option(
    "--kind", metavar="KIND", help="With --in: flows of limited or full workspaces.")]


def _word(value: str | None, allowed: tuple[str, ...], option: str) -> str | None:
    if value is None:
        return None
    word = value.strip().lower().replace(" ", "_").replace("-", "_")
    if word not in allowed:
        raise typer.BadParameter(f"{value!r} is not {', '.join(allowed[:-1])} or {allowed[-1]}",
                                 param_hint=f"'{option}'")
    return word


def result_line(r) -> str:
    """What happened to one flow, in a line."""
    if r.outcome == "stopped":
        return f"stopped {r.path}; dropped {o.plural(r.lost_messages, 'queued message')}"
    if r.deadline is not None:
        line = (f"{r.outcome} {r.path}; it stops at {o.when(r.deadline)} "
                f"({o.hms(r.remaining_seconds)} from now) unless restarted")
    else:
        line = f"{r.outcome} {r.path}; Full workspace, no work-time limit"
    if r.outcome == "restarted":
        line += f"; dropped {o.plural(r.lost_messages, 'queued message')}"
    return line


def total_line(done) -> str:
    verb = {"start": "started", "stop": "stopped", "restart": "restarted"}[done.action]
    return (f"{verb} {o.plural(done.changed, 'flow')}; dropped "
            f"{o.plural(done.lost_messages, 'queued message')} in all")


def _run(ctx: typer.Context, action: str, paths, scope, status, stop_reason, kind,
         as_json: bool) -> None:
    from store.services.flowruns import KINDS, STATUSES, STOP_REASONS

    paths = list(paths or [])
    if paths and scope is not None:
        raise typer.BadParameter("name flows or give --in, not both", param_hint="'--in'")
    if scope is None and any(v is not None for v in (status, stop_reason, kind)):
        raise typer.BadParameter("--status, --stop-reason and --kind pick flows with --in",
                                 param_hint="'--in'")
    if not paths and scope is None:
        from typer._click.exceptions import BadArgumentUsage

        raise BadArgumentUsage(f"Missing argument: name the flows to {action} "
                               "(CONTRACT/WS/FLOW ...) or pick them with --in CONTRACT[/WS]")
    status = _word(status, STATUSES, "--status")
    stop_reason = _word(stop_reason, STOP_REASONS, "--stop-reason")
    kind = _word(kind, KINDS, "--kind")
    done = ctx_of(ctx).as_caller().run_flows(action, paths or None, scope=scope, status=status,
                                             stop_reason=stop_reason, kind=kind)
    if as_json:
        return o.print_json(done.to_json())
    for r in done.flows:
        o.out(result_line(r))
    if scope is not None and not done.flows:
        o.note(f"no flow in {scope} matches; nothing changed")
    if scope is not None or len(paths) > 1:
        o.out(total_line(done))


def flow_start(ctx: typer.Context, paths: Paths = None, scope: In = None, status: Status = None,
               stop_reason: StopReason = None, kind: Kind = None, as_json: JsonFlag = False) -> None:
    """Start flows (Limited workspaces: each stops by itself 8 hours later); all or none."""
    _run(ctx, "start", paths, scope, status, stop_reason, kind, as_json)


def flow_stop(ctx: typer.Context, paths: Paths = None, scope: In = None, status: Status = None,
              stop_reason: StopReason = None, kind: Kind = None, as_json: JsonFlag = False) -> None:
    """Stop flows, dropping every queued message; all or none."""
    _run(ctx, "stop", paths, scope, status, stop_reason, kind, as_json)


def flow_restart(ctx: typer.Context, paths: Paths = None, scope: In = None, status: Status = None,
                 stop_reason: StopReason = None, kind: Kind = None,
                 as_json: JsonFlag = False) -> None:
    """Stop then start flows: drops their queues and begins a fresh work time; all or none.

    The morning round: flowdeck flow restart --in CONTRACT/WS --stop-reason work_time_limit
    """
    _run(ctx, "restart", paths, scope, status, stop_reason, kind, as_json)


def register(flow_app: typer.Typer) -> None:
    flow_app.command("start")(flow_start)
    flow_app.command("stop")(flow_stop)
    flow_app.command("restart")(flow_restart)
