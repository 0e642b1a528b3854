"""Names of contracts, workspaces, flows and credentials, and paths made of them."""

from __future__ import annotations

import re
import unicodedata

from .errors import InvalidInput
from .policy import NAME_MAX, NAME_MIN

_ALLOWED_CATEGORIES = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Mn", "Mc"}
_ALLOWED_PUNCT = {" ", "-", "_"}
_EMAIL = re.compile(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$")


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid name, or None when it is."""
    if not isinstance(name, str):
        return "a name must be text"
    name = unicodedata.normalize("NFC", name)
    if len(name) < NAME_MIN:
        return f"is shorter than {NAME_MIN} characters"
    if len(name) > NAME_MAX:
        return f"is longer than {NAME_MAX} characters"
    if name != name.strip(" "):
        return "starts or ends with a space"
    for ch in name:
        if ch in _ALLOWED_PUNCT:
            continue
        if unicodedata.category(ch) not in _ALLOWED_CATEGORIES:
            shown = ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
            return f"contains {shown!r}; use letters, digits, spaces, '-' and '_' only"
    return None


def check_name(name: str, what: str = "name") -> str:
    """The name as stored (NFC), or InvalidInput naming the problem."""
    problem = name_problem(name)
    if problem:
        raise InvalidInput(f"{what} {name!r} {problem}")
    return unicodedata.normalize("NFC", name)


def name_key(name: str) -> str:
    """The key that makes names unique ignoring case."""
    return unicodedata.normalize("NFC", name).casefold()


def check_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(f"{email!r} is not an email address")
    return email


def split_path(path: str, parts: int, what: str) -> list[str]:
    """Split ``Contract/Workspace[/Name]`` into exactly ``parts`` names."""
    pieces = (path or "").split("/")
    if len(pieces) != parts or not all(pieces):
        shapes = {1: "CONTRACT", 2: "CONTRACT/WORKSPACE", 3: "CONTRACT/WORKSPACE/NAME"}
        raise InvalidInput(f"{what} path {path!r} must look like {shapes[parts]}")
    return pieces


def join_path(*names: str) -> str:
    return "/".join(names)
