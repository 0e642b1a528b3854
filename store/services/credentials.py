"""Credentials: secrets a workspace's flow steps use, encrypted at rest."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from ..actions import CREDENTIAL_ACTIONS, offer, refuse
from ..components import check_credential_fields, component
from ..errors import ConfirmationRequired, Conflict, InvalidInput, NotFound, RuleViolation
from ..models import Credential, Flow, FlowStep
from ..names import check_name, name_key, split_path
from ..rows import ident
from ..secrets import MASK
from ..views import CredentialView
from .base import ServiceBase, Tx, WsScope, reads, writes


def parse_secret_pairs(pairs: list[str]) -> dict[str, str]:
    """['token=abc', ...] -> {'token': 'abc'}; the value is never echoed back."""
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep:  # the whole text may be the secret itself: never echo it
            raise InvalidInput("a secret is KEY=VALUE; one --secret has no '=' (its text is not shown)")
        if not key:
            raise InvalidInput("a secret is KEY=VALUE; one --secret has no KEY before '='")
        if key in fields:
            raise InvalidInput(f"secret field {key!r} is given twice")
        fields[key] = value
    if not fields:
        raise InvalidInput("a credential needs at least one --secret KEY=VALUE")
    return fields


class CredentialService(ServiceBase):
    def _credential(self, t: Tx, path: str) -> tuple[WsScope, Credential]:
        c, w, n = split_path(path, 3, "credential")
        scope = self._workspace(t, f"{c}/{w}")
        cred = t.s.scalars(select(Credential).where(
            col(Credential.workspace_id) == scope.workspace.id,
            col(Credential.name_key) == name_key(n))).first()
        if cred is None:
            raise NotFound(f"no credential {path!r}")
        return scope, cred

    def _users_of(self, t: Tx, cred_ids: list[int]) -> dict[int, list[str]]:
        used: dict[int, list[str]] = {}
        if cred_ids:
            rows = t.s.execute(
                select(col(FlowStep.credential_id), col(Flow.name))
                .join(Flow, col(Flow.id) == col(FlowStep.flow_id))
                .where(col(FlowStep.credential_id).in_(cred_ids)).order_by(col(Flow.name_key))).all()
            for cid, fname in rows:
                if fname not in used.setdefault(cid, []):
                    used[cid].append(fname)
        return used

    def _views(self, t: Tx, scope: WsScope, creds: list[Credential]) -> list[CredentialView]:
        used = self._users_of(t, [ident(c) for c in creds])
        ids = {c.updated_by_id for c in creds if c.updated_by_id}
        emails = self._emails(t, ids)
        allowed = offer(self._scope_subject(t, scope), CREDENTIAL_ACTIONS)
        return [
            CredentialView(
                id=ident(c), path=f"{scope.path}/{c.name}", name=c.name, component=c.component,
                fields=sorted(c.fields), masked={f: MASK for f in sorted(c.fields)},
                updated_at=c.updated_at, updated_by=emails.get(c.updated_by_id),
                used_by=used.get(ident(c), []), offer=allowed,
            )
            for c in creds
        ]

    @writes
    def add_credential(self, t: Tx, path: str, component_name: str,
                       secrets: dict[str, str]) -> CredentialView:
        c, w, n = split_path(path, 3, "credential")
        scope = self._workspace(t, f"{c}/{w}")
        refuse("credential.create", self._scope_subject(t, scope))
        name = check_name(n, "credential name")
        comp = component(component_name)
        check_credential_fields(comp, secrets)
        clash = t.s.scalars(select(Credential).where(
            col(Credential.workspace_id) == scope.workspace.id,
            col(Credential.name_key) == name_key(name))).first()
        if clash is not None:
            raise Conflict(f"{scope.path} already has a credential named {clash.name!r}")
        cred = Credential(
            workspace_id=ident(scope.workspace), name=name, name_key=name_key(name),
            component=comp.name, fields=sorted(secrets),
            secret=self.store.sealing_box(t.s).seal(secrets), updated_at=t.now,
            updated_by_id=t.actor_id)
        t.s.add(cred)
        t.s.flush()
        t.event("credential.created", workspace=scope.workspace, path=f"{scope.path}/{name}",
                detail={"component": comp.name, "fields": sorted(secrets)})
        return self._views(t, scope, [cred])[0]

    @writes
    def update_credential(self, t: Tx, path: str, secrets: dict[str, str], *,
                          replace: bool = False) -> CredentialView:
        """Change secret fields (merged into the old ones unless ``replace``)."""
        scope, cred = self._credential(t, path)
        refuse("credential.edit", self._scope_subject(t, scope))
        box = self.store.sealing_box(t.s)
        merged = dict(secrets) if replace else {**box.open(cred.secret, f"credential {path}"),
                                                **secrets}
        check_credential_fields(component(cred.component), merged)
        cred.secret, cred.fields = box.seal(merged), sorted(merged)
        cred.updated_at, cred.updated_by_id = t.now, t.actor_id
        t.s.add(cred)
        t.event("credential.updated", workspace=scope.workspace,
                path=f"{scope.path}/{cred.name}", detail={"fields": sorted(secrets)})
        return self._views(t, scope, [cred])[0]

    @reads
    def list_credentials(self, t: Tx, ws_path: str) -> list[CredentialView]:
        scope = self._workspace(t, ws_path)
        creds = t.s.scalars(select(Credential).where(
            col(Credential.workspace_id) == scope.workspace.id).order_by(col(Credential.name_key))).all()
        return self._views(t, scope, list(creds))

    @reads
    def get_credential(self, t: Tx, path: str) -> CredentialView:
        scope, cred = self._credential(t, path)
        return self._views(t, scope, [cred])[0]

    @writes
    def reveal_credential(self, t: Tx, path: str) -> dict[str, str]:
        """The secret fields in clear, for owners, admins and integrators; recorded."""
        scope, cred = self._credential(t, path)
        refuse("credential.reveal", self._scope_subject(t, scope))
        fields = self.store.secret_box().open(cred.secret, f"credential {path}")
        t.event("credential.revealed", workspace=scope.workspace,
                path=f"{scope.path}/{cred.name}", detail={"fields": sorted(fields)})
        return fields

    @writes
    def delete_credential(self, t: Tx, path: str, *, yes: bool = False) -> CredentialView:
        scope, cred = self._credential(t, path)
        refuse("credential.edit", self._scope_subject(t, scope))
        view = self._views(t, scope, [cred])[0]
        active = t.s.scalars(
            select(col(Flow.name)).join(FlowStep, col(FlowStep.flow_id) == col(Flow.id))
            .where(col(FlowStep.credential_id) == cred.id, col(Flow.status) == "active").distinct()).all()
        active = sorted(set(active) | set(_older_revision_users(t, ident(scope.workspace), ident(cred))))
        if active:
            raise RuleViolation(
                f"credential {view.path} is used by active flow"
                f"{'s' if len(active) > 1 else ''} {', '.join(sorted(active))}; stop "
                f"{'them' if len(active) > 1 else 'it'} first")
        if not yes:
            users = f"; flows that use it ({', '.join(view.used_by)}) lose it" if view.used_by \
                else ""
            raise ConfirmationRequired(f"deleting credential {view.path}{users}; confirm to go on",
                                       view, cred.name)
        t.s.delete(cred)
        t.event("credential.deleted", workspace=scope.workspace, path=view.path,
                detail={"component": cred.component, "used_by": view.used_by})
        return view


def _older_revision_users(t: Tx, workspace_id: int, cred_id: int) -> list[str]:
    """Active flows of the workspace with messages still queued on an earlier revision that
    uses the credential: deleting it would take it from under them."""
    from ..models import FlowRevision, Message

    pairs = (select(col(Message.flow_id), col(Message.revision)).join(Flow,
                                                                      col(Flow.id) == col(Message.flow_id))
             .where(col(Flow.workspace_id) == workspace_id, col(Flow.status) == "active",
                    col(Message.revision) != col(Flow.revision)).distinct().subquery())
    rows = t.s.execute(
        select(col(Flow.name), col(FlowRevision.steps)).join(Flow, col(Flow.id) == col(FlowRevision.flow_id))
        .join(pairs, (col(FlowRevision.flow_id) == pairs.c.flow_id)
              & (col(FlowRevision.number) == pairs.c.revision))).all()
    return [name for name, steps in rows
            if any(x.get("credential_id") == cred_id for x in steps or [])]
