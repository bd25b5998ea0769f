"""Text in spreadsheet cells: one rule for every CSV and XLSX file the hub writes.

Free text (names, titles, answers, profile texts) may hold anything a browser or API client sent.
Two things are made safe before it becomes a cell:

- **Characters a workbook cannot hold.** An XLSX is XML 1.0, which has no place for the control
  characters U+0000–U+001F other than tab, line feed and carriage return, for lone surrogates or for
  U+FFFE/U+FFFF. openpyxl refuses the first (``IllegalCharacterError``, a 500) and writes the others
  into a file no program opens. They are dropped, in CSV as well, so both files show the same text.
- **Formulas** (CSV/formula injection, OWASP): a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return gets a leading apostrophe in CSV, so a spreadsheet never evaluates a name
  someone typed into the hub. In XLSX the cell is stored as a plain string (never a formula) and
  marked as text, so Excel keeps it text also when someone edits it.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value) -> str:
    """The value as text without the characters a workbook cannot hold."""
    return UNWRITABLE.sub("", str(value))


def protect(text: str) -> str:
    """A CSV cell that no spreadsheet will take for a formula: "=1+1" → "'=1+1"."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(value) -> str:
    """A text cell for CSV: cleaned and protected."""
    return protect(clean(value))


def write_text(cell, value):
    """Write text into an openpyxl cell (also a write-only one) as text: cleaned, never a formula, marked
    so that it stays text when edited. Returns the cell."""
    text = clean(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell
