"""Flows: create, start, stop, restart, switch type, set step settings, copy."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from .. import worktime
from ..actions import already_active, not_active, refuse
from ..clock import iso
from ..components import check_flow_steps, check_setting, component
from ..errors import Conflict, InvalidInput, NotFound
from ..models import FLOW_TYPES, Credential, Flow, FlowStep
from ..names import check_name, name_key, split_path
from ..views import FlowView
from .base import Tx, WsScope, reads, writes
from .flowviews import FlowReading


def parse_step(spec: str) -> tuple[str, str | None]:
    """'http:CRM token' -> ('http', 'CRM token'); 'webhook' -> ('webhook', None)."""
    comp, sep, cred = (spec or "").partition(":")
    comp = comp.strip().lower()
    if not comp:
        raise InvalidInput(f"a step is COMPONENT[:CREDENTIAL]; got {spec!r}")
    return comp, (cred.strip() or None) if sep else None


class FlowService(FlowReading):
    # -- reading ---------------------------------------------------------------
    @reads
    def list_flows(self, t: Tx, scope: str | None = None, **page) -> list[FlowView]:
        return self._page(t, scope, **page)

    @reads
    def count_flows(self, t: Tx, scope: str | None = None, **filters) -> int:
        return self._count_flows(t, scope, **filters)

    @reads
    def flow_page(self, t: Tx, scope: str, *, search: str | None = None, sort: str = "name",
                  descending: bool = False, offset: int = 0, limit: int = 100,
                  with_count: bool = True
                  ) -> tuple[int | None, list[FlowView], dict[int, float]]:
        """One page of a long list, its flows' messages per minute, and (optionally) the size
        of the whole set: what a screen shows of a long list, in one read."""
        from ..policy import THROUGHPUT_RATE_MINUTES
        from ..runtime import throughput

        count = self._count_flows(t, scope, search=search) if with_count else None
        flows = self._page(t, scope, search=search, sort=sort, descending=descending,
                           offset=offset, limit=limit, with_steps=False)
        rates = throughput.rates(t.s, [f.id for f in flows], t.now, THROUGHPUT_RATE_MINUTES)
        return count, flows, rates

    @reads
    def get_flow(self, t: Tx, path: str) -> FlowView:
        scope, flow = self._flow(t, path)
        return self._full_view(t, scope, flow)

    @reads
    def flow_views_by_id(self, t: Tx, ids: list[int]) -> dict[int, FlowView]:
        """Fresh views of flows already on screen (those the caller may still see)."""
        if not ids:
            return {}
        q = self._flow_query(t, None, None, None).where(Flow.id.in_(ids))
        return {f.id: self._flow_view(t, f, c, w, [], role) for f, w, c, role in t.s.execute(q)}

    # -- changing --------------------------------------------------------------
    def _editable(self, t: Tx, path: str, action: str = "flow.edit", **state
                  ) -> tuple[WsScope, Flow]:
        """The flow at ``path``, if the caller may do ``action`` to it now (else the refusal)."""
        scope, flow = self._flow(t, path)
        refuse(action, self._scope_subject(t, scope, path=f"{scope.path}/{flow.name}",
                                           flow_status=flow.status,
                                           stop_reason=flow.stop_reason, **state))
        return scope, flow

    def _resolve_credential(self, t: Tx, scope: WsScope, comp_name: str, cred_name: str | None,
                            position: int) -> int | None:
        if cred_name is None:
            return None
        comp = component(comp_name)
        if not comp.takes_credential:
            raise InvalidInput(f"step {position} ({comp.name}) takes no credential")
        cred = t.s.scalars(select(Credential).where(
            Credential.workspace_id == scope.workspace.id,
            Credential.name_key == name_key(cred_name))).first()
        if cred is None:
            raise NotFound(f"step {position}: no credential {cred_name!r} in {scope.path}")
        if cred.component != comp.name:
            raise InvalidInput(
                f"step {position} ({comp.name}) cannot use credential {cred.name!r}: it is a "
                f"{cred.component} credential")
        return cred.id

    @writes
    def create_flow(self, t: Tx, path: str, steps: list[tuple[str, str | None]] | None = None,
                    *, realtime: bool = False) -> FlowView:
        c, w, n = split_path(path, 3, "flow")
        scope = self._workspace(t, f"{c}/{w}")
        refuse("flow.create", self._scope_subject(t, scope))
        name = check_name(n, "flow name")
        if t.s.scalars(select(Flow).where(Flow.workspace_id == scope.workspace.id,
                                          Flow.name_key == name_key(name))).first():
            raise Conflict(f"{scope.path} already has a flow named {name!r}")
        steps = list(steps or [("webhook", None)])
        comps = check_flow_steps([comp_name for comp_name, _ in steps])
        resolved = [(comp.name, self._resolve_credential(t, scope, comp.name, cred_name, i))
                    for i, (comp, (_, cred_name)) in enumerate(zip(comps, steps, strict=True),
                                                              start=1)]
        flow = Flow(workspace_id=scope.workspace.id, name=name, name_key=name_key(name),
                    type="realtime" if realtime else "ordinary", created_at=t.now,
                    created_by_id=t.actor_id)
        t.s.add(flow)
        t.s.flush()
        for i, (comp_name, cred_id) in enumerate(resolved, start=1):
            t.s.add(FlowStep(flow_id=flow.id, position=i, component=comp_name,
                             credential_id=cred_id, settings={}))
        t.s.flush()
        t.event("flow.created", flow=flow, path=f"{scope.path}/{name}",
                detail={"type": flow.type, "steps": [c for c, _ in resolved]})
        return self._full_view(t, scope, flow)

    def _start(self, t: Tx, scope: WsScope, flow: Flow) -> None:
        if not worktime.start_flow(t.s, flow.id, scope.workspace.kind, t.now):
            raise already_active(f"{scope.path}/{flow.name}")
        t.s.refresh(flow)
        t.event("flow.started", flow=flow, path=f"{scope.path}/{flow.name}",
                detail={"deadline": iso(flow.deadline),
                        "workspace_kind": scope.workspace.kind})

    @writes
    def start_flow(self, t: Tx, path: str) -> FlowView:
        scope, flow = self._editable(t, path, "flow.start")
        self._start(t, scope, flow)
        return self._full_view(t, scope, flow)

    @writes
    def stop_flow(self, t: Tx, path: str) -> FlowView:
        scope, flow = self._editable(t, path, "flow.stop")
        if worktime.stop_flow(t.s, flow.id, t.now, reason="manual", actor_id=t.actor_id) is None:
            raise not_active(f"{scope.path}/{flow.name}", flow.status, flow.stop_reason)
        t.s.refresh(flow)
        return self._full_view(t, scope, flow)

    @writes
    def restart_flow(self, t: Tx, path: str) -> FlowView:
        """Stop (dropping the queue) then start: a fresh work time."""
        scope, flow = self._editable(t, path, "flow.restart")
        worktime.stop_flow(t.s, flow.id, t.now, reason="manual", actor_id=t.actor_id)
        t.s.refresh(flow)
        self._start(t, scope, flow)
        return self._full_view(t, scope, flow)

    @writes
    def set_flow_type(self, t: Tx, path: str, flow_type: str) -> FlowView:
        scope, flow = self._editable(t, path, "flow.type")
        flow_type = (flow_type or "").strip().lower()
        if flow_type not in FLOW_TYPES:
            raise InvalidInput(f"a flow type is ordinary or realtime, not {flow_type!r}")
        if flow.type == flow_type:
            raise Conflict(f"flow {scope.path}/{flow.name} is already {flow_type}")
        old, flow.type = flow.type, flow_type
        t.s.add(flow)
        t.event("flow.type_changed", flow=flow, path=f"{scope.path}/{flow.name}",
                detail={"from": old, "to": flow_type})
        return self._full_view(t, scope, flow)

    @writes
    def set_step(self, t: Tx, path: str, position: int, key: str, value: str) -> FlowView:
        scope, flow = self._editable(t, path)
        step = t.s.scalars(select(FlowStep).where(FlowStep.flow_id == flow.id,
                                                  FlowStep.position == position)).first()
        if step is None:
            count = len(t.s.scalars(select(FlowStep.id).where(FlowStep.flow_id == flow.id)).all())
            raise NotFound(f"flow {scope.path}/{flow.name} has no step {position} "
                           f"(it has {count})")
        refuse("step.settings", self._scope_subject(t, scope, step=position,
                                                    component=step.component))
        key = (key or "").strip()
        check_setting(component(step.component), key, value)
        if step.component == "http" and key == "method":
            value = value.upper()
        step.settings = {**(step.settings or {}), key: value}
        t.s.add(step)
        t.event("flow.step_changed", flow=flow, path=f"{scope.path}/{flow.name}",
                detail={"step": position, "component": step.component, "setting": key})
        return self._full_view(t, scope, flow)

    @writes
    def set_step_credential(self, t: Tx, path: str, position: int,
                            credential: str | None) -> FlowView:
        scope, flow = self._editable(t, path)
        step = t.s.scalars(select(FlowStep).where(FlowStep.flow_id == flow.id,
                                                  FlowStep.position == position)).first()
        if step is None:
            raise NotFound(f"flow {scope.path}/{flow.name} has no step {position}")
        if credential is not None:
            refuse("step.credential", self._scope_subject(t, scope, step=position,
                                                          component=step.component))
        step.credential_id = self._resolve_credential(t, scope, step.component, credential,
                                                      position)
        t.s.add(step)
        t.event("flow.step_changed", flow=flow, path=f"{scope.path}/{flow.name}",
                detail={"step": position, "component": step.component, "credential": credential})
        return self._full_view(t, scope, flow)

    @writes
    def copy_flow(self, t: Tx, path: str, target: str, mapping: dict[str, str] | None = None,
                  *, new_name: str | None = None) -> FlowView:
        """Copy a flow into another workspace of its contract as an inactive flow."""
        src_scope, flow = self._flow(t, path)
        # the source's role (its contract's suspension is the target's: copies stay within it)
        refuse("flow.copy", replace(self._scope_subject(t, src_scope), suspended=False))
        dst = self._workspace(t, target)
        if dst.contract.id != src_scope.contract.id:
            raise InvalidInput("a flow can only be copied within its own contract")
        if dst.workspace.id == src_scope.workspace.id:
            raise InvalidInput(f"{path} is already in {dst.path}; copy it to another workspace")
        refuse("flow.copy", self._scope_subject(t, dst))
        name = check_name(new_name or flow.name, "flow name")
        if t.s.scalars(select(Flow).where(Flow.workspace_id == dst.workspace.id,
                                          Flow.name_key == name_key(name))).first():
            raise Conflict(f"{dst.path} already has a flow named {name!r}")
        mapping = {name_key(k): v for k, v in (mapping or {}).items()}
        steps = t.s.execute(select(FlowStep, Credential).outerjoin(
            Credential, Credential.id == FlowStep.credential_id)
            .where(FlowStep.flow_id == flow.id).order_by(FlowStep.position)).all()
        used = {name_key(c.name) for _, c in steps if c is not None}
        unknown = [k for k in mapping if k not in used]
        if unknown:
            raise InvalidInput(f"--credential {unknown[0]!r}: no step of {path} uses a credential "
                               "by that name")
        targets = {name_key(c.name): c for c in t.s.scalars(select(Credential).where(
            Credential.workspace_id == dst.workspace.id)).all()}
        new_steps, mapped = [], {}
        for step, cred in steps:
            cred_id = None
            if cred is not None:
                wanted = mapping.get(name_key(cred.name), cred.name)
                match = targets.get(name_key(wanted))
                if match is None or match.component != step.component:
                    how = "mapped to" if name_key(cred.name) in mapping else "matched by name to"
                    raise InvalidInput(
                        f"step {step.position} ({step.component}) uses credential {cred.name!r}, "
                        f"{how} {wanted!r}, but {dst.path} has no {step.component} credential "
                        f"named {wanted!r}; map one with --credential '{cred.name}=NAME'")
                cred_id, mapped[cred.name] = match.id, match.name
            new_steps.append((step, cred_id))
        copy = Flow(workspace_id=dst.workspace.id, name=name, name_key=name_key(name),
                    type=flow.type, created_at=t.now, created_by_id=t.actor_id)
        t.s.add(copy)
        t.s.flush()
        for step, cred_id in new_steps:
            t.s.add(FlowStep(flow_id=copy.id, position=step.position, component=step.component,
                             credential_id=cred_id, settings=dict(step.settings or {})))
        t.s.flush()
        t.event("flow.copied", flow=copy, path=f"{dst.path}/{name}",
                detail={"from": f"{src_scope.path}/{flow.name}", "credentials": mapped})
        return self._full_view(t, dst, copy)

    def workspaces_for_copy(self, path: str) -> list[str]:
        """Other workspaces of the flow's contract the caller could copy into."""
        contract = split_path(path, 3, "flow")[0]
        return [w.path for w in self.list_workspaces(contract)  # type: ignore[attr-defined]
                if w.may("flow.copy") and w.path != "/".join(path.split("/")[:2])]
