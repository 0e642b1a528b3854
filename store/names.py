"""Names of contracts, workspaces, flows and credentials, and paths made of them."""

from __future__ import annotations

import unicodedata

from .errors import InvalidInput
from .policy import NAME_KEY_MAX, NAME_MAX, NAME_MIN
from .text import check_text, visible

_ALLOWED_CATEGORIES = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Mn", "Mc"}
_ALLOWED_PUNCT = {" ", "-", "_"}
#: Scripts that one writing system mixes by nature (UTS #39 'resolved script sets'):
#: Japanese (Han, Hiragana, Katakana), Korean (Han, Hangul), Chinese with Bopomofo.
_ONE_WRITING_SYSTEM = ({"HAN", "HIRAGANA", "KATAKANA"}, {"HAN", "HANGUL"}, {"HAN", "BOPOMOFO"})
_NEUTRAL_SCRIPTS = {"COMMON", "INHERITED"}


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
    scripts = mixed_confusable_scripts(name)
    if scripts:
        return (f"mixes the {' and '.join(scripts)} scripts with look-alike letters, so it "
                "could pass for another name; use the letters of one alphabet")
    if len(name_key(name)) > NAME_KEY_MAX:
        return "is too long once normalised"
    return None


def mixed_confusable_scripts(name: str) -> list[str]:
    """The scripts ``name`` mixes when one of its letters can pass for another's (UTS #39).

    Empty for a name in one script (Latin, Cyrillic, Greek …) or in one writing
    system that mixes scripts by nature (Japanese, Korean, Chinese).
    The confusable data is the Unicode consortium's, from ``confusable_homoglyphs``.
    """
    if name.isascii():  # ASCII letters are all Latin: nothing to mix (and no data to load)
        return []
    from confusable_homoglyphs import categories, confusables

    scripts = {categories.alias(ch) for ch in name} - _NEUTRAL_SCRIPTS
    if len(scripts) < 2 or any(scripts <= system for system in _ONE_WRITING_SYSTEM):
        return []
    if not confusables.is_confusable(name, greedy=False):
        return []
    return sorted(s.title() for s in scripts)


def check_name(name: str, what: str = "name") -> str:
    """The name as stored (NFC), or InvalidInput naming the problem."""
    problem = name_problem(name)
    if problem:
        raise InvalidInput(f"{what} {visible(repr(name))} {problem}")
    return unicodedata.normalize("NFC", name)


def name_key(name: str) -> str:
    """The key that makes names unique: NFKC and case folded, so 'Ａｃｍｅ' is 'acme'.

    This is Unicode's NFKC_Casefold in effect (normalise, fold, normalise again).
    Stored in the ``name_key`` columns; migration 0004 recomputed the older keys.
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    return unicodedata.normalize("NFKC", folded)


def check_email(email: str) -> str:
    """The address as stored (lower-cased), or InvalidInput saying why it is not one.

    Syntax only, by ``email-validator`` (what Pydantic's ``EmailStr`` uses): no
    DNS look-up, no network.
    """
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(email, str):
        raise InvalidInput("an email address must be text")
    email = check_text(email.strip(), "the email address")
    try:
        valid = validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"{visible(repr(email))} is not an email address: {exc}") from None
    if "/" in valid.normalized:
        raise InvalidInput(f"{visible(repr(email))} is not an email address: it holds '/'")
    return valid.normalized.lower()


def split_path(path: str, parts: int, what: str) -> list[str]:
    """Split ``Contract/Workspace[/Name]`` into exactly ``parts`` names."""
    pieces = (path or "").split("/")
    if len(pieces) != parts or not all(pieces):
        shapes = {1: "CONTRACT", 2: "CONTRACT/WORKSPACE", 3: "CONTRACT/WORKSPACE/NAME"}
        raise InvalidInput(f"{what} path {path!r} must look like {shapes[parts]}")
    return pieces

