"""What a caller may do with what the store shows, and why not: decided in one place.

Every action a screen or the command line offers has one entry in ``RULES``:
the permission it needs (``store/permissions.py``), whether it changes
anything (a read-only session refuses it), whether a suspended contract
refuses it, and, where the state of the thing matters, a check of that
state. ``refusal(action, subject)`` answers with the error a service
raises, or None. The services raise it (``refuse``) before they change
anything; the views they hand out carry the same answers (``offer``):
``view.allowed`` (a frozenset of action ids) and ``view.refused`` (action
id -> the refusal's line, in the store's words). So the keys a screen
offers and the refusals a service gives cannot drift apart.

A subject that does not carry a state (a workspace, for the flows in it)
is judged on the role, the session and the contract only: the workspace
screen offers Start on its list whatever the highlighted flow's state,
and the flow's own view says whether this flow can start now.

Adding an action (a new key on a screen, a new command):

1. one entry in ``RULES`` (``"flow.revise": Rule(EDIT_FLOWS)``) and its id
   in the tuple of the view it belongs to (``FLOW_ACTIONS``); the service
   that does it starts with ``refuse("flow.revise", subject)``;
2. one method on the screen (``action_revise``) with its ``Binding`` and
   its line in the screen's ``gate`` (which view's ``allowed`` decides,
   and which row it needs). The footer, ``?`` and the notification of an
   unavailable key follow from the store's answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from .components import COMPONENTS
from .errors import Conflict, FlowdeckError, InvalidInput, PermissionDenied
from .permissions import (
    ADD_USERS,
    CONVERT_WORKSPACE,
    COPY_FLOWS,
    CREATE_WORKSPACE,
    DELETE_OWN_WORKSPACE,
    DELETE_WORKSPACE,
    EDIT_CREDENTIALS,
    EDIT_FLOWS,
    HANDLE_FAILED,
    HANDLE_REQUESTS,
    MANAGE_CONTRACT_MEMBERS,
    MANAGE_WORKSPACE_MEMBERS,
    PROMOTE_FLOWS,
    RENAME_CONTRACT,
    RENAME_WORKSPACE,
    REQUEST_CONVERSION,
    REVEAL_CREDENTIALS,
    ROLLBACK_FLOWS,
    RUN_FLOWS,
    SEND_MESSAGES,
    SUSPEND_CONTRACT,
    SWITCH_FLOW_TYPE,
    Permission,
    denial,
    may,
    readonly_denial,
    support_denial,
)


@dataclass(frozen=True)
class Subject:
    """A thing as one caller sees it: who they are there, and its state where that matters."""

    where: str = ""  # the contract or workspace path a refusal names
    path: str = ""  # the thing's own path (a flow's, a request's workspace)
    readonly: bool = False
    support: bool = False
    contract: str = ""
    suspended: bool = False
    contract_role: str | None = None
    role: str | None = None  # the caller's workspace role
    # -- state, where known (None: not judged) --
    flow_status: str | None = None
    stop_reason: str | None = None
    workspace_kind: str | None = None
    open_request: bool | None = None
    request_id: int | None = None
    request_status: str | None = None
    step: int | None = None
    component: str | None = None


# -- the refusals of a thing's state (the services raise the same) --------------------------

def suspended_error(contract: str) -> Conflict:
    return Conflict(f"contract {contract} is suspended: nothing in it can change until "
                    "support resumes it")


def already_active(path: str) -> Conflict:
    return Conflict(f"flow {path} is already active; starting it again would not move its "
                    "deadline (restart it to begin a fresh work time)")


def not_active(path: str, status: str, stop_reason: str | None) -> Conflict:
    why = f" ({stop_reason.replace('_', ' ')})" if stop_reason else ""
    return Conflict(f"flow {path} is not active; it is {status}{why}")


def _start_state(s: Subject) -> FlowdeckError | None:
    return already_active(s.path) if s.flow_status == "active" else None


def _stop_state(s: Subject) -> FlowdeckError | None:
    if s.flow_status is None or s.flow_status == "active":
        return None
    return not_active(s.path, s.flow_status, s.stop_reason)


def _send_state(s: Subject) -> FlowdeckError | None:
    if s.flow_status is None or s.flow_status == "active":
        return None
    return Conflict(f"flow {s.path} is {s.flow_status}; messages go only into an active flow")


def _type_state(s: Subject) -> FlowdeckError | None:
    if s.flow_status != "active":
        return None
    return Conflict(f"flow {s.path} is active; stop it before switching its type")


def _request_full_state(s: Subject) -> FlowdeckError | None:
    if s.workspace_kind == "full":
        return Conflict(f"{s.where} is already Full")
    if s.open_request:
        return Conflict(f"{s.where} already has an open support request")
    return None


def _decide_state(s: Subject) -> FlowdeckError | None:
    if s.request_status is None or s.request_status == "open":
        return None
    return Conflict(f"support request {s.request_id} is already {s.request_status}")


def _settings_state(s: Subject) -> FlowdeckError | None:
    comp = COMPONENTS.get(s.component or "")
    if comp is None or comp.settings:
        return None
    return InvalidInput(f"step {s.step} ({comp.name}) has no settings to change")


def _credential_state(s: Subject) -> FlowdeckError | None:
    comp = COMPONENTS.get(s.component or "")
    if comp is None or comp.takes_credential:
        return None
    return InvalidInput(f"step {s.step} ({comp.name}) takes no credential")


def _delete_workspace(s: Subject) -> PermissionDenied | None:
    if may(DELETE_WORKSPACE, s.contract_role) or may(DELETE_OWN_WORKSPACE, s.role):
        return None
    return PermissionDenied(
        f"to delete {s.where} you need the owner or admin role in contract "
        f"{s.contract} or the owner role in the workspace "
        f"(you are {s.contract_role or 'not a member'} in the contract and "
        f"{s.role or 'not a member'} in the workspace)")


# -- the rules -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    #: None: any registered caller who sees the thing
    permission: Permission | None
    #: refused in a read-only session
    changes: bool = True
    #: refused while the thing's contract is suspended
    suspendable: bool = True
    #: what the thing's state forbids (judged only when the subject carries that state)
    state: Callable[[Subject], FlowdeckError | None] | None = None
    #: a permission check of its own, instead of ``permission``'s
    deny: Callable[[Subject], PermissionDenied | None] | None = None


RULES: dict[str, Rule] = {
    # the caller as such
    "contract.create": Rule(None, suspendable=False),
    "support.requests": Rule(HANDLE_REQUESTS, changes=False, suspendable=False),
    "support.users": Rule(ADD_USERS, suspendable=False),
    # a contract
    "contract.rename": Rule(RENAME_CONTRACT),
    "contract.members": Rule(MANAGE_CONTRACT_MEMBERS),
    "contract.suspend": Rule(SUSPEND_CONTRACT, suspendable=False),  # suspend or resume
    "workspace.create": Rule(CREATE_WORKSPACE),
    # a workspace
    "workspace.rename": Rule(RENAME_WORKSPACE),
    "workspace.members": Rule(MANAGE_WORKSPACE_MEMBERS),
    "workspace.delete": Rule(DELETE_WORKSPACE, deny=_delete_workspace),
    "workspace.convert": Rule(CONVERT_WORKSPACE),
    "workspace.request_full": Rule(REQUEST_CONVERSION, state=_request_full_state),
    "credential.create": Rule(EDIT_CREDENTIALS),
    "credential.edit": Rule(EDIT_CREDENTIALS),  # change its secrets, delete it
    "credential.reveal": Rule(REVEAL_CREDENTIALS, suspendable=False),
    "flow.create": Rule(EDIT_FLOWS),
    # a flow
    "flow.edit": Rule(EDIT_FLOWS),
    "flow.start": Rule(RUN_FLOWS, state=_start_state),
    "flow.stop": Rule(RUN_FLOWS, state=_stop_state),
    "flow.restart": Rule(RUN_FLOWS),  # a flow at rest just starts
    "flow.send": Rule(SEND_MESSAGES, state=_send_state),
    "flow.type": Rule(SWITCH_FLOW_TYPE, state=_type_state),
    "flow.copy": Rule(COPY_FLOWS),
    "flow.promote": Rule(PROMOTE_FLOWS),  # in both workspaces (DESIGN 2b)
    "flow.rollback": Rule(ROLLBACK_FLOWS),
    "failed.handle": Rule(HANDLE_FAILED),  # retry or discard failed messages
    # a step of a flow
    "step.settings": Rule(EDIT_FLOWS, state=_settings_state),
    "step.credential": Rule(EDIT_FLOWS, state=_credential_state),
    # a support request
    "request.decide": Rule(HANDLE_REQUESTS, state=_decide_state),  # approve or decline
}

#: the actions each kind of view answers for
USER_ACTIONS = ("contract.create", "support.requests", "support.users")
CONTRACT_ACTIONS = ("contract.rename", "contract.members", "contract.suspend", "workspace.create")
FLOW_ACTIONS = ("flow.edit", "flow.start", "flow.stop", "flow.restart", "flow.send", "flow.type",
                "flow.copy", "flow.promote", "flow.rollback", "failed.handle")
WORKSPACE_ACTIONS = ("workspace.rename", "workspace.members", "workspace.delete",
                     "workspace.convert", "workspace.request_full", "credential.create",
                     "credential.edit", "credential.reveal", "flow.create", *FLOW_ACTIONS)
CREDENTIAL_ACTIONS = ("credential.edit", "credential.reveal")
STEP_ACTIONS = ("step.settings", "step.credential")
REQUEST_ACTIONS = ("request.decide",)


def _permission(rule: Rule, s: Subject) -> PermissionDenied | None:
    if rule.deny is not None:
        return rule.deny(s)
    p = rule.permission
    if p is None:
        return None
    if p.scope == "support":
        return support_denial(p, s.support)
    return denial(p, s.contract_role if p.scope == "contract" else s.role, s.where)


@lru_cache(maxsize=4096)
def _standing(action: str, where: str, readonly: bool, support: bool, contract: str,
              suspended: bool, contract_role: str | None, role: str | None
              ) -> FlowdeckError | None:
    """The session's, the role's and the contract's answer (the same for every flow of a
    workspace: a page of a long list works it out once)."""
    rule = RULES[action]
    s = Subject(where=where, readonly=readonly, support=support, contract=contract,
                suspended=suspended, contract_role=contract_role, role=role)
    return ((readonly_denial(readonly) if rule.changes else None)
            or _permission(rule, s)
            or (suspended_error(contract) if rule.suspendable and suspended else None))


def refusal(action: str, s: Subject) -> FlowdeckError | None:
    """Why the caller may not do ``action`` to ``s`` now (None: they may).

    In the order the services find it: the session, the role, the contract, the state.
    """
    state = RULES[action].state
    return (_standing(action, s.where, s.readonly, s.support, s.contract, s.suspended,
                      s.contract_role, s.role)
            or (state(s) if state is not None else None))


def refuse(action: str, s: Subject) -> None:
    """Raise the refusal of ``action``, if there is one (services call this first)."""
    if (refused := refusal(action, s)) is not None:
        raise type(refused)(refused.message)  # a fresh one: the answers are shared


@dataclass(frozen=True)
class Offer:
    """What the caller may do with one thing: ``allowed`` ids, and why not for the rest."""

    allowed: frozenset[str] = frozenset()
    refused: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    errors: Mapping[str, FlowdeckError] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False)

    def may(self, action: str) -> bool:
        return action in self.allowed

    def why(self, action: str) -> str | None:
        """The refusal's line for an action not allowed (None if it is allowed)."""
        if action in self.allowed:
            return None
        return self.refused.get(action, f"error: {action} is not something to do here")

    def check(self, action: str) -> None:
        """Raise the store's refusal of ``action``, as the service would."""
        if action in self.errors:
            refused = self.errors[action]
            raise type(refused)(refused.message)
        if action not in self.allowed:
            raise InvalidInput(f"{action} is not something to do here")


NO_OFFER = Offer()


def offer(s: Subject, actions: Iterable[str]) -> Offer:
    allowed, errors = [], {}
    for action in actions:
        if (refused := refusal(action, s)) is None:
            allowed.append(action)
        else:
            errors[action] = refused
    return Offer(frozenset(allowed), MappingProxyType({a: e.line() for a, e in errors.items()}),
                 MappingProxyType(errors))
