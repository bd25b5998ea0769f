"""How the import reads an "Angebote" or "Bedarfe" cell: terms (the profile's tags) and sentences (its text).

A coordinator's spreadsheet holds lists ("Fotografie, Video und Schnitt"), lists over several lines, whole
sentences ("Wir suchen Räume für unsere Kurse in Zittau."), stray letters ("x") and fillers ("usw.", "-").
None of that makes a file broken; the rule below decides what becomes of it, and the preview says so:

1. Line breaks cut a cell into lines. A line that starts like a sentence, with a pronoun or an article (Ich,
   Wir, Unser…, Mein…, Man, Es, Der, Die, Das, Ein…, We, Our, My, The), is a sentence as it stands. Other
   lines are cut further at semicolons and bullets (•, ·, ▪; -, * or – at a line's start) into segments,
   and each segment is read as a line; commas cut it into parts, but not inside brackets, where a comma
   becomes a slash ("Übersetzung (Tschechisch/Polnisch)"), nor in a number ("3,5"): a tag holds no comma,
   as the profile form cuts tags at every comma.
2. A part is split at "und", "oder", "sowie", "bzw.", "u.", "&", "+", " / " (and, or) when every side is one
   word: "Holz und Metall" gives two terms; "Grafik- und Webdesign" (a half word) and "Kunst am Bau und
   Skulptur" stay one term.
3. A term is what the profile form takes as a tag (2 to 60 characters), of at most six words, with no
   sentence mark inside (". ", "! ", "? ", ": "), no comma, not ending in a hyphen, with its brackets closed. A
   segment's final full stop is ignored: a list may end with one.
4. A segment with a part that is no term (nor left out, 5.) is a sentence, kept whole as text: a sentence
   is never cut at its commas into terms.
5. Left out, and named in the preview: a part of one character ("x", "C", "3": no word the directory search
   or the suggestions could use, and the form takes no tag that short), fillers ("usw.", "etc.", "u. a.",
   "u. v. m.", "und mehr", "…", also at a part's end) and words for nothing ("keine", "k. A.", "n/a").
   Parts without a letter or digit ("-", "/", "?") are empty.
6. A term counts once (case and umlaut spelling aside). The first 15 become tags (the form's limit); the
   others join the text as one list.

The text (the sentences, then the list of terms beyond 15) goes after what the row's "Angebote (Text)" or
"Bedarfe (Text)" column says, where the directory search finds it and the suggestions read the needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from regions.profiles.schemas import MAX_TAGS
from regions.profiles.spreadsheets import fold

MIN_TERM, MAX_TERM = 2, 60  # regions.profiles.schemas.Tags: what the form takes as one tag
MAX_TERM_WORDS = 6

LINES = re.compile(r"\r\n|[\r\n\u2028\u2029]")
SEGMENTS = re.compile(r"[;•·▪►◦‣]")
BULLET = re.compile(r"^[-*–—]\s+")
CONJUNCTION = re.compile(r"\s+(?:und|oder|sowie|bzw\.|u\.|u|and|or|&|\+|/)\s+", re.IGNORECASE)
SENTENCE_MARK = re.compile(r"[.!?:](?=\s)|[!?:]$")
FILLER_END = re.compile(
    r"(?:^|[\s,]+)(?:usw\.?|etc\.?|u\.\s?a\.?|u\.\s?v\.\s?m\.?|uvm\.?|und\s+(?:vieles\s+)?mehr|\.\.\.|…)$",
    re.IGNORECASE,
)
NOTHING = {fold(word) for word in ("keine", "keine Angabe", "keine Angaben", "k. A.", "n/a", "n. a.", "nichts", "none")}
LONGEST_NOTHING = len("keine Angaben")
COMMA = re.compile(r",(?!\d)|(?<!\d),")  # not in "3,5"
PLAIN_CUT = re.compile(r"[,;]")  # how the profile form cuts tags
SIMPLE_CELL = re.compile(r"[\w ,-]+")
DIGIT_COMMA = re.compile(r"\d,\d")
# Words that send a cell the long way: CONJUNCTION's words (its signs are no \w) and FILLER_END's
SLOW_WORDS = {"und", "oder", "sowie", "u", "and", "or", "usw", "etc", "uvm"}
OPENERS = {
    *("ich", "wir", "man", "es", "der", "die", "das", "ein", "eine", "einen", "einem", "einer", "we", "our", "my"),
    *("the", "mein", "meine", "meinem", "meinen", "meiner", "meines"),
    *("unser", "unsere", "unserem", "unseren", "unserer", "unseres"),
}
COMMA_IN_BRACKETS = re.compile(r"(?<!\d)\s*,\s*|\s*,\s*(?!\d)")  # a part's commas, but not "3,5"
QUOTES = " \t\"'„“”‚‘’»«"


@dataclass(slots=True)
class CellReading:
    """What one cell gives: the terms that become tags, the sentences and further terms that become text,
    and what was left out."""

    terms: list[str]
    sentences: tuple[str, ...] = ()
    extra_terms: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    whole_cell_is_text: str = ""  # the cell as written, when every line of it is a sentence
    plain: bool = True  # the terms are the cell cut at its commas and semicolons, as the form cuts tags

    @property
    def text(self) -> str:
        """The part of the cell that goes into the text field."""
        if self.whole_cell_is_text:
            return self.whole_cell_is_text
        lines = list(self.sentences)
        if self.extra_terms:
            lines.append(", ".join(self.extra_terms))
        return "\n".join(lines)


def read_cell(cell: str) -> CellReading:
    """Read an "Angebote" or "Bedarfe" cell by the rule of this module."""
    simple = _simple_terms(cell or "")
    if simple is None:
        return _read(cell or "")
    if len(simple) <= MAX_TAGS:
        return CellReading(simple)
    return CellReading(simple[:MAX_TAGS], extra_terms=tuple(simple[MAX_TAGS:]), plain=False)


def _simple_terms(cell: str) -> list[str] | None:
    """The terms of a cell that is nothing but different words cut by commas, as most cells are; None for any
    other (then the rule is applied step by step).

    A shortcut for large files: where it answers, the rule gives the same (tests/test_profile_terms.py).
    """
    if not SIMPLE_CELL.fullmatch(cell) or DIGIT_COMMA.search(cell):
        return None
    if not SLOW_WORDS.isdisjoint(cell.lower().replace(",", " ").split()) or _opens_sentence(cell):
        return None
    terms, keys = [], set()
    for part in cell.split(","):
        part = part.strip()
        if not part.strip("-_ "):
            continue  # no letter, no digit
        if (
            not MIN_TERM <= len(part) <= MAX_TERM
            or part[0] == "-"
            or part[-1] == "-"
            or part.count(" ") >= MAX_TERM_WORDS
        ):
            return None
        key = _key(part)
        if key in NOTHING or key in keys:
            return None
        terms.append(part)
        keys.add(key)
    return terms


def _read(cell: str) -> CellReading:
    lines = []
    for line in LINES.split(cell):
        line = BULLET.sub("", line.strip()).strip()
        lines += [line] if _opens_sentence(line) else [s.strip() for s in SEGMENTS.split(line)]
    lines = [line for line in lines if line]
    found, sentences, left_out = [], [], []
    for line in lines:
        terms = _line_terms(line, left_out)
        if terms is None:
            sentences.append(line)
        found += terms or ()
    once: dict[str, str] = {}
    for term in found:
        once.setdefault(_key(term), term)  # each term once, in its first spelling
    terms = list(once.values())
    return CellReading(
        terms[:MAX_TAGS],
        sentences=tuple(sentences),
        extra_terms=tuple(terms[MAX_TAGS:]),
        left_out=tuple(left_out),
        whole_cell_is_text=cell.strip() if sentences and len(sentences) == len(lines) else "",
        plain=not (sentences or terms[MAX_TAGS:] or left_out)
        and terms == [part.strip() for part in PLAIN_CUT.split(cell) if any(ch.isalnum() for ch in part)],
    )


def text_with(column_text: str, reading: CellReading) -> str:
    """The row's text column followed by what the cell gives as text (unless the column holds it already)."""
    column_text, cell_text = (column_text or "").strip(), reading.text
    if not cell_text or cell_text in column_text:
        return column_text
    return f"{column_text}\n\n{cell_text}" if column_text else cell_text


