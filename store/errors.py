"""The refusals a service can give. Each carries a one-line message for people."""

from __future__ import annotations


class FlowdeckError(Exception):
    """A refusal: bad input, not found, conflict, quota or a broken rule."""

    exit_code = 1
    prefix = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # one line, always
        return " ".join(self.message.split())

    def line(self) -> str:
        return f"{self.prefix}: {self}"


class InvalidInput(FlowdeckError):
    """The input itself is wrong (a bad name, an unknown role...)."""


class NotFound(FlowdeckError):
    """Nothing by that name that the caller may see."""


class Conflict(FlowdeckError):
    """The request clashes with the current state (already active, name taken...)."""


class QuotaExceeded(FlowdeckError):
    """A cap of the platform would be exceeded."""


class RuleViolation(FlowdeckError):
    """A rule of the platform forbids it (the last owner, a credential in use...)."""


class StoreError(FlowdeckError):
    """The store cannot be used: unreachable, damaged or newer than this code."""


class PermissionDenied(FlowdeckError):
    """The caller's role does not allow it."""

    exit_code = 3
    prefix = "permission denied"


class ConfirmationRequired(RuleViolation):
    """A destructive action needs its confirmation; ``plan`` says what would go."""

    def __init__(self, message: str, plan: object = None, expected: str | None = None) -> None:
        super().__init__(message)
        self.plan = plan
        self.expected = expected
