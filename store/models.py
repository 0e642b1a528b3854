"""The tables. Plain data: every rule about them lives in the services.

Times are aware UTC datetimes, truncated to the second (see ``store.clock``),
stored without an offset.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlmodel import Field, SQLModel, col

from .clock import utc
from .policy import CHANGE_MAX, NAME_KEY_MAX, NAME_MAX, USER_NAME_MAX


class UTCTime(TypeDecorator[datetime]):
    """A UTC instant stored as a plain timestamp, read back as an aware datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else utc(value)


def When(nullable: bool = False) -> Any:  # noqa: N802 - reads like a type in the tables
    return Field(default=None, sa_type=UTCTime, nullable=nullable)

# The store's words for roles, kinds and statuses: each a ``Literal`` type (the views are typed
# with them) and the tuple of its values (what input is checked against), written once.
ContractRole = Literal["owner", "admin", "member"]
WorkspaceRole = Literal["owner", "admin", "integrator", "guest"]
WorkspaceKind = Literal["limited", "full"]
FlowType = Literal["ordinary", "realtime"]
FlowStatus = Literal["inactive", "active", "stopped"]
StopReason = Literal["manual", "work_time_limit", "contract_suspended", "step_failed"]
ContractStatus = Literal["active", "suspended"]
RequestStatus = Literal["open", "approved", "declined"]
StepKind = Literal["trigger", "action"]

CONTRACT_ROLES: tuple[ContractRole, ...] = get_args(ContractRole)
WORKSPACE_ROLES: tuple[WorkspaceRole, ...] = get_args(WorkspaceRole)
WORKSPACE_KINDS: tuple[WorkspaceKind, ...] = get_args(WorkspaceKind)
FLOW_TYPES: tuple[FlowType, ...] = get_args(FlowType)
FLOW_STATUSES: tuple[FlowStatus, ...] = get_args(FlowStatus)
STOP_REASONS: tuple[StopReason, ...] = get_args(StopReason)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=USER_NAME_MAX)
    support: bool = False
    created_at: datetime = When()


class Contract(SQLModel, table=True):
    __tablename__ = "contracts"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_KEY_MAX, unique=True)
    status: str = Field(default="active", max_length=16)
    created_at: datetime = When()


class ContractMember(SQLModel, table=True):
    __tablename__ = "contract_members"

    contract_id: int = Field(foreign_key="contracts.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True)
    role: str = Field(max_length=16)


class Workspace(SQLModel, table=True):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("contract_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contracts.id", ondelete="CASCADE")
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_KEY_MAX)
    kind: str = Field(default="limited", max_length=16)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = When()


class WorkspaceMember(SQLModel, table=True):
    __tablename__ = "workspace_members"

    workspace_id: int = Field(foreign_key="workspaces.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True)
    role: str = Field(max_length=16)


class Credential(SQLModel, table=True):
    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_KEY_MAX)
    component: str = Field(max_length=40)
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret: str  # Fernet token of the JSON object of secret fields
    updated_at: datetime = When()
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")


class Flow(SQLModel, table=True):
    __tablename__ = "flows"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name_key"),
        Index("ix_flows_status_deadline", "status", "deadline"),
        Index("ix_flows_webhook_token", "webhook_token", unique=True),
        # the time-left list counts the flows of the workspaces a caller sees from it alone
        Index("ix_flows_status_workspace_deadline", "status", "workspace_id", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_KEY_MAX)
    type: str = Field(default="ordinary", max_length=16)
    status: str = Field(default="inactive", max_length=16)
    started_at: datetime | None = When(nullable=True)
    deadline: datetime | None = When(nullable=True)
    stopped_at: datetime | None = When(nullable=True)
    stop_reason: str | None = Field(default=None, max_length=32)
    queued: int = 0  # messages waiting, across all steps
    lost_messages: int = 0  # dropped by the last stop
    revision: int = 1  # the current revision of its definition (``flow_revisions``)
    created_at: datetime = When()
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    #: ``POST /hooks/<token>`` feeds the flow (when its trigger is a webhook); see webhook_token().
    webhook_token: str | None = Field(default_factory=lambda: webhook_token(), max_length=64)


