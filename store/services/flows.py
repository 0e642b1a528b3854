"""Flows: create, start, stop, restart, switch type, set step settings, copy."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from .. import flowdefs
from ..actions import refuse
from ..components import check_flow_steps, check_setting, component
from ..errors import Conflict, InvalidInput, NotFound
from ..flowdefs import Steps
from ..flowdiff import public
from ..models import FLOW_TYPES, Credential, Flow, FlowStep, webhook_token
from ..names import check_name, name_key, split_path
from ..rows import ident
from ..text import check_text
from ..views import FlowView
from .base import Tx, WsScope, reads, writes
from .flowruns import FlowRunService
from .timeleft import TimeLeftReading


def parse_step(spec: str) -> tuple[str, str | None]:
    """'http:CRM token' -> ('http', 'CRM token'); 'webhook' -> ('webhook', None)."""
    comp, sep, cred = (spec or "").partition(":")
    comp = comp.strip().lower()
    if not comp:
        raise InvalidInput(f"a step is COMPONENT[:CREDENTIAL]; got {spec!r}")
    return comp, (cred.strip() or None) if sep else None


class FlowService(FlowRunService, TimeLeftReading):
    # -- reading ---------------------------------------------------------------
    @reads
    def list_flows(self, t: Tx, /, scope: str | None = None, **page: Any) -> list[FlowView]:
        return self._page(t, scope, **page)

    @reads
    def count_flows(self, t: Tx, /, scope: str | None = None, **filters: Any) -> int:
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
        q = self._flow_query(t, None, None, None).where(col(Flow.id).in_(ids))
        return {f.id: self._flow_view(t, f, c, w, [], role) for f, w, c, role in t.s.execute(q)}

    # -- changing --------------------------------------------------------------
    def _editable(self, t: Tx, path: str, action: str = "flow.edit", **state: Any
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
            col(Credential.workspace_id) == scope.workspace.id,
            col(Credential.name_key) == name_key(cred_name))).first()
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
        if t.s.scalars(select(Flow).where(col(Flow.workspace_id) == scope.workspace.id,
                                          col(Flow.name_key) == name_key(name))).first():
            raise Conflict(f"{scope.path} already has a flow named {name!r}")
        steps = list(steps or [("webhook", None)])
        comps = check_flow_steps([comp_name for comp_name, _ in steps])
        resolved = [(comp.name, self._resolve_credential(t, scope, comp.name, cred_name, i))
                    for i, (comp, (_, cred_name)) in enumerate(zip(comps, steps, strict=True),
                                                              start=1)]
        flow = Flow(workspace_id=ident(scope.workspace), name=name, name_key=name_key(name),
                    type="realtime" if realtime else "ordinary", created_at=t.now,
                    created_by_id=t.actor_id)
        t.s.add(flow)
        t.s.flush()
        for i, (comp_name, cred_id) in enumerate(resolved, start=1):
            t.s.add(FlowStep(flow_id=ident(flow), position=i, component=comp_name,
                             credential_id=cred_id, settings={}))
        t.s.flush()
        flowdefs.first(t, flow, flowdefs.current_steps(t.s, ident(flow)), "created")
        t.event("flow.created", flow=flow, path=f"{scope.path}/{name}",
                detail={"type": flow.type, "steps": [c for c, _ in resolved], "revision": 1})
        return self._full_view(t, scope, flow)

    @writes
    def start_flow(self, t: Tx, path: str) -> FlowView:
        self._run(t, "start", [path])
        return self._full_view(t, *self._flow(t, path))

    @writes
    def stop_flow(self, t: Tx, path: str) -> FlowView:
        """Stop a flow; the view's ``lost_messages`` is what the stop dropped."""
        self._run(t, "stop", [path])
        return self._full_view(t, *self._flow(t, path))

    @writes
    def restart_flow(self, t: Tx, path: str) -> FlowView:
        """Stop (dropping the queue) then start: a fresh work time. The view's
        ``lost_messages`` is what the restart dropped."""
        done = self._run(t, "restart", [path])
        return replace(self._full_view(t, *self._flow(t, path)), lost_messages=done.lost_messages)

    @writes
    def set_flow_type(self, t: Tx, path: str, flow_type: str) -> FlowView:
        scope, flow = self._editable(t, path, "flow.type")
        flow_type = (flow_type or "").strip().lower()
        if flow_type not in FLOW_TYPES:
            raise InvalidInput(f"a flow type is ordinary or realtime, not {flow_type!r}")
        if flow.type == flow_type:
            raise Conflict(f"flow {scope.path}/{flow.name} is already {flow_type}")
        old = flow.type
        number = flowdefs.commit(t, flow, flowdefs.current_steps(t.s, ident(flow)), flow_type,
                                 f"type {old} → {flow_type}")
        t.event("flow.changed", flow=flow, path=f"{scope.path}/{flow.name}",
                detail={"revision": number, "change": f"type {old} → {flow_type}",
                        "from": old, "to": flow_type})
        return self._full_view(t, scope, flow)

    @writes
    def set_step(self, t: Tx, path: str, position: int, key: str, value: str) -> FlowView:
        scope, flow = self._editable(t, path)
        step = t.s.scalars(select(FlowStep).where(col(FlowStep.flow_id) == flow.id,
                                                  col(FlowStep.position) == position)).first()
        if step is None:
            count = len(t.s.scalars(select(col(FlowStep.id)).where(col(FlowStep.flow_id) == flow.id)).all())
            raise NotFound(f"flow {scope.path}/{flow.name} has no step {position} "
                           f"(it has {count})")
        refuse("step.settings", self._scope_subject(t, scope, step=position,
                                                    component=step.component))
        key = check_text((key or "").strip(), "a step setting's name")
        check_text(value, f"step setting {key!r}",
                   multiline=step.component == "transform" and key == "expression")
        check_setting(component(step.component), key, value)
        if step.component == "http" and key == "method":
            value = value.upper()
        steps = flowdefs.current_steps(t.s, ident(flow))
        steps[position - 1]["settings"][key] = value
        shown = json.dumps(public(value), ensure_ascii=False)
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        self._edited(t, scope, flow, steps, f"step {position} ({step.component}): {key} = {shown}",
                     {"step": position, "component": step.component, "setting": key})
        return self._full_view(t, scope, flow)

    def _edited(self, t: Tx, scope: WsScope, flow: Flow, steps: Steps, change: str,
                extra: dict[str, Any] | None = None) -> int | None:
        """One edit as the flow's next revision, with its ``flow.changed`` event; an edit
        that changes nothing makes no revision (None)."""
        current = flowdefs.current_steps(t.s, ident(flow))
        if flowdefs.same(flow, steps, flow.type, current):
            return None
        number = flowdefs.commit(t, flow, steps, flow.type, change, current)
        t.event("flow.changed", flow=flow, path=f"{scope.path}/{flow.name}",
                detail={"revision": number, "change": change, **(extra or {})})
        return number

    @writes
    def set_step_credential(self, t: Tx, path: str, position: int,
                            credential: str | None) -> FlowView:
        scope, flow = self._editable(t, path)
        step = t.s.scalars(select(FlowStep).where(col(FlowStep.flow_id) == flow.id,
                                                  col(FlowStep.position) == position)).first()
        if step is None:
            raise NotFound(f"flow {scope.path}/{flow.name} has no step {position}")
        if credential is not None:
            refuse("step.credential", self._scope_subject(t, scope, step=position,
                                                          component=step.component))
        cred_id = self._resolve_credential(t, scope, step.component, credential, position)
        steps = flowdefs.current_steps(t.s, ident(flow))
        before = steps[position - 1]["credential"]
        steps[position - 1].update(credential_id=cred_id,
                                   credential=self._credential_name(t, cred_id))
        now = steps[position - 1]["credential"]
        self._edited(t, scope, flow, steps,
                     f"step {position} ({step.component}): credential "
                     f"{before or 'none'} → {now or 'none'}",
                     {"step": position, "component": step.component, "credential": now})
        return self._full_view(t, scope, flow)

    @staticmethod
    def _credential_name(t: Tx, cred_id: int | None) -> str | None:
        return None if cred_id is None else t.s.scalar(
            select(col(Credential.name)).where(col(Credential.id) == cred_id))

    @writes
    def copy_flow(self, t: Tx, path: str, target: str, mapping: dict[str, str] | None = None,
                  *, new_name: str | None = None) -> FlowView:
        """Copy a flow into another workspace of its contract as an inactive flow."""
        src_scope, flow = self._flow(t, path)
        dst = self._other_workspace(t, src_scope, path, target, "flow.copy", "copied")
        name = check_name(new_name or flow.name, "flow name")
        if t.s.scalars(select(Flow).where(col(Flow.workspace_id) == dst.workspace.id,
                                          col(Flow.name_key) == name_key(name))).first():
            raise Conflict(f"{dst.path} already has a flow named {name!r}")
        steps, mapped = self._map_credentials(t, path, flowdefs.current_steps(t.s, ident(flow)),
                                              dst, mapping)
        copy = self._new_copy(t, dst, name, flow.type, steps,
                              f"copied from {src_scope.path}/{flow.name} revision {flow.revision}")
        t.event("flow.copied", flow=copy, path=f"{dst.path}/{name}",
                detail={"from": f"{src_scope.path}/{flow.name}", "credentials": mapped})
        return self._full_view(t, dst, copy)

    def _other_workspace(self, t: Tx, src: WsScope, path: str, target: str, action: str,
                         verb: str) -> WsScope:
        """The workspace a flow goes to: another of its contract, where the caller may do
        ``action`` (copy, promote) in both."""
        # the source's role (its contract's suspension is the target's: flows stay within it)
        refuse(action, replace(self._scope_subject(t, src), suspended=False))
        dst = self._workspace(t, target)
        if dst.contract.id != src.contract.id:
            raise InvalidInput(f"a flow can only be {verb} within its own contract")
        if dst.workspace.id == src.workspace.id:
            raise InvalidInput(f"{path} is already in {dst.path}; name another workspace")
        refuse(action, self._scope_subject(t, dst))
        return dst

    def _map_credentials(self, t: Tx, path: str, steps: Steps, dst: WsScope,
                         mapping: dict[str, str] | None) -> tuple[Steps, dict[str, str]]:
        """The steps with each credential replaced by its match in ``dst`` (by name, or as
        ``mapping`` says); refused, naming the step, where there is none. A credential
        never crosses a workspace: only the target's own ids come back."""
        mapping = {name_key(k): v for k, v in (mapping or {}).items()}
        used = {name_key(x["credential"]) for x in steps if x["credential"]}
        unknown = [k for k in mapping if k not in used]
        if unknown:
            raise InvalidInput(f"--credential {unknown[0]!r}: no step of {path} uses a credential "
                               "by that name")
        targets = {name_key(c.name): c for c in t.s.scalars(select(Credential).where(
            col(Credential.workspace_id) == dst.workspace.id)).all()}
        out, mapped = [], {}
        for pos, x in enumerate(steps, start=1):
            if x["credential_id"] is None or not x["credential"]:
                out.append(flowdefs.step(x["component"], None, None, x["settings"]))
                continue
            cred: str = x["credential"]
            comp = x["component"]
            wanted = mapping.get(name_key(cred), cred)
            match = targets.get(name_key(wanted))
            if match is None or match.component != comp:
                how = "mapped to" if name_key(cred) in mapping else "matched by name to"
                raise InvalidInput(
                    f"step {pos} ({comp}) uses credential {cred!r}, {how} {wanted!r}, but "
                    f"{dst.path} has no {comp} credential named {wanted!r}; map one with "
                    f"--credential '{cred}=NAME'")
            mapped[cred] = match.name
            out.append(flowdefs.step(comp, match.id, match.name, x["settings"]))
        return out, mapped

    def _new_copy(self, t: Tx, dst: WsScope, name: str, flow_type: str, steps: Steps,
                  change: str) -> Flow:
        """A new inactive flow in ``dst`` with ``steps`` (already mapped), at revision 1."""
        copy = Flow(workspace_id=ident(dst.workspace), name=name, name_key=name_key(name),
                    type=flow_type, created_at=t.now, created_by_id=t.actor_id)
        t.s.add(copy)
        t.s.flush()
        for pos, x in enumerate(steps, start=1):
            t.s.add(FlowStep(flow_id=ident(copy), position=pos, component=x["component"],
                             credential_id=x["credential_id"], settings=dict(x["settings"])))
        t.s.flush()
        flowdefs.first(t, copy, steps, change)
        return copy

    @writes
    def rotate_webhook(self, t: Tx, path: str) -> FlowView:
        """A new webhook token for the flow; the old one stops answering at once."""
        scope, flow = self._editable(t, path)
        trigger = t.s.scalar(select(col(FlowStep.component)).where(col(FlowStep.flow_id) == flow.id,
                                                              col(FlowStep.position) == 1))
        if trigger != "webhook":
            raise InvalidInput(f"flow {scope.path}/{flow.name} is not triggered by a webhook")
        flow.webhook_token = webhook_token()
        t.s.add(flow)
        t.s.flush()
        t.event("flow.webhook_rotated", flow=flow, path=f"{scope.path}/{flow.name}", detail={})
        return self._full_view(t, scope, flow)
