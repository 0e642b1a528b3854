"""Changing a flow's steps and moving it on: ``flow step add|remove|move``, ``flow history``,
``flow diff``, ``flow promote``, ``flow rollback`` (DESIGN section 2b).

Each change is one revision. A diff prints like a code review: ``+`` a step
added, ``-`` one removed, ``~`` something changed (before → after) or moved;
on a terminal that allows colour, added lines are green and removed red.
Values are printed as JSON, so no one's text reaches the terminal raw.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from tui.cli import output as o
from tui.cli.context import FlowPath, JsonFlag, StepNumber, ctx_of

CredentialMap = Annotated[list[str] | None, typer.Option(
    "--credential", metavar="OLD=NEW",
    help="Use credential NEW of the target for steps that use OLD; repeatable.")]

_GREEN, _RED, _RESET = "\033[32m", "\033[31m", "\033[0m"


def credential_mapping(pairs: list[str] | None) -> dict[str, str]:
    """``--credential OLD=NEW`` options as a mapping (a usage error if one is not OLD=NEW)."""
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise typer.BadParameter(f"{pair!r} is not OLD=NEW", param_hint="'--credential'")
        mapping[old.strip()] = new.strip()
    return mapping


# -- editing ------------------------------------------------------------------------------
def step_add(
    ctx: typer.Context,
    path: FlowPath,
    spec: Annotated[str, typer.Argument(metavar="COMPONENT[:CREDENTIAL]")],
    at: Annotated[int | None, typer.Option("--at", metavar="N", min=1,
                                           help="Its position (default: the end).")] = None,
) -> None:
    """Add an action step (transform, http, log) at the end or at position N."""
    from store.services import parse_step

    f = ctx_of(ctx).as_caller().add_step(path, parse_step(spec), at)
    pos = at or len(f.steps)
    o.out(f"added step {pos} ({f.steps[pos - 1].component}) to {f.path}; "
          f"revision {f.revision}")


def step_remove(ctx: typer.Context, path: FlowPath, number: StepNumber) -> None:
    """Remove step N (never step 1, the trigger)."""
    f = ctx_of(ctx).as_caller().remove_step(path, number)
    o.out(f"removed step {number} of {f.path}; revision {f.revision}")


def step_move(
    ctx: typer.Context,
    path: FlowPath,
    number: StepNumber,
    to: Annotated[int, typer.Option("--to", metavar="M", min=1, help="Its new position.")],
) -> None:
    """Move step N to position M (step 1, the trigger, stays first)."""
    f = ctx_of(ctx).as_caller().move_step(path, number, to)
    o.out(f"moved step {number} ({f.steps[to - 1].component}) of {f.path} to {to}; "
          f"revision {f.revision}")


# -- reading ------------------------------------------------------------------------------
def history(ctx: typer.Context, path: FlowPath, as_json: JsonFlag = False) -> None:
    """Every revision of the flow's definition, newest first."""
    rows = ctx_of(ctx).as_caller().flow_history(path)
    o.listing(rows, as_json, ["REV", "AT", "BY", "CHANGE"],
              lambda r: (r.revision, o.when(r.at), r.by, r.change), empty="no revisions")


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _step_text(step: dict[str, Any]) -> str:
    cred = f" credential {_value(step['credential'])}" if step.get("credential") else ""
    settings = "".join(f" {k}={_value(v)}" for k, v in (step.get("settings") or {}).items())
    return f"{step['component']}{cred}{settings}"


def diff_lines(rows) -> list[str]:
    """Difference rows as a code review reads them."""
    lines = []
    for d in rows:
        where = f"step {d.step}" if d.step is not None else "flow"
        if d.change == "added":
            lines.append(f"+ {where}: {_step_text(d.after)}")
        elif d.change == "removed":
            lines.append(f"- {where}: {_step_text(d.before)}")
        elif d.change == "moved":
            lines.append(f"~ {where}: moved from {d.before} to {d.after}")
        else:
            lines.append(f"~ {where} {d.field}: {_value(d.before)} → {_value(d.after)}")
    return lines


def print_diff(rows, *, same: str) -> None:
    if not rows:
        o.out(same)
        return
    colour = o.use_colour()
    for line in diff_lines(rows):
        tint = {"+": _GREEN, "-": _RED}.get(line[0]) if colour else None
        o.out(f"{tint}{line}{_RESET}" if tint else line)


def diff(
    ctx: typer.Context,
    path: FlowPath,
    other: Annotated[str | None, typer.Argument(
        metavar="[PATH2]", help="Another flow (after); PATH is before.")] = None,
    revision: Annotated[int | None, typer.Option(
        "--revision", metavar="N", min=1, help="Compare revision N (before)...")] = None,
    to: Annotated[int | None, typer.Option(
        "--to", metavar="M", min=1, help="...with revision M (default: the current one).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """What differs, step by step: two flows, two revisions, or (alone) the last change."""
    if other is not None and (revision is not None or to is not None):
        raise typer.BadParameter("give PATH2 or --revision, not both", param_hint="PATH2")
    if to is not None and revision is None:
        raise typer.BadParameter("--to needs --revision", param_hint="'--to'")
    rows = ctx_of(ctx).as_caller().diff_flows(path, other, revision=revision, to=to)
    if as_json:
        return o.json_list(rows)
    print_diff(rows, same="no differences")


# -- moving on ------------------------------------------------------------------------------
def promote(
    ctx: typer.Context,
    path: FlowPath,
    target: Annotated[str, typer.Argument(metavar="CONTRACT/WS2")],
    credential: CredentialMap = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would change in the target; change nothing.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Apply the flow's current definition to its namesake in another workspace (staging to
    production) as a new revision there; a new inactive flow where it has none."""
    mapping = credential_mapping(credential)
    fd = ctx_of(ctx).as_caller()
    if dry_run:
        plan = fd.plan_promotion(path, target, mapping)
        if as_json:
            return o.json_list(plan.differences)
        verb = "would create" if plan.created else "would change"
        o.out(f"dry run: promoting {plan.source} revision {plan.source_revision} {verb} "
              f"{plan.target}; nothing changed")
        return print_diff(plan.differences, same="no differences: nothing to promote")
    done = fd.promote_flow(path, target, mapping)
    if as_json:
        return o.print_json(done.to_json())
    how = "created inactive" if done.created else f"revision {done.target_revision}"
    o.out(f"promoted {done.source} revision {done.source_revision} to {done.target} ({how})")
    print_diff(done.differences, same="no differences")


def rollback(
    ctx: typer.Context,
    path: FlowPath,
    number: Annotated[int, typer.Argument(metavar="N", min=1, help="The revision to go back to.")],
) -> None:
    """Make a new revision equal to revision N."""
    f = ctx_of(ctx).as_caller().rollback_flow(path, number)
    o.out(f"rolled {f.path} back to revision {number}, as revision {f.revision}")


def register(flow_app: typer.Typer, step_app: typer.Typer) -> None:
    step_app.command("add")(step_add)
    step_app.command("remove")(step_remove)
    step_app.command("move")(step_move)
    flow_app.command("history")(history)
    flow_app.command("diff")(diff)
    flow_app.command("promote")(promote)
    flow_app.command("rollback")(rollback)
