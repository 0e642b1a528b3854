"""What ran and what failed: ``flow executions``, ``flow failed``, ``flow retry``,
``flow discard``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from store.errors import ConfirmationRequired, InvalidInput
from tui.cli import output as o
from tui.cli.context import FlowPath, JsonFlag, ctx_of

Ids = Annotated[list[int] | None, typer.Argument(metavar="[ID]...", help="Failed message ids.")]
AllFlag = Annotated[bool, typer.Option("--all", help="Every failed message of the flow.")]


def _ids(ids: list[int] | None, every: bool) -> list[int] | None:
    if bool(ids) == every:
        raise typer.BadParameter("give failed message ids or --all (not both)", param_hint="ID")
    return None if every else list(ids or [])


def executions(
    ctx: typer.Context,
    path: FlowPath,
    limit: Annotated[int, typer.Option("--limit", metavar="N", min=1, max=10_000,
                                       help="At most N executions.")] = 20,
    as_json: JsonFlag = False,
) -> None:
    """The flow's latest step runs, newest first: outcome, http status, time taken."""
    rows = ctx_of(ctx).as_caller().list_executions(path, limit=limit)
    o.listing(rows, as_json, ["AT", "MESSAGE", "STEP", "OUTCOME", "STATUS", "MS", "ERROR"],
              lambda e: (o.when(e.at), e.message, f"{e.step} {e.component or ''}".strip(), e.outcome,
                         e.status, e.ms, e.error), empty="no executions")


def failed(ctx: typer.Context, path: FlowPath, as_json: JsonFlag = False) -> None:
    """Messages parked after their retries ran out (Full workspaces), oldest first."""
    rows = ctx_of(ctx).as_caller().list_failed(path, limit=10_000)
    o.listing(rows, as_json, ["ID", "STEP", "ATTEMPTS", "ENQUEUED", "ERROR", "PAYLOAD"],
              lambda m: (m.id, f"{m.step} {m.component or ''}".strip(), m.attempts,
                         o.when(m.enqueued_at), m.error,
                         json.dumps(m.payload, ensure_ascii=False)[:60]),
              empty="no failed messages")


def retry(ctx: typer.Context, path: FlowPath, ids: Ids = None, every: AllFlag = False) -> None:
    """Put failed messages back in the queue for a fresh set of tries."""
    n = ctx_of(ctx).as_caller().retry_failed(path, _ids(ids, every))
    o.out(f"retrying {o.plural(n, 'failed message')} of {path}")


def discard(
    ctx: typer.Context,
    path: FlowPath,
    ids: Ids = None,
    every: AllFlag = False,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: they are gone for good.")] = False,
) -> None:
    """Drop failed messages from the queue for good."""
    chosen = _ids(ids, every)
    fd = ctx_of(ctx).as_caller()
    if not yes:
        count = len(chosen) if chosen is not None else len(fd.list_failed(path, limit=10_000))
        if count == 0:
            raise InvalidInput(f"flow {path} has no failed messages")
        raise ConfirmationRequired(
            f"discarding drops {o.plural(count, 'failed message')} of {path} for good; "
            "pass --yes to discard")
    n = fd.discard_failed(path, chosen)
    o.out(f"discarded {o.plural(n, 'failed message')} of {path}")


def register(flow_app: typer.Typer) -> None:
    flow_app.command("executions")(executions)
    flow_app.command("failed")(failed)
    flow_app.command("retry")(retry)
    flow_app.command("discard")(discard)
