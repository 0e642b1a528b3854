"""A flow's definition and its revisions, inside one transaction.

``flow_steps`` holds the current definition (what screens and triggers read);
``flow_revisions`` holds every definition the flow ever had, immutable. Every
change goes through ``commit``: it checks the trigger rule, rewrites
``flow_steps``, moves ``flows.revision`` on by a conditional UPDATE (two
editors at once: the second is refused, nothing half-done) and records the
revision. It never touches the flow's status, start time, deadline or queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from .components import COMPONENTS, component
from .errors import Conflict, InvalidInput
from .models import Credential, Flow, FlowRevision, FlowStep
from .policy import CHANGE_MAX
from .rows import ident, touched

if TYPE_CHECKING:
    from .services.base import Tx


Steps = list[dict[str, Any]]


def step(comp: str, credential_id: int | None = None, credential: str | None = None,
         settings: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"component": comp, "credential_id": credential_id, "credential": credential,
            "settings": dict(settings or {})}


def current_steps(s: Session, flow_id: int) -> Steps:
    """The flow's current steps, in order, as revision dicts (credential names as now)."""
    return [step(fs.component, fs.credential_id, name, fs.settings)
            for fs, name in s.execute(
                select(FlowStep, col(Credential.name))
                .outerjoin(Credential, col(Credential.id) == col(FlowStep.credential_id))
                .where(col(FlowStep.flow_id) == flow_id).order_by(col(FlowStep.position))).all()]


def revision(s: Session, flow_id: int, number: int) -> FlowRevision | None:
    return s.scalars(select(FlowRevision).where(col(FlowRevision.flow_id) == flow_id,
                                                col(FlowRevision.number) == number)).first()


def check_triggers(steps: Steps) -> None:
    """Step 1 is the flow's trigger, and its only one."""
    if not steps:
        raise InvalidInput("a flow needs at least its trigger (step 1)")
    for i, s in enumerate(steps, start=1):
        kind = component(s["component"]).kind
        if i == 1 and kind != "trigger":
            raise InvalidInput(f"step 1 must be the flow's trigger (webhook or timer), not "
                               f"{s['component']}")
        if i > 1 and kind == "trigger":
            raise InvalidInput(f"step {i} ({s['component']}) would be a trigger; step 1 is "
                               "the flow's only trigger")


def describe(s: dict[str, Any]) -> str:
    cred = f", credential {s['credential']!r}" if s.get("credential") else ""
    return f"{s['component']}{cred}"


def _write_steps(s: Session, flow_id: int, steps: Steps) -> None:
    rows = {fs.position: fs for fs in s.scalars(
        select(FlowStep).where(col(FlowStep.flow_id) == flow_id)).all()}
    for pos, spec in enumerate(steps, start=1):
        row = rows.get(pos)
        if row is not None and (row.component, row.credential_id, row.settings) == (
                spec["component"], spec["credential_id"], spec["settings"]):
            continue
        if row is None:
            s.add(FlowStep(flow_id=flow_id, position=pos, component=spec["component"],
                           credential_id=spec["credential_id"], settings=dict(spec["settings"])))
            continue
        if row.component != spec["component"]:
            row.fired_at = None  # a timer's mark belongs to that trigger only
        row.component = spec["component"]
        row.credential_id = spec["credential_id"]
        row.settings = dict(spec["settings"])
        s.add(row)
    s.flush()
    if len(rows) > len(steps):
        s.execute(delete(FlowStep).where(col(FlowStep.flow_id) == flow_id,
                                         col(FlowStep.position) > len(steps)),
                  execution_options={"synchronize_session": "fetch"})


def first(t: Tx, flow: Flow, steps: Steps, change: str) -> None:
    """Revision 1 of a flow just made (created or copied); ``flow_steps`` already written."""
    t.s.add(FlowRevision(flow_id=ident(flow), number=1, at=t.now, by_id=t.actor_id,
                         change=change[:CHANGE_MAX], type=flow.type, steps=steps))
    t.s.flush()


def same(flow: Flow, steps: Steps, flow_type: str, current: Steps) -> bool:
    strip = [{k: v for k, v in x.items() if k != "credential"} for x in current]
    return flow.type == flow_type and strip == [
        {k: v for k, v in x.items() if k != "credential"} for x in steps]


def commit(t: Tx, flow: Flow, steps: Steps, flow_type: str, change: str,
           current: Steps | None = None) -> int:
    """Make ``steps`` and ``flow_type`` the flow's definition as its next revision; its number.
    Refused (changing nothing) when it breaks the trigger rule or is the current one
    (``current``, when the caller has just read it)."""
    check_triggers(steps)
    for spec in steps:
        if spec["component"] not in COMPONENTS:
            raise InvalidInput(f"unknown component {spec['component']!r}")
    if same(flow, steps, flow_type, current_steps(t.s, ident(flow)) if current is None else current):
        raise Conflict(f"flow {flow.name!r} already has that definition; nothing changes")
    number = flow.revision + 1
    moved = touched(t.s.execute(
        update(Flow).where(col(Flow.id) == flow.id, col(Flow.revision) == flow.revision)
        .values(revision=number, type=flow_type),
        execution_options={"synchronize_session": False}))
    if not moved:
        raise Conflict(f"flow {flow.name!r} was changed by someone else meanwhile; look again "
                       "and retry")
    t.s.refresh(flow)
    _write_steps(t.s, ident(flow), steps)
    t.s.add(FlowRevision(flow_id=ident(flow), number=number, at=t.now, by_id=t.actor_id,
                         change=change[:CHANGE_MAX], type=flow_type,
                         steps=[dict(x, settings=dict(x["settings"])) for x in steps]))
    t.s.flush()
    return number
