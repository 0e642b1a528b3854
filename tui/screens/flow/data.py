"""What the flow screen reads in one trip to a thread."""

from __future__ import annotations

from dataclasses import dataclass

from store.views import (
    CredentialView,
    EventView,
    ExecutionView,
    FailedMessageView,
    FlowView,
    RevisionView,
)


@dataclass
class FlowData:
    flow: FlowView
    events: list[EventView]
    credentials: list[CredentialView]
    executions: list[ExecutionView]
    failed: list[FailedMessageView]
    rate: list[int]  # messages processed in each of the last minutes
    history: list[RevisionView]  # the flow's revisions, newest first
