"""Who may do what (DESIGN section 3), as data.

Each permission names what it allows, in words a refusal can use, and the
roles that hold it. ``store/actions.py`` combines them with the session's
read-only state and the contract's suspension into the one answer both the
services (refusing) and the views (``allowed``, offering) give; nothing
outside ``store/`` decides a permission.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import PermissionDenied


@dataclass(frozen=True)
class Permission:
    key: str
    words: str  # "start and stop flows"
    roles: frozenset[str]
    scope: str  # "contract", "workspace" or "support"


def _p(key: str, words: str, scope: str, *roles: str) -> Permission:
    return Permission(key, words, frozenset(roles), scope)


# -- contract roles -------------------------------------------------------
MANAGE_CONTRACT_MEMBERS = _p("contract.members", "manage the contract's members", "contract", "owner")
RENAME_CONTRACT = _p("contract.rename", "rename the contract", "contract", "owner")
CREATE_WORKSPACE = _p("workspace.create", "create workspaces", "contract", "owner", "admin", "member")
DELETE_WORKSPACE = _p("workspace.delete", "delete workspaces", "contract", "owner", "admin")
SEE_ALL_WORKSPACES = _p("contract.see_all", "see all workspaces", "contract", "owner", "admin")

# -- workspace roles ------------------------------------------------------
_EDITORS = ("owner", "admin", "integrator")
RENAME_WORKSPACE = _p("workspace.rename", "rename the workspace", "workspace", "owner", "admin")
MANAGE_WORKSPACE_MEMBERS = _p(
    "workspace.members", "manage the workspace's members", "workspace", "owner", "admin"
)
EDIT_FLOWS = _p("flow.edit", "edit flows", "workspace", *_EDITORS)
RUN_FLOWS = _p("flow.run", "start and stop flows", "workspace", *_EDITORS)
SWITCH_FLOW_TYPE = _p("flow.type", "switch flows between ordinary and realtime", "workspace", *_EDITORS)
EDIT_CREDENTIALS = _p("credential.edit", "edit credentials", "workspace", *_EDITORS)
REVEAL_CREDENTIALS = _p("credential.reveal", "see secrets in clear", "workspace", *_EDITORS)
SEND_MESSAGES = _p("message.send", "send messages into flows", "workspace", *_EDITORS)
REQUEST_CONVERSION = _p(
    "workspace.request_full", "ask support to convert the workspace", "workspace", "owner", "admin"
)
DELETE_OWN_WORKSPACE = _p("workspace.delete_own", "delete the workspace", "workspace", "owner")
COPY_FLOWS = _p("flow.copy", "copy flows", "workspace", *_EDITORS)
HANDLE_FAILED = _p("message.failed", "retry or discard failed messages", "workspace", *_EDITORS)
ROLLBACK_FLOWS = _p("flow.rollback", "edit flows (roll one back to an earlier revision)",
                    "workspace", *_EDITORS)
PROMOTE_FLOWS = _p("flow.promote", "promote flows between workspaces", "workspace", *_EDITORS)

# -- platform support staff -----------------------------------------------
CONVERT_WORKSPACE = _p("support.convert", "convert workspaces between limited and full", "support")
HANDLE_REQUESTS = _p("support.requests", "approve or decline support requests", "support")
SUSPEND_CONTRACT = _p("support.suspend", "suspend and resume contracts", "support")
ADD_USERS = _p("support.users", "register users", "support")

CONTRACT_PERMISSIONS = (
    MANAGE_CONTRACT_MEMBERS, RENAME_CONTRACT, CREATE_WORKSPACE, DELETE_WORKSPACE, SEE_ALL_WORKSPACES,
)
WORKSPACE_PERMISSIONS = (
    RENAME_WORKSPACE, MANAGE_WORKSPACE_MEMBERS, EDIT_FLOWS, RUN_FLOWS, SWITCH_FLOW_TYPE,
    EDIT_CREDENTIALS, REVEAL_CREDENTIALS, SEND_MESSAGES, REQUEST_CONVERSION, DELETE_OWN_WORKSPACE,
    COPY_FLOWS, HANDLE_FAILED, ROLLBACK_FLOWS, PROMOTE_FLOWS,
)
SUPPORT_PERMISSIONS = (CONVERT_WORKSPACE, HANDLE_REQUESTS, SUSPEND_CONTRACT, ADD_USERS)


def _roles_text(roles: frozenset[str], order: tuple[str, ...]) -> str:
    names = [r for r in order if r in roles]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def may(permission: Permission, role: str | None) -> bool:
    return role is not None and role in permission.roles


def denial(permission: Permission, role: str | None, where: str) -> PermissionDenied | None:
    """The refusal, naming the permission, unless ``role`` holds it (None: it does)."""
    if may(permission, role):
        return None
    order = ("owner", "admin", "member") if permission.scope == "contract" else (
        "owner", "admin", "integrator", "guest")
    you = f"you are {role}" if role else "you have no role there"
    return PermissionDenied(
        f"to {permission.words} in {where} you need the "
        f"{_roles_text(permission.roles, order)} role in the {permission.scope} ({you})"
    )


def support_denial(permission: Permission, is_support: bool) -> PermissionDenied | None:
    if is_support:
        return None
    return PermissionDenied(f"only platform support staff may {permission.words}")


def readonly_denial(readonly: bool) -> PermissionDenied | None:
    if not readonly:
        return None
    return PermissionDenied("this session is read-only (--readonly): nothing can be changed")


def require(permission: Permission, role: str | None, where: str) -> None:
    """Refuse, naming the permission, unless ``role`` holds it."""
    if (refused := denial(permission, role, where)) is not None:
        raise refused


def require_support(permission: Permission, is_support: bool) -> None:
    if (refused := support_denial(permission, is_support)) is not None:
        raise refused


def require_writable(readonly: bool) -> None:
    if (refused := readonly_denial(readonly)) is not None:
        raise refused