def webhook_token() -> str:
    """A new webhook token: 192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


class FlowStep(SQLModel, table=True):
    __tablename__ = "flow_steps"
    __table_args__ = (UniqueConstraint("flow_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    flow_id: int = Field(foreign_key="flows.id", ondelete="CASCADE")
    position: int  # counted from 1; step 1 is the trigger
    component: str = Field(max_length=40)
    credential_id: int | None = Field(
        default=None, foreign_key="credentials.id", ondelete="SET NULL", index=True
    )
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fired_at: datetime | None = When(nullable=True)  # a timer's last scheduled instant emitted


class FlowRevision(SQLModel, table=True):
    """One immutable revision of a flow's definition: its type and its ordered steps.

    ``steps`` is a list of ``{"component", "credential_id", "credential", "settings"}``
    (``credential`` is the credential's name when the revision was made, so a diff can
    name one that is gone since). ``flow_steps`` always equals the current revision.
    """

    __tablename__ = "flow_revisions"
    __table_args__ = (UniqueConstraint("flow_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    flow_id: int = Field(foreign_key="flows.id", ondelete="CASCADE")
    number: int  # 1, 2, 3... per flow; 1 is the creation
    at: datetime = When()
    by_id: int | None = Field(default=None, foreign_key="users.id")  # None: the system
    change: str = Field(max_length=CHANGE_MAX)
    type: str = Field(max_length=16)
    steps: list[dict[str, Any]] = Field(default_factory=list,
                                        sa_column=Column(JSON, nullable=False))


def _flow_revision_now(context: DefaultExecutionContext) -> int:
    """A message enters at its flow's current revision (for inserts that do not say)."""
    from sqlalchemy import select

    flow_id = context.get_current_parameters().get("flow_id")  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it unannotated
    found = context.connection.execute(
        select(col(Flow.revision)).where(col(Flow.id) == flow_id)).scalar()
    return found or 1


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_flow_step", "flow_id", "step", "id"),
        Index("ix_messages_claimable", "failed", "id"),
        {"sqlite_autoincrement": True},  # ids never reused (DESIGN 2d); migration 0004
    )

    id: int | None = Field(default=None, sa_column=Column(
        Integer, Identity(), primary_key=True))  # an identity column on PostgreSQL
    flow_id: int = Field(foreign_key="flows.id", ondelete="CASCADE")
    step: int  # the position of the step that takes it next, in its own revision
    revision: int = Field(  # the flow's revision when it entered step 1: the steps it runs
        default=None, sa_column=Column(Integer, nullable=False, default=_flow_revision_now))
    payload: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    enqueued_at: datetime = When()
    attempts: int = 0
    available_at: datetime | None = When(nullable=True)
    failed: bool = False  # parked after its retries ran out (full workspaces)
    error: str | None = Field(default=None, max_length=2000)
    claim: str | None = Field(default=None, max_length=36)  # the worker's claim on it, if any
    claimed_until: datetime | None = When(nullable=True)  # ... which lapses then


class Event(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_contract_at", "contract_id", "at", "id"),
        Index("ix_events_workspace_at", "workspace_id", "at", "id"),
        Index("ix_events_flow_at", "flow_id", "at", "id"),
        Index("ix_events_at", "at", "id"),
        Index("ix_events_category_at", "category", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = When()
    actor_id: int | None = Field(default=None, foreign_key="users.id")  # None: system
    kind: str = Field(max_length=64)
    category: str = Field(default="audit", max_length=8)  # audit (kept) or log (pruned)
    contract_id: int | None = Field(default=None, foreign_key="contracts.id", ondelete="SET NULL")
    workspace_id: int | None = Field(
        default=None, foreign_key="workspaces.id", ondelete="SET NULL"
    )
    flow_id: int | None = Field(default=None, foreign_key="flows.id", ondelete="SET NULL")
    path: str = Field(default="", max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class WebhookHit(SQLModel, table=True):
    """One accepted webhook request: the per-contract rate limit counts these."""

    __tablename__ = "webhook_hits"
    __table_args__ = (Index("ix_webhook_hits_contract_at", "contract_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contracts.id", ondelete="CASCADE")
    at: datetime = When()


class FlowThroughput(SQLModel, table=True):
    """Messages a flow finished (and failed) in one minute."""

    __tablename__ = "flow_throughput"

    flow_id: int = Field(foreign_key="flows.id", primary_key=True, ondelete="CASCADE")
    minute: datetime = Field(sa_type=UTCTime, primary_key=True)
    processed: int = 0
    failed: int = 0


class SupportRequest(SQLModel, table=True):
    __tablename__ = "support_requests"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="users.id")
    reason: str = Field(max_length=2000)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = When()
    handled_by_id: int | None = Field(default=None, foreign_key="users.id")
    handled_at: datetime | None = When(nullable=True)
    decision: str | None = Field(default=None, max_length=2000)


class StoreRevision(SQLModel, table=True):
    """One row whose counter every committed change moves: a cheap change marker."""

    __tablename__ = "store_revision"

    id: int = Field(default=1, primary_key=True)
    value: int = 0


class StoreMeta(SQLModel, table=True):
    """What a store is: its clock (``real``/``simulated``) and its secret key's check value."""

    __tablename__ = "store_meta"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)
