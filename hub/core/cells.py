"""Text in spreadsheet cells: one rule for every CSV and XLSX file the hub writes (`hub.core.spreadsheets`).

Free text (names, titles, answers, profile texts, phone numbers) may hold anything a browser or API client
sent. Three things are made safe before it becomes a cell:

- **Characters a workbook cannot hold.** An XLSX is XML 1.0, which has no place for the control
  characters U+0000–U+001F other than tab, line feed and carriage return, for lone surrogates or for
  U+FFFE/U+FFFF. openpyxl refuses the first (``IllegalCharacterError``, a 500) and writes the others
  into a file no program opens. They are dropped, in CSV as well, so both files show the same text.
- **Formulas** (CSV/formula injection, OWASP): a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return gets a leading apostrophe in CSV, so a spreadsheet never evaluates a name
  someone typed into the hub. In XLSX the cell is stored as a plain string (never a formula) and
  marked as text, so Excel keeps it text also when someone edits it.
- **Text a spreadsheet would take for a value.** German Excel and LibreOffice Calc read every CSV field
  that looks like a number, date, time, percentage, amount or truth value as one: the postcode "01067"
  becomes the number 1067, the phone number "035214567890" becomes 35214567890, the month "11/2026"
  becomes the 1st of November. Such text is written into CSV as a formula that only holds a string,
  ``="01067"``: both programs show its text unchanged and nothing in it is ever evaluated (a quotation
  mark inside is doubled, so the string cannot end early). A formula's string holds at most 255
  characters in Excel; longer text of that kind gets the apostrophe instead. In XLSX such text is
  simply a text cell, marked as text like a formula-like one.

`unprotect` turns a CSV cell written here back into its text (the profile import reads the export).
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
STRING_FORMULA_MAX = 255  # Excel refuses a longer text constant inside a formula

# Digits with the separators of numbers, dates and times (1.234,56 · 06.12.2026 16:53 · 11/2026 · 2026-12-06
# · 12:30), a sign, brackets (accounting negatives), an exponent, a percent or euro sign.
_NUMBER_OR_DATE = re.compile(r"\(?[+-]?[\d\s.,:/-]*\d[\d\s.,:/-]*(?:e[+-]?\d+)?\)?\s*(?:%|€|eur|euro)?", re.I)
# A date with a month's name: "6. Dez 2026", "Mai 26", "1-Jan" (a month's name alone stays text).
_MONTHS = "jan|feb|mär|mrz|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec"
_DATE_WITH_MONTH_NAME = re.compile(rf"(\d{{1,4}}[.\s/-]*)?(?:{_MONTHS})[a-zä]*\.?([\s/-]*\d{{1,4}})?", re.I)
_TRUTH = re.compile(r"wahr|falsch|true|false", re.I)
_STRING_FORMULA = re.compile(r'="((?:[^"]|"")*)"', re.S)


def clean(value) -> str:
    """The value as text without the characters a workbook cannot hold."""
    return UNWRITABLE.sub("", str(value))


def protect(text: str) -> str:
    """A CSV cell that no spreadsheet will take for a formula: "=1+1" → "'=1+1"."""
    return "'" + text if text.startswith(FORMULA_START) else text


def looks_like_a_value(text: str) -> bool:
    """Would German Excel or LibreOffice Calc read this CSV field as a number, date, time, amount or truth value?
    Errs on the side of yes: keeping text as text never hurts."""
    text = text.strip()
    if not text:
        return False
    if _NUMBER_OR_DATE.fullmatch(text) or _TRUTH.fullmatch(text):
        return True
    month = _DATE_WITH_MONTH_NAME.fullmatch(text)
    return bool(month and (month.group(1) or month.group(2)))


def csv_text(value) -> str:
    """A text cell for CSV that German Excel and LibreOffice show as the text it is: cleaned, never a formula,
    never turned into a number or a date ("01067" → ``="01067"``, "=1+1" → "'=1+1")."""
    text = clean(value)
    if text.startswith(FORMULA_START):
        return protect(text)
    if looks_like_a_value(text):
        if len(text) <= STRING_FORMULA_MAX:
            return '="' + text.replace('"', '""') + '"'
        return "'" + text
    return text


def unprotect(cell: str) -> str:
    """The text a CSV cell written by `csv_text` stands for: ``="01067"`` → "01067", "'=1+1" → "=1+1"."""
    string = _STRING_FORMULA.fullmatch(cell)
    if string:
        return string.group(1).replace('""', '"')
    rest = cell[1:]
    if cell[:1] == "'" and (
        rest.startswith(FORMULA_START) or (len(rest) > STRING_FORMULA_MAX and looks_like_a_value(rest))
    ):
        return rest
    return cell


def write_text(cell, value):
    """Write text into an openpyxl cell (also a write-only one) as text: cleaned, never a formula, marked
    so that it stays text when edited (also "01067", which Excel would otherwise make a number). Returns the
    cell."""
    text = clean(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START) or looks_like_a_value(text):
        cell.quotePrefix = True
    return cell
