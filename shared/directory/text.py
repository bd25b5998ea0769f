"""German-friendly text folding for the directory: one form for Möbelbau, moebelbau, mobelbau, MÖBELBAU.

Both the indexed text and the search terms go through ``fold``: lower case, ß → ss, accents and
umlauts dropped, and the transliterations ae/oe/ue reduced to a/o/u — so every spelling of a word
meets the same form. User input never reaches the full-text engine as syntax: ``terms`` keeps only
runs of letters and digits, which the backends quote.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_DIGRAPH = re.compile(r"ae|oe|ue")
_TOKEN_CHARS = re.compile(r"[^a-z0-9]+")

MAX_TERMS = 8


def fold(text: str) -> str:
    """The searchable form of a text."""
    text = text.casefold().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_fold_word(w) for w in _WORD.findall(text))


def _fold_word(word: str) -> str:
    return _DIGRAPH.sub(lambda m: m.group(0)[0], word)


def terms(query: str) -> list[str]:
    """The search terms of a user's query: folded words, no syntax, at most MAX_TERMS."""
    return fold(query).split()[:MAX_TERMS]


def token(prefix: str, value: object) -> str:
    """A filter token for the full-text index, e.g. ``xregion3`` or ``xtagonboarding``."""
    return "x" + prefix + _TOKEN_CHARS.sub("", fold(str(value)))


def facet_key(value: str) -> str:
    """The key under which a tag or town is counted and filtered (case- and spelling-insensitive)."""
    return fold(value)
