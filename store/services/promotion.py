"""Promotion: a flow's current definition applied to the flow of the same name in another
workspace of its contract (staging → production), as a new revision of that flow.

Credentials are mapped into the target as for a copy (by name, or as told),
and a step without a match is refused by its number; a credential never
crosses a workspace. Where the target has no such flow, promotion creates
it inactive, as a copy does. The target keeps its status, start time,
deadline and queue: its queued messages finish on the revision they entered
with. ``plan_promotion`` (a dry run) reads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from .. import flowdefs
from ..errors import Conflict
from ..flowdefs import Steps
from ..flowdiff import Difference, diff, same_shape
from ..models import Flow, FlowStep, Workspace
from ..names import name_key
from ..rows import ident
from ..views import PromotionView
from .base import Tx, WsScope, reads, writes
from .revisions import RevisionService


@dataclass
class _Plan:
    src: WsScope
    flow: Flow
    dst: WsScope
    target: Flow | None
    steps: Steps
    differences: list[Difference]

    @property
    def source_path(self) -> str:
        return f"{self.src.path}/{self.flow.name}"

    @property
    def target_path(self) -> str:
        return f"{self.dst.path}/{self.flow.name}"


class PromotionService(RevisionService):
    def _promotion_plan(self, t: Tx, path: str, target: str, mapping: dict[str, str] | None) -> _Plan:
        src, flow = self._flow(t, path)
        dst = self._other_workspace(t, src, path, target, "flow.promote", "promoted")
        existing = t.s.scalars(select(Flow).where(col(Flow.workspace_id) == dst.workspace.id,
                                                  col(Flow.name_key) == flow.name_key)).first()
        steps, _ = self._map_credentials(t, path, flowdefs.current_steps(t.s, ident(flow)), dst,
                                         mapping)
        if existing is None:
            differences = diff(None, [], flow.type, steps)
        else:
            differences = diff(existing.type, flowdefs.current_steps(t.s, ident(existing)),
                               flow.type, steps)
        return _Plan(src, flow, dst, existing, steps, differences)

    @staticmethod
    def _promotion_view(plan: _Plan, revision: int | None, dry_run: bool) -> PromotionView:
        return PromotionView(source=plan.source_path, source_revision=plan.flow.revision,
                             target=plan.target_path, target_revision=revision,
                             created=plan.target is None, dry_run=dry_run,
                             differences=list(plan.differences))

    @reads
    def plan_promotion(self, t: Tx, path: str, target: str,
                       mapping: dict[str, str] | None = None) -> PromotionView:
        """The dry run: what promoting would change in the target flow. Changes nothing."""
        return self._promotion_view(self._promotion_plan(t, path, target, mapping), None, True)

    @writes
    def promote_flow(self, t: Tx, path: str, target: str,
                     mapping: dict[str, str] | None = None) -> PromotionView:
        """Apply flow ``path``'s current definition to its namesake in workspace ``target``."""
        plan = self._promotion_plan(t, path, target, mapping)
        change = f"promoted from {plan.source_path} revision {plan.flow.revision}"
        if plan.target is None:
            made = self._new_copy(t, plan.dst, plan.flow.name, plan.flow.type, plan.steps, change)
            number, flow = 1, made
        else:
            if not plan.differences:
                raise Conflict(f"{plan.target_path} already matches {plan.source_path} "
                               f"revision {plan.flow.revision}; nothing to promote")
            self._type_may_change(plan.target, plan.flow.type, plan.target_path)
            number = flowdefs.commit(t, plan.target, plan.steps, plan.flow.type, change)
            flow = plan.target
        detail = {"source": plan.source_path, "source_revision": plan.flow.revision,
                  "target": plan.target_path, "revision": number, "created": plan.target is None}
        t.event("flow.promoted", flow=plan.flow, path=plan.source_path, detail=detail)
        t.event("flow.promoted", flow=flow, path=plan.target_path, detail=detail)
        return self._promotion_view(plan, number, False)

    @reads
    def promotion_marks(self, t: Tx, scope: str, ids: list[int]) -> dict[int, list[str]]:
        """For flows ``ids`` of workspace ``scope`` (a page of its list): the other workspaces
        of the contract, among those the caller may see, holding a flow of the same name
        that differs from it (type, steps, settings, or whether a step has a credential:
        credentials' names differ between workspaces by design). Three queries a page."""
        ws = self._workspace(t, scope)
        if not ids:
            return {}
        mine = {fid: (key, ftype) for fid, key, ftype in t.s.execute(
            select(col(Flow.id), col(Flow.name_key), col(Flow.type))
            .where(col(Flow.id).in_(ids), col(Flow.workspace_id) == ws.workspace.id))}
        if not mine:
            return {}
        visible = self._visible_workspace_ids(t, ws.contract, ws.contract_role)
        others = t.s.execute(
            select(col(Flow.id), col(Flow.name_key), col(Flow.type), col(Workspace.name))
            .join(Workspace, col(Workspace.id) == col(Flow.workspace_id))
            .where(col(Workspace.contract_id) == ws.contract.id, col(Workspace.id) != ws.workspace.id,
                   col(Workspace.id).in_(visible),
                   col(Flow.name_key).in_({key for key, _ in mine.values()}))).all()
        if not others:
            return {}
        steps: dict[int, Steps] = {}
        for fs in t.s.scalars(select(FlowStep).where(
                col(FlowStep.flow_id).in_([*mine, *(o[0] for o in others)]))
                .order_by(col(FlowStep.flow_id), col(FlowStep.position))):
            steps.setdefault(fs.flow_id, []).append(
                {"component": fs.component, "credential": fs.credential_id is not None,
                 "settings": fs.settings or {}})
        marks: dict[int, list[str]] = {}
        for fid, (key, ftype) in mine.items():
            for oid, okey, otype, wname in others:
                if okey == key and not same_shape(ftype, steps.get(fid, []), otype,
                                                  steps.get(oid, [])):
                    marks.setdefault(fid, []).append(f"{ws.contract.name}/{wname}")
        return {fid: sorted(paths, key=name_key) for fid, paths in marks.items()}
