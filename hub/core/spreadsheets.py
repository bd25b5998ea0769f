"""Every spreadsheet the hub hands out: CSV for German Excel, XLSX workbooks, and the download that serves them.

An export declares its columns once, each with a heading and a **kind**, and gives rows of raw values
(dicts by column key); how a kind is written is decided here and nowhere else, so a postcode, a time or
an amount looks the same in every file of the hub:

============  ==========================  ==============================  ===================================
kind          value                       CSV                             XLSX
============  ==========================  ==============================  ===================================
``text``      anything, as text           the text, kept as text (below)  a text cell
``int``       ``int``                     ``1234``                        a number
``money``     ``int`` cents or            ``1234,56`` (no € sign, so      an exact number, shown
              ``Decimal`` euros           Excel sees a number)            ``1.234,56 €``
``percent``   ``float`` 0..1              ``45,5`` (points; the heading   a fraction, shown ``45,5 %``
                                          says "(%)")
``date``      ``date``                    ``26.11.2026``                  a date, shown ``26.11.2026``
``datetime``  ``datetime`` (aware; naive  ``06.12.2026 16:53`` in         a date and time in Europe/Berlin,
              ones are UTC)               Europe/Berlin                   shown ``06.12.2026 16:53``
============  ==========================  ==============================  ===================================

``None`` or ``""`` is an empty cell. A ``date`` or ``datetime`` cell that holds something else is text.

**CSV** is written for German Excel opened by double-click, which reads the file in the Windows locale,
and for LibreOffice Calc with its defaults: UTF-8 with a byte order mark (else umlauts break), ``;``
between cells (``,`` is the decimal comma), CRLF line ends, numbers without thousands separators and with a
decimal comma, dates and times with a four-digit year (a two-digit one is a guess about the century).
Text follows `hub.core.cells`: never a formula, and text that a spreadsheet would take for a number or a
date (postcode "01067", phone "035214567890", "11/2026") is written so that it stays the same text. The
format stays German also when the user reads the hub in English; only headings follow the language.

**XLSX** cells are typed and formatted, so a file is the same in any Excel language; the heading row is
bold and frozen, a total row bold and left out of the filter range, a sheet's note two rows below it.
`xlsx_bytes` may put an overview sheet first (a title, lines that say what the file covers, when it was
made, links to the sheets). The same sheets and ``generated_at`` give the same bytes.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from flask import Response
from flask_babel import gettext as _

from hub.core.cells import clean, csv_text, write_text
from hub.core.db import BERLIN
from hub.core.money import from_cents

KINDS = ("text", "int", "money", "percent", "date", "datetime")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MONEY_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = "0.0 %"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
CSV_DATE, CSV_DATETIME = "%d.%m.%Y", "%d.%m.%Y %H:%M"
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
WIDTH_MIN, WIDTH_MAX = 8, 45


@dataclass(frozen=True)
class Column:
    """A column of an export: its key in each row, its heading and the kind of its cells."""

    key: str
    label: object
    kind: str = "text"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Sheet:
    """One table of an export. Anything with these attributes will do (the reports' `Table` is one)."""

    title: object
    columns: Sequence[Column]
    rows: list[dict] = field(default_factory=list)
    total: dict | None = None
    note: object = ""


def _rows(sheet) -> list[dict]:
    return list(sheet.rows) + ([sheet.total] if sheet.total is not None else [])


def euros(value) -> Decimal:
    """Money as exact euros: a ``Decimal`` is euros already, an ``int`` is cents."""
    return value if isinstance(value, Decimal) else from_cents(value or 0)


def local_time(moment: datetime) -> datetime:
    """A moment as the wall-clock time in Europe/Berlin, without a zone (spreadsheets have none)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN).replace(tzinfo=None)


# -- CSV --------------------------------------------------------------------------------------------


def _german_number(value, places: int) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def csv_heading(column) -> str:
    label = str(column.label)
    return csv_text(f"{label} (%)" if column.kind == "percent" else label)


def csv_cell(value, kind: str) -> str:
    """One cell as German Excel reads it: 1234 · 1234,56 · 45,5 · 26.11.2026 · 06.12.2026 16:53 · text."""
    if value is None or value == "":
        return ""
    if kind == "int":
        return str(int(value))
    if kind == "money":
        return _german_number(euros(value), 2)
    if kind == "percent":
        return _german_number(float(value) * 100, 1)
    if kind == "datetime" and isinstance(value, datetime):
        return local_time(value).strftime(CSV_DATETIME)
    if kind == "date" and isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime(CSV_DATE)
    return csv_text(value)


def csv_bytes(sheet) -> bytes:
    """The sheet as a CSV file for German Excel: a heading row, the rows, the total row last."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_heading(c) for c in sheet.columns])
    for row in _rows(sheet):
        writer.writerow([csv_cell(row.get(c.key), c.kind) for c in sheet.columns])
    return out.getvalue().encode("utf-8-sig")


# -- XLSX -------------------------------------------------------------------------------------------


def sheet_names(titles: Sequence[str], taken: Sequence[str] = ()) -> list[str]:
    """Excel sheet names for these titles: at most 31 characters, none of []:*?/\\, unique (Excel ignores
    case), no apostrophe at either end."""
    used = {t.casefold() for t in taken}
    names = []
    for number, title in enumerate(titles, 1):
        base = " ".join(SHEET_NAME_FORBIDDEN.sub(" ", clean(title)).split()).strip("'").strip() or str(number)
        name, n = base[:SHEET_NAME_MAX].rstrip(), 1
        while name.casefold() in used:
            n += 1
            suffix = f" ({n})"
            name = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        used.add(name.casefold())
        names.append(name)
    return names


def _put(cell, value, kind: str):
    """Write a typed value into a cell: numbers as numbers, money as exact euros, rates as fractions, dates and
    times as dates in Europe/Berlin, everything else as text."""
    if value is None or value == "":
        return cell
    if kind == "int":
        cell.value = int(value)
    elif kind == "money":
        cell.value, cell.number_format = euros(value), MONEY_FORMAT
    elif kind == "percent":
        cell.value, cell.number_format = float(value), PERCENT_FORMAT
    elif kind == "datetime" and isinstance(value, datetime):
        cell.value, cell.number_format = local_time(value).replace(microsecond=0), DATETIME_FORMAT
    elif kind == "date" and isinstance(value, date) and not isinstance(value, datetime):
        cell.value, cell.number_format = value, DATE_FORMAT
    else:
        write_text(cell, value)
    return cell


def _shown_width(value, kind: str) -> int:
    """About how many characters a cell shows."""
    if value is None or value == "":
        return 1
    if kind == "int":
        return len(f"{int(value):,}")
    if kind == "money":
        return len(f"{euros(value):,.2f} €")
    if kind == "percent":
        return len(f"{float(value) * 100:.1f} %")
    if kind == "datetime" and isinstance(value, datetime):
        return 16
    if kind == "date" and isinstance(value, date):
        return 10
    return max((len(line) for line in clean(value).splitlines()), default=0)


def _width(column, rows: list[dict]) -> float:
    shown = [_shown_width(row.get(column.key), column.kind) for row in rows]
    longest_word = max((len(w) for w in str(column.label).split()), default=0)
    return min(max([WIDTH_MIN, longest_word, *shown]) + 2, WIDTH_MAX)


def _write_sheet(ws, sheet, styles) -> None:
    """A table on a write-only sheet: widths, frozen heading and filter first (they precede the rows in the
    file), then the heading, the rows, the total row and the note."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border
    from openpyxl.utils import get_column_letter

    columns, rows = sheet.columns, list(sheet.rows)
    everything = _rows(sheet)
    for i, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = _width(column, everything)
    ws.freeze_panes = "A2"
    if rows and columns:  # sorting and filtering leave the total row where it is
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"

    heading = []
    for column in columns:
        cell = write_text(WriteOnlyCell(ws), column.label)  # the cells show their unit: "45,5 %"
        cell.font, cell.fill = styles["bold"], styles["heading_fill"]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = Border(bottom=styles["rule"])
        heading.append(cell)
    ws.append(heading)
    for row in rows:
        ws.append([_put(WriteOnlyCell(ws), row.get(c.key), c.kind) for c in columns])
    if sheet.total is not None:
        cells = []
        for column in columns:
            cell = _put(WriteOnlyCell(ws), sheet.total.get(column.key), column.kind)
            cell.font, cell.border = styles["bold"], Border(top=styles["rule"])
            cells.append(cell)
        ws.append(cells)
    if str(sheet.note or ""):
        note = write_text(WriteOnlyCell(ws), sheet.note)
        note.font = styles["note"]
        ws.append([])
        ws.append([note])


def _write_overview(ws, names, sheets, title, lines, styles) -> None:
    from openpyxl.cell import WriteOnlyCell

    ws.column_dimensions["A"].width = WIDTH_MAX
    ws.column_dimensions["B"].width = 100
    heading = write_text(WriteOnlyCell(ws), title)
    heading.font = styles["title"]
    ws.append([heading])
    for line in lines:
        ws.append([write_text(WriteOnlyCell(ws), line)])
    ws.append([])
    contents = write_text(WriteOnlyCell(ws), _("Contents"))
    contents.font = styles["bold"]
    ws.append([contents])
    for name, sheet in zip(names, sheets, strict=True):
        link = WriteOnlyCell(ws)
        link.style = "Hyperlink"
        quoted = name.replace("'", "''")  # an apostrophe in a sheet reference is doubled
        link.hyperlink = f"#'{quoted}'!A1"
        write_text(link, name)
        note = str(sheet.note or "")
        ws.append([link, write_text(WriteOnlyCell(ws), note)] if note else [link])


def xlsx_bytes(
    sheets: Sequence,
    *,
    title: str | None = None,
    subtitle_lines: Sequence[str] = (),
    generated_at: datetime | None = None,
) -> bytes:
    """A workbook with one sheet per table, after an overview sheet when a ``title`` is given (the title, what
    the file covers, when it was made, the sheets). The same sheets and ``generated_at`` give the same bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Side
    from openpyxl.writer.excel import ExcelWriter

    from hub.core.pdf import created_note

    styles = {
        "bold": Font(bold=True),
        "title": Font(bold=True, size=14),
        "note": Font(italic=True, color="555555"),
        "heading_fill": PatternFill("solid", start_color="E6E6E6", end_color="E6E6E6"),
        "rule": Side(style="thin", color="888888"),
    }
    generated_at = generated_at or datetime.now(UTC)
    wb = Workbook(write_only=True)
    taken = sheet_names([_("Overview")]) if title is not None else []
    names = sheet_names([str(s.title) for s in sheets], taken=taken)
    if title is not None:
        lines = [*subtitle_lines, created_note(generated_at)]
        _write_overview(wb.create_sheet(taken[0]), names, sheets, title, lines, styles)
    for name, sheet in zip(names, sheets, strict=True):
        _write_sheet(wb.create_sheet(name), sheet, styles)

    moment = generated_at.astimezone(UTC).replace(tzinfo=None)
    wb.properties.creator = "CIMIS Hub"
    wb.properties.title = clean(title if title is not None else names[0] if names else "")
    wb.properties.created = wb.properties.modified = moment
    out = io.BytesIO()
    ExcelWriter(wb, _FixedTimeZip(out, generated_at.astimezone(BERLIN))).save()
    return out.getvalue()


class _FixedTimeZip(ZipFile):
    """A zip archive whose members all carry one given time instead of the clock's, so that the same
    workbook is the same file (openpyxl writes its parts with ``writestr(name, …)`` and its sheets from
    temporary files with ``write(path, name)``)."""

    def __init__(self, file, moment: datetime):
        super().__init__(file, "w", ZIP_DEFLATED, allowZip64=True)
        self._date_time = (max(moment.year, 1980), *moment.timetuple()[1:6])

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            zinfo_or_arcname.compress_type = self.compression
            zinfo_or_arcname.external_attr = 0o600 << 16
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as part:
            self.writestr(arcname or os.path.basename(filename), part.read(), compress_type, compresslevel)


# -- serving ----------------------------------------------------------------------------------------

CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


def download(data: bytes, filename: str) -> Response:
    """A CSV or XLSX file (by the name's extension) to be saved, with an ASCII name and the exact UTF-8 one
    (RFC 6266/5987); never cached by others, as exports hold personal data."""
    from hub.core.pdf import slug_filename

    stem, _dot, ext = filename.rpartition(".")
    ext = ext.lower()
    ascii_name = slug_filename(stem, ext=ext)
    response = Response(data, content_type=CONTENT_TYPES[ext])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(sheet, filename: str) -> Response:
    """Serve one sheet as a CSV download for German Excel (``filename`` ends in .csv)."""
    return download(csv_bytes(sheet), filename)


def xlsx_response(sheets: Sequence, filename: str, **overview) -> Response:
    """Serve sheets as an XLSX workbook (``filename`` ends in .xlsx; ``overview`` as for `xlsx_bytes`)."""
    return download(xlsx_bytes(sheets, **overview), filename)
