"""German-friendly text folding: one form for Möbelbau, moebelbau, mobelbau, MÖBELBAU.

Lower case, ß → ss, accents and umlauts dropped, and the transliterations ae/oe/ue reduced to a/o/u, so
every spelling of a word meets the same form. The directory indexes and searches folded text
(shared.directory.text), match suggestions compare folded tags, the funder report sorts by it.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

_WORD = re.compile(r"[^\W_]+")


@cache
def _without_marks() -> dict[int, None]:
    """A ``str.translate`` table that drops every combining character (about 900 code points; built once)."""
    return {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}


def fold(text: str) -> str:
    """The searchable form of a text.

    Everything runs in C but the final join: marks are dropped by one ``translate``, and the digraphs ae/oe/ue
    by three ``replace`` over the joined words — the same as replacing them word by word, left to right, since a
    digraph ends in "e" and starts with a, o or u, so no two of them overlap and a space never belongs to one.
    """
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss")).translate(_without_marks())
    return " ".join(_WORD.findall(text)).replace("ae", "a").replace("oe", "o").replace("ue", "u")