def _line_terms(line: str, left_out: list[str]) -> list[str] | None:
    """The terms of one line, or None if the line is a sentence; what is left out is added to ``left_out``."""
    if _opens_sentence(line):
        return None
    stop = "." if line.endswith(".") and not line.endswith("..") else ""
    parts = _comma_parts(line[: len(line) - len(stop)])
    terms, dropped = [], []
    for number, part in enumerate(parts, start=1):
        part = part.strip(QUOTES)
        end = stop if number == len(parts) else ""  # the line's full stop, to name what is left out as written
        if not any(ch.isalnum() for ch in part):
            continue
        filler = FILLER_END.search(part)
        if filler:
            dropped.append(filler.group(0).strip(" ,") + end)
            part, end = part[: filler.start()].strip(QUOTES + ","), ""
            if not any(ch.isalnum() for ch in part):
                continue
        if len(part) == 1 or (len(part) <= LONGEST_NOTHING and _key(part) in NOTHING):
            dropped.append(part + end)
            continue
        part = COMMA_IN_BRACKETS.sub("/", part)  # a tag holds no comma: the profile form cuts tags at each one
        sides = [side.strip(QUOTES) for side in CONJUNCTION.split(part)]
        if len(sides) > 1 and all(len(side.split()) == 1 and _is_term(side) for side in sides):
            terms += sides
        elif _is_term(part):
            terms.append(part)
        else:
            return None
    left_out += dropped
    return terms


@lru_cache(maxsize=16384)  # the same terms come back row after row
def _key(term: str) -> str:
    return fold(term)


def _opens_sentence(line: str) -> bool:
    words = line.split(None, 2)
    return len(words) > 1 and words[0].strip(QUOTES + ",.:;!?").lower() in OPENERS


def _is_term(text: str) -> bool:
    return (
        MIN_TERM <= len(text) <= MAX_TERM
        and len(text.split()) <= MAX_TERM_WORDS
        and not SENTENCE_MARK.search(text)
        and not text.endswith("-")
        and "," not in text
        and text.count("(") == text.count(")")
        and text.count("[") == text.count("]")
    )


def _comma_parts(line: str) -> list[str]:
    """The line cut at its commas, except inside brackets and between digits."""
    if "(" not in line and "[" not in line:
        return COMMA.split(line)
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(line):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == "," and depth == 0 and not (line[i - 1 : i].isdigit() and line[i + 1 : i + 2].isdigit()):
            parts.append(line[start:i])
            start = i + 1
    parts.append(line[start:])
    return parts
