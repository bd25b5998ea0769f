"""How a German user's spreadsheet program opens the hub's files: the cells it would store, not the bytes.

`open_csv` applies the rules that German Excel (Windows in German, a CSV file opened by double-click)
and LibreOffice Calc (German locale, the import dialog's defaults) apply to every field of a CSV file.
Where the two differ, the rule that changes more wins, so a file that passes keeps its cells in both:

1. The bytes are UTF-8 only behind a byte order mark; without one Excel reads Windows-1252 ("Ã¤").
2. Fields are split at ``;`` (the German list separator) and may be quoted with ``"``. Quoting keeps
   nothing from being converted: Excel ignores it, and LibreOffice's "Quoted field as text" is off.
3. An empty field is an empty cell (``None``).
4. ``="…"``, a formula that holds only a string, is that string (both programs evaluate formulas in a
   CSV file by default). Any other field that begins with ``=`` is a `Formula` the program would run;
   so is one that begins with ``+``, ``-`` or ``@`` unless it is a number ("-5", "+1,5").
5. A field that begins with an apostrophe is text with the apostrophe in it (a CSV file has no way to
   mark text, so the apostrophe stays visible): the hub's documented defusing of formula-like text.
6. A German number (``1234`` · ``1.234`` · ``1234,56`` · ``1.234,56`` · ``1,5E3``), also with ``%`` or
   ``€``, is a number (`Decimal`, a percentage as its fraction): leading zeros are gone ("01067" → 1067,
   "035214567890" → 35214567890), and only 15 significant digits are kept.
7. ``d.m.yyyy``, ``d/m/yyyy`` and ``yyyy-mm-dd`` are dates; with `` hh:mm`` or `` hh:mm:ss`` after them,
   date-times; ``hh:mm`` alone a time of day.
8. A date with a two-digit year, without a year ("6.12.", "1.5", "11/26") or with a month's name
   ("Mai 26") is `Ambiguous`: the program fills in a century or the current year, what the file meant
   is lost. "11/2026" is such a date too (the first of November).
9. ``WAHR``, ``FALSCH``, ``TRUE`` and ``FALSE`` are truth values.
10. Everything else is text, exactly as written.

`xlsx_value` reads one openpyxl cell the same way: text, a number (`Decimal`), a date or date-time (by the
cell's number format), a truth value, or a `Formula`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal


@dataclass(frozen=True)
class Formula:
    """A field the spreadsheet would run as a formula."""

    text: str


@dataclass(frozen=True)
class Ambiguous:
    """A field the spreadsheet turns into a date by guessing a century or a year."""

    text: str


_NUMBER = re.compile(r"(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<frac>\d+))?(?:e(?P<exp>[+-]?\d+))?", re.I)
_DATE_TIME = re.compile(
    r"(?:(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_TIME = re.compile(r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?")
_MONTHS = "jan|feb|mär|mrz|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec"
_GUESSED_DATE = re.compile(
    r"\d{1,2}[./-]\d{1,2}(?:[./-](?:\d{2})?)?(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?)?"  # 6.12.26 · 6.12. · 1.5 · 6/12
    r"|\d{1,2}/\d{4}"  # 11/2026: a month, read as its first day
    rf"|\d{{1,2}}\.?\s*(?:{_MONTHS})[a-zä]*\.?(?:\s*\d{{2,4}})?"  # 6. Dez · 6. Dezember 2026
    rf"|(?:{_MONTHS})[a-zä]*\.?\s*\d{{2,4}}",  # Mai 26 · Juni 2026
    re.I,
)
_STRING_FORMULA = re.compile(r'="((?:[^"]|"")*)"', re.S)


def german_number(text: str) -> Decimal | None:
    """The number German Excel reads from a field, or None when the field is not one."""
    body = text.strip()
    sign = -1 if body[:1] == "-" else 1
    body = body.lstrip("+-").strip()
    percent = body.endswith("%")
    body = body.rstrip("%€").strip()
    found = _NUMBER.fullmatch(body)
    if not found:
        return None
    value = Decimal(found["int"].replace(".", "") + ("." + found["frac"] if found["frac"] else ""))
    if found["exp"]:
        value = value.scaleb(int(found["exp"]))
    if value and value.adjusted() >= 15:  # Excel keeps 15 significant digits
        value = value.quantize(Decimal(1).scaleb(value.adjusted() - 14))
    return sign * value / (100 if percent else 1)


def read_field(field: str):
    """What German Excel or LibreOffice stores for one CSV field (after the quotes are taken off)."""
    if field == "":
        return None
    if field.startswith("="):
        string = _STRING_FORMULA.fullmatch(field)
        return string.group(1).replace('""', '"') if string else Formula(field)
    if field.startswith("'"):
        return field
    if field[0] in "+-@":
        number = german_number(field) if field[0] != "@" else None
        return number if number is not None else Formula(field)
    stripped = field.strip()
    number = german_number(stripped)
    if number is not None:
        return number
    moment = _DATE_TIME.fullmatch(stripped)
    if moment:
        day = date(int(moment["y"] or moment["iy"]), int(moment["m"] or moment["im"]), int(moment["d"] or moment["id"]))
        if moment["H"] is None:
            return day
        return datetime.combine(day, time(int(moment["H"]), int(moment["M"]), int(moment["S"] or 0)))
    clock = _TIME.fullmatch(stripped)
    if clock:
        return time(int(clock["H"]), int(clock["M"]), int(clock["S"] or 0))
    if _GUESSED_DATE.fullmatch(stripped):
        return Ambiguous(field)
    if stripped.upper() in ("WAHR", "TRUE"):
        return True
    if stripped.upper() in ("FALSCH", "FALSE"):
        return False
    return field


def open_csv(data: bytes) -> list[list]:
    """Every row of a CSV file as German Excel or LibreOffice Calc stores its cells."""
    text = data[3:].decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("cp1252", "replace")
    return [[read_field(f) for f in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")]


def xlsx_value(cell):
    """What Excel shows as the value of an openpyxl cell: text, a Decimal, a date or date-time, a truth value
    or a Formula."""
    value = cell.value
    if value is None:
        return None
    if cell.data_type == "f" or (isinstance(value, str) and cell.data_type != "s"):
        return Formula(str(value))
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value if "h" in cell.number_format.lower() else value.date()
    if isinstance(value, bool):
        return value
    return Decimal(str(value))
