"""The directory's words: one form for Möbelbau, moebelbau, mobelbau, MÖBELBAU, and no syntax from users.

Both the indexed text and the search terms go through ``fold`` (hub.core.text: lower case, ß → ss, accents
and umlauts dropped, ae/oe/ue reduced to a/o/u), so every spelling of a word meets the same form. User input
never reaches the full-text engine as syntax: ``terms`` keeps only runs of letters and digits, which the
backends quote.
"""

from __future__ import annotations

import re

from hub.core.text import fold

_TOKEN_CHARS = re.compile(r"[^a-z0-9]+")

MAX_TERMS = 8


def terms(query: str) -> list[str]:
    """The search terms of a user's query: folded words, no syntax, at most MAX_TERMS."""
    return fold(query).split()[:MAX_TERMS]


def token(prefix: str, value: object) -> str:
    """A filter token for the full-text index, e.g. ``xregion3`` or ``xtagonboarding``."""
    return "x" + prefix + _TOKEN_CHARS.sub("", fold(str(value)))


def facet_key(value: str) -> str:
    """The key under which a tag or town is counted and filtered (case- and spelling-insensitive)."""
    return fold(value)


__all__ = ["MAX_TERMS", "facet_key", "fold", "terms", "token"]
