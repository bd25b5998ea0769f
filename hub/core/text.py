"""German-friendly text folding: one form for Möbelbau, moebelbau, mobelbau, MÖBELBAU.

Lower case, ß → ss, accents and umlauts dropped, and the transliterations ae/oe/ue reduced to a/o/u, so
every spelling of a word meets the same form. The directory indexes and searches folded text
(shared.directory.text), match suggestions compare folded tags, the funder report sorts by it.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_DIGRAPH = re.compile(r"ae|oe|ue")


def fold(text: str) -> str:
    """The searchable form of a text."""
    text = text.casefold().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_fold_word(w) for w in _WORD.findall(text))


def _fold_word(word: str) -> str:
    return _DIGRAPH.sub(lambda m: m.group(0)[0], word)
