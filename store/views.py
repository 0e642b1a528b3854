"""What the services hand out: plain, immutable views with a JSON shape.

The keys of ``to_json`` are the contract of the command line's ``--json``
(DESIGN section 4); the TUI reads the same views. Each view also carries
what the caller may do with it (``allowed``, and ``refused`` with the
store's reason for the rest: see ``store/actions.py``); that stays out of
the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from .actions import NO_OFFER, Offer
from .clock import iso

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from .models import (
        ContractRole,
        ContractStatus,
        FlowStatus,
        FlowType,
        RequestStatus,
        StepKind,
        StopReason,
        WorkspaceKind,
        WorkspaceRole,
    )


def _json(obj: Any) -> Any:
    if isinstance(obj, View):
        return obj.to_json()
    if isinstance(obj, datetime):
        return iso(obj)
    if isinstance(obj, dict):
        return {k: _json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json(v) for v in obj]
    return obj


class View:
    offer: Offer

    def to_json(self) -> dict[str, Any]:
        return {f.name: _json(getattr(self, f.name))
                for f in fields(cast("DataclassInstance", self)) if f.name != "offer"}

    @property
    def allowed(self) -> frozenset[str]:
        """The ids of the actions the caller may take on this (``store/actions.py``)."""
        return self.offer.allowed

    @property
    def refused(self) -> Mapping[str, str]:
        """For each action not allowed, the store's reason (the refusal's line)."""
        return self.offer.refused

    def may(self, action: str) -> bool:
        return action in self.offer.allowed

    def why(self, action: str) -> str | None:
        return self.offer.why(action)


@dataclass(frozen=True)
class UserView(View):
    id: int
    email: str
    name: str
    support: bool
    offer: Offer = field(default=NO_OFFER, compare=False, repr=False)


@dataclass(frozen=True)
class ContractView(View):
    id: int
    name: str
    status: ContractStatus
    role: ContractRole | None
    created_at: datetime
    workspaces: int = 0
    offer: Offer = field(default=NO_OFFER, compare=False, repr=False)

    @property
    def path(self) -> str:
        return self.name


@dataclass(frozen=True)
class WorkspaceView(View):
    id: int
    path: str
    name: str
    contract: str
    contract_id: int
    kind: WorkspaceKind
    role: WorkspaceRole | None
    contract_role: ContractRole | None
    created_at: datetime
    created_by: str | None
    flows: int = 0
    active_flows: int = 0
    credentials: int = 0
    contract_status: ContractStatus = "active"
    offer: Offer = field(default=NO_OFFER, compare=False, repr=False)


@dataclass(frozen=True)
class MemberView(View):
    email: str
    name: str
    role: str
    support: bool = False
    offer: Offer = field(default=NO_OFFER, compare=False, repr=False)


@dataclass(frozen=True)
class StepView(View):
    position: int
    component: str
    credential: str | None
    settings: dict[str, Any]
    queued: int
    kind: StepKind = "action"
    offer: Offer = field(default=NO_OFFER, compare=False, repr=False)


@dataclass(frozen=True)
class FlowView(View):
    id: int
    path: str
    name: str
    contract: str
    workspace: str
    workspace_id: int
    workspace_kind: WorkspaceKind
    status: FlowStatus
    type: FlowType
    started_at: datetime | None
    deadline: datetime | None
    remaining_seconds: int | None
    stopped_at: datetime | None
    stop_reason: StopReason | None
    queued_messages: int
    lost_messages: int
    steps: list[StepView] = field(default_factory=list)
    role: str | None = None
    created_at: datetime | None = None
    revision: int = 1  # the current revision of its definition
    queued_on_older_revisions: int = 0  # messages still going through an earlier definition
    webhook_path: str | None = None  # /hooks/<token>, for those who may see secrets
    offer: Offer = field(default=NO_OFFER, compare=False, repr=False)


@dataclass(frozen=True)
class RevisionView(View):
    """One revision of a flow's definition (``flow history``)."""

    revision: int
    at: datetime
    by: str  # an email, or system
    change: str
    type: str
    steps: list[dict[str, Any]] = field(default_factory=list)  # component, credential, settings


@dataclass(frozen=True)
class PromotionView(View):
    """A promotion, planned (``dry_run``) or done: what changes in the target flow."""

    source: str
    source_revision: int
    target: str
    target_revision: int | None  # the revision it got (dry run: None)
    created: bool  # the target flow did not exist: made inactive, as a copy
    dry_run: bool
    differences: list[Any] = field(default_factory=list)  # flowdiff.Difference rows


@dataclass(frozen=True)
class CredentialView(View):
    id: int
    path: str
    name: str
    component: str
    fields: list[str]
    masked: dict[str, str]
    updated_at: datetime
    updated_by: str | None
    used_by: list[str] = field(default_factory=list)
    offer: Offer = field(default=NO_OFFER, compare=False, repr=False)


@dataclass(frozen=True)
class EventView(View):
    id: int
    at: datetime
    actor: str
    kind: str
    path: str
    detail: dict[str, Any]
    category: str = "audit"


@dataclass(frozen=True)
class ExecutionView(View):
    """One run of one step on one message, from the flow log."""

    id: int
    at: datetime
    message: int | None
    step: int | None
    component: str | None
    outcome: str  # succeeded, retrying, parked, flow_stopped
    status: int | None = None  # an http step's response status
    ms: int | None = None
    attempt: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class FailedMessageView(View):
    """A message parked after its retries ran out; the operator retries or discards it."""

    id: int
    step: int
    component: str | None
    attempts: int
    error: str | None
    enqueued_at: datetime
    payload: Any = None


@dataclass(frozen=True)
class SupportRequestView(View):
    id: int
    path: str
    workspace_kind: WorkspaceKind
    reason: str
    status: RequestStatus
    requested_by: str | None
    created_at: datetime
    handled_by: str | None
    handled_at: datetime | None
    decision: str | None
    offer: Offer = field(default=NO_OFFER, compare=False, repr=False)


@dataclass(frozen=True)
class SweepResult(View):
    stopped: int
    lost_messages: int
    pruned_events: int
    flows: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FlowRunResult(View):
    """What one start, stop or restart did (or would do) to one flow."""

    id: int
    path: str
    workspace_kind: WorkspaceKind
    outcome: str  # started, stopped or restarted
    before: FlowStatus
    status: FlowStatus  # its status after
    deadline: datetime | None
    remaining_seconds: int | None
    lost_messages: int  # queued messages dropped


@dataclass(frozen=True)
class FlowRunView(View):
    """A start, stop or restart of several flows as one change: each flow, and the totals."""

    action: str  # start, stop or restart
    flows: list[FlowRunResult]
    changed: int
    lost_messages: int
    done: bool = True  # False: a plan; nothing has changed


@dataclass(frozen=True)
class DeletionPlan(View):
    """What a deletion would remove: the confirmation names it."""

    path: str
    kind: str
    flows: int
    active_flows: int
    credentials: int
    queued_messages: int
    log_entries: int

    def describe(self) -> str:
        parts = [
            f"{self.flows} flow{'s' if self.flows != 1 else ''}"
            + (f" ({self.active_flows} active)" if self.active_flows else ""),
            f"{self.credentials} credential{'s' if self.credentials != 1 else ''}",
            f"{self.queued_messages} queued message{'s' if self.queued_messages != 1 else ''}",
            f"{self.log_entries} flow-log entr{'ies' if self.log_entries != 1 else 'y'}",
        ]
        return ", ".join(parts)
