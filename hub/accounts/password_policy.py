"""What a newly chosen password must not be (OWASP ASVS 5.0 V6.2.4, V6.2.11, V6.1.2).

Besides the length (12 to 128 characters, checked by the ``Password`` field), a password is refused when
it is or contains the account's e-mail address or its local part, contains the person's name, or is a
common password or a word of this hub's context: compared in lower case and with digits, punctuation
and spaces at both ends left aside, so that "Passwort2024!" counts as "passwort". No composition rules
(V6.2.5): any password that passes these checks is accepted, exactly as typed.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

from hub.core.schemas import _m

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

# The documented list of context-specific words (V6.1.2): the hub, the programme and its regions.
CONTEXT_WORDS = frozenset(
    {
        "cimis",
        "cimishub",
        "crossinnovation",
        "crossinnovationmadeinsaxony",
        "madeinsaxony",
        "saxony",
        "sachsen",
        "innovation",
        "hub",
        # German words for "password", which the English list of common passwords lacks.
        "passwort",
        "kennwort",
    }
)
# Name parts and local parts shorter than this are too common inside ordinary words to refuse.
MIN_CONTAINED = 4

EMAIL_INSIDE = _m("The password must not contain your e-mail address.")
NAME_INSIDE = _m("The password must not contain your name.")
TOO_COMMON = _m("This password is too common and easy to guess. Please choose another one.")
CONTEXT_WORD = _m("This password is too easy to guess from the name of the hub, the programme or a region.")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, read once on first use."""
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


@cache
def _region_words() -> frozenset[str]:
    from hub.core.settings import load_region_registry

    words = set()
    for region in load_region_registry():
        for value in (region.get("slug", ""), region.get("name", "")):
            if value:
                words.add(_compact(value))
    return frozenset(words)


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_.]+", "", text.lower())


def _core(password: str) -> str:
    """The password in lower case without digits, punctuation and spaces at its ends, and without spaces."""
    return _compact(password.lower().strip(string.digits + string.punctuation + string.whitespace))


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """The reason a password may not be chosen by this person, or None when it may."""
    lowered, compact = password.lower(), _compact(password)
    email = email.strip().lower()
    local_part = email.partition("@")[0]
    if email and (email in lowered or lowered == local_part):
        return EMAIL_INSIDE
    if len(local_part) >= MIN_CONTAINED and local_part in lowered:
        return EMAIL_INSIDE
    full_name = _compact(name)
    parts = [part for part in re.split(r"[\s\-]+", name.lower()) if len(part) >= MIN_CONTAINED]
    if full_name and (compact == full_name or len(full_name) >= MIN_CONTAINED and full_name in compact):
        return NAME_INSIDE
    if any(part in lowered for part in parts):
        return NAME_INSIDE
    core = _core(password)
    if lowered in common_passwords() or compact in common_passwords() or core and core in common_passwords():
        return TOO_COMMON
    if core in CONTEXT_WORDS or core in _region_words():
        return CONTEXT_WORD
    return None
