"""Report tables as files: CSV for German Excel and XLSX workbooks, and the responses that serve them.

Both render the same `Table` the pages show, cell by cell from its raw values, so a figure cannot
differ between page and file.

**CSV** is written for German Excel opened by double-click, which reads a file in the Windows locale:
UTF-8 with a byte order mark (else umlauts break), ``;`` between cells (``,`` is the decimal comma),
CRLF line ends, numbers without thousands separators and with a decimal comma (money ``1234,56``
without a currency sign, so Excel sees a number), dates ``26.11.2026``. Percentages are written as
percent *points* with one decimal (``45,5``) and the unit in the heading ("Teilnahmequote (%)"):
that is what people type and read in a sheet, and Excel would otherwise show ``0,455``. An empty
cell stands for "nothing to count" (a rate without a denominator). The file format stays German
also when the user reads the hub in English; only the headings follow the user's language.

**XLSX** cells are typed and formatted, so the file is the same in any Excel language: counts as
numbers, money as exact decimal euros shown ``1.234,56 €``, rates as fractions shown ``45,5 %``,
dates as dates shown ``26.11.2026``; the heading row is bold and frozen, the total row bold and
left out of the filter range, the table's note two rows below it.

Text cells follow the hub's one rule for spreadsheet cells (`hub.core.cells`): characters a workbook cannot
hold are dropped, and nothing someone typed into the hub becomes a formula.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from flask import Response
from flask_babel import gettext as _

from hub.core.cells import clean, csv_text, write_text
from hub.core.pdf import created_note, slug_filename
from shared.reports.period import BERLIN
from shared.reports.tables import Column, Table, display, euros

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MONEY_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = "0.0 %"
DATE_FORMAT = "DD.MM.YYYY"
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
WIDTH_MIN, WIDTH_MAX = 8, 45


def _csv_heading(column: Column) -> str:
    label = str(column.label)
    return f"{label} (%)" if column.kind == "percent" else label


def _german_number(value: Decimal | float, places: int) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def csv_cell(value, kind: str) -> str:
    """One cell as German Excel reads it: 1234 · 1234,56 · 45,5 · 26.11.2026 · text."""
    if value is None or value == "":
        return ""
    if kind == "int":
        return str(int(value))
    if kind == "money":
        return _german_number(euros(value), 2)
    if kind == "percent":
        return _german_number(float(value) * 100, 1)
    if kind == "date":
        return value.strftime("%d.%m.%Y") if isinstance(value, date) else csv_text(value)
    return csv_text(value)


def table_csv(table: Table) -> bytes:
    """The table as a CSV file for German Excel: a heading row, the rows, the total row last."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_text(_csv_heading(c)) for c in table.columns])
    for row in table.all_rows():
        writer.writerow([csv_cell(row.get(c.key), c.kind) for c in table.columns])
    return out.getvalue().encode("utf-8-sig")


# -- XLSX -------------------------------------------------------------------------------------------


@functools.cache
def _styles() -> dict:
    """The workbooks' fonts, fill and rule; openpyxl is loaded with the first workbook, not at start-up."""
    from openpyxl.styles import Font, PatternFill, Side

    return {
        "bold": Font(bold=True),
        "title": Font(bold=True, size=14),
        "note": Font(italic=True, color="555555"),
        "heading_fill": PatternFill("solid", start_color="E6E6E6", end_color="E6E6E6"),
        "rule": Side(style="thin", color="888888"),
    }


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


def _put(cell, value, kind: str) -> None:
    """Write a typed value: numbers as numbers, money as exact euros, rates as fractions, dates as dates."""
    if value is None or value == "":
        return
    if kind == "int":
        cell.value = int(value)
    elif kind == "money":
        cell.value = euros(value)
        cell.number_format = MONEY_FORMAT
    elif kind == "percent":
        cell.value = float(value)
        cell.number_format = PERCENT_FORMAT
    elif kind == "date" and isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        write_text(cell, value)


