"""Who is running Flowdeck, when no one said: the registered user named like the OS login.

Shared by the command line and the TUI (which resolves it only once the store is open).
"""

from __future__ import annotations

import getpass

from store.errors import InvalidInput, NotFound


def login_name() -> str | None:
    try:
        return getpass.getuser() or None
    except (OSError, KeyError, ImportError):
        return None


def resolve_caller(system, explicit: str | None) -> str:
    """The caller's email: ``explicit`` if given, else the user whose email's local part
    is the OS login name. ``system`` is the store's facade as the system."""
    if explicit:
        return explicit.strip().lower()
    users = system.list_users()
    if not users:
        raise NotFound(
            "this store has no users yet; register the first one (it becomes support "
            "staff) with 'flowdeck user add EMAIL --name NAME'")
    login = login_name()
    if not login:
        raise InvalidInput("cannot tell who you are (no OS login name); pass --user EMAIL")
    matches = [u.email for u in users if u.email.split("@", 1)[0] == login.lower()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(
            f"no registered user's email starts with '{login}@'; pass --user EMAIL "
            "(or set FLOWDECK_USER)")
    raise InvalidInput(
        f"several registered users match the login name {login!r} ({', '.join(matches)}); "
        "pass --user EMAIL (or set FLOWDECK_USER)")