def _width(column: Column, rows: list[dict]) -> float:
    shown = [len(display(row.get(column.key), column.kind)) for row in rows]
    longest_word = max((len(w) for w in str(column.label).split()), default=0)
    return min(max([WIDTH_MIN, longest_word, *shown]) + 2, WIDTH_MAX)


def _table_sheet(ws, table: Table) -> None:
    from openpyxl.styles import Alignment, Border
    from openpyxl.utils import get_column_letter

    style = _styles()
    columns = table.columns
    for i, column in enumerate(columns, 1):
        cell = write_text(ws.cell(1, i), column.label)  # the cells show their unit: "45,5 %"
        cell.font, cell.fill = style["bold"], style["heading_fill"]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = Border(bottom=style["rule"])
        ws.column_dimensions[get_column_letter(i)].width = _width(column, table.all_rows())
    for r, row in enumerate(table.rows, 2):
        for i, column in enumerate(columns, 1):
            _put(ws.cell(r, i), row.get(column.key), column.kind)
    last = len(table.rows) + 1
    if table.total is not None:
        last += 1
        for i, column in enumerate(columns, 1):
            cell = ws.cell(last, i)
            _put(cell, table.total.get(column.key), column.kind)
            cell.font, cell.border = style["bold"], Border(top=style["rule"])
    ws.freeze_panes = "A2"
    if table.rows:  # sorting and filtering leave the total row where it is
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(table.rows) + 1}"
    if str(table.note):
        write_text(ws.cell(last + 2, 1), table.note).font = style["note"]


def tables_xlsx(
    tables: Sequence[Table],
    *,
    title: str,
    subtitle_lines: Sequence[str] = (),
    generated_at: datetime | None = None,
) -> bytes:
    """A workbook: an overview sheet (title, what the report covers, when it was made, the sheets), then
    one sheet per table with typed cells. The same tables and `generated_at` give the same bytes."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    style = _styles()
    generated_at = generated_at or datetime.now(UTC)
    wb = Workbook()
    overview = wb.active
    overview.title = sheet_names([_("Overview")])[0]
    names = sheet_names([str(t.title) for t in tables], taken=[overview.title])

    write_text(overview.cell(1, 1), title).font = style["title"]
    row = 2
    for line in [*subtitle_lines, created_note(generated_at)]:
        write_text(overview.cell(row, 1), line)
        row += 1
    write_text(overview.cell(row + 1, 1), _("Contents")).font = style["bold"]
    for offset, (name, table) in enumerate(zip(names, tables, strict=True), row + 2):
        link = overview.cell(offset, 1)
        link.style = "Hyperlink"
        quoted = name.replace("'", "''")  # an apostrophe in a sheet reference is doubled
        link.hyperlink = f"#'{quoted}'!A1"
        write_text(link, name)
        if str(table.note):
            write_text(overview.cell(offset, 2), table.note)
    overview.column_dimensions["A"].width = WIDTH_MAX
    overview.column_dimensions["B"].width = 100

    for name, table in zip(names, tables, strict=True):
        _table_sheet(wb.create_sheet(name), table)

    moment = generated_at.astimezone(UTC).replace(tzinfo=None)
    wb.properties.creator = "CIMIS Hub"
    wb.properties.title = clean(title)
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


def _attachment(data: bytes, mimetype: str, filename: str, ext: str) -> Response:
    """A file to be saved, with an ASCII name and the exact UTF-8 one (RFC 6266/5987); never cached by others."""
    if not filename.lower().endswith(f".{ext}"):
        filename = f"{filename}.{ext}"
    ascii_name = slug_filename(filename[: -len(ext) - 1], ext=ext)
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(table: Table, filename: str) -> Response:
    """Serve one table as a CSV download for German Excel."""
    return _attachment(table_csv(table), CSV_MIMETYPE, filename, "csv")


def xlsx_response(data: bytes, filename: str) -> Response:
    """Serve a workbook made by `tables_xlsx` as a download."""
    return _attachment(data, XLSX_MIMETYPE, filename, "xlsx")
