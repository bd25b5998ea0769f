"""Spreadsheets of profiles: reading CSV (as German Excel writes it) and XLSX into a table, the column
vocabulary in German and English, and the export for German Excel."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l

from hub.core.cells import unprotect
from hub.core.schemas import _m
from hub.core.spreadsheets import Column, Sheet, csv_bytes, xlsx_bytes
from regions.profiles import csvtext, services
from regions.profiles.csvtext import HEADER_SEARCH_ROWS
from regions.profiles.vocab import LANGUAGES, SUBMARKET_GERMAN_NAMES, SUBMARKETS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an XLSX is a zip: refuse one that would unpack into a bomb
MAX_COLUMNS = 60


class TransferError(ValueError):
    """The file cannot be read as a table of participants; ``message`` says why in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# -- what the columns and cells may say --------------------------------------------------------------


def fold(text: str) -> str:
    """A header or vocabulary word reduced to letters and digits: "E-Mail " → "email", "Teilmärkte" → "teilmaerkte"."""
    text = unicodedata.normalize("NFC", text).lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    return re.sub(r"[^a-z0-9]", "", text)


COLUMN_NAMES = {
    "display_name": ("name", "anzeigename", "displayname"),
    "kind": ("art", "typ", "kind", "profilart"),
    "organisation_name": ("organisation", "organization", "organisationname", "organisationsname", "firma"),
    "contact_email": ("email", "emailadresse", "mail", "contactemail", "kontaktemail"),
    "contact_phone": ("telefon", "telefonnummer", "tel", "phone", "contactphone"),
    "town": ("ort", "stadt", "wohnort", "town", "city"),
    "website": ("website", "webseite", "homepage", "internetseite", "url"),
    "pitch": ("pitch", "kurzbeschreibung"),
    "description": ("beschreibung", "description"),
    "submarkets": ("teilmarkt", "teilmaerkte", "submarket", "submarkets"),
    "sector": ("branche", "sector"),
    "offer_tags": ("angebote", "angebot", "offertags", "offers"),
    "offers_text": ("angebotetext", "angebotstext", "offerstext"),
    "need_tags": ("bedarfe", "bedarf", "suche", "needtags", "needs"),
    "needs_text": ("bedarfetext", "bedarfstext", "suchetext", "needstext"),
    "languages": ("sprachen", "sprache", "languages", "language"),
}
FIELD_BY_COLUMN = {name: key for key, names in COLUMN_NAMES.items() for name in names}
REQUIRED_COLUMNS = ("display_name", "kind", "contact_email")

FIELD_LABELS = {
    "display_name": _l("Name"),
    "kind": _l("Kind"),
    "organisation_name": _l("Organisation"),
    "contact_email": _l("E-mail"),
    "contact_phone": _l("Phone"),
    "town": _l("Town"),
    "website": _l("Website"),
    "pitch": _l("Short pitch"),
    "description": _l("Description"),
    "submarkets": _l("Submarkets"),
    "sector": _l("Sector"),
    "offer_tags": _l("Offers"),
    "offers_text": _l("What I / we can do"),
    "need_tags": _l("Looking for"),
    "needs_text": _l("What we are looking for"),
    "languages": _l("Languages"),
}

KINDS = {
    **dict.fromkeys(("kreative", "kreativ", "kreativer", "kreativschaffende", "creative"), "creative"),
    **dict.fromkeys(
        ("organisation", "organization", "unternehmen", "verein", "firma", "institution", "einrichtung"),
        "organisation",
    ),
}

# German names as the export writes them; the import reads these, the codes and SUBMARKET_GERMAN_NAMES.
SUBMARKET_NAMES_DE = {
    "music": "Musikwirtschaft",
    "books": "Buchmarkt",
    "art": "Kunstmarkt",
    "film": "Filmwirtschaft",
    "broadcasting": "Rundfunkwirtschaft",
    "performing_arts": "Markt für darstellende Künste",
    "design": "Designwirtschaft",
    "architecture": "Architekturmarkt",
    "press": "Pressemarkt",
    "advertising": "Werbemarkt",
    "software_games": "Software-/Games-Industrie",
    "other": "Sonstiges",
}
LANGUAGE_NAMES_DE = {
    "de": "Deutsch",
    "en": "Englisch",
    "cs": "Tschechisch",
    "pl": "Polnisch",
    "hsb": "Obersorbisch",
    "fr": "Französisch",
    "es": "Spanisch",
    "uk": "Ukrainisch",
    "ru": "Russisch",
    "ar": "Arabisch",
}
LANGUAGE_NAMES_EN = {
    "de": "German",
    "en": "English",
    "cs": "Czech",
    "pl": "Polish",
    "hsb": "Upper Sorbian",
    "fr": "French",
    "es": "Spanish",
    "uk": "Ukrainian",
    "ru": "Russian",
    "ar": "Arabic",
}
SUBMARKET_CODES = {
    **{fold(code): code for code in SUBMARKETS},
    **{fold(name): code for name, code in SUBMARKET_GERMAN_NAMES.items()},
    **{fold(name): code for code, name in SUBMARKET_NAMES_DE.items()},
}
LANGUAGE_CODES = {
    **{fold(code): code for code in LANGUAGES},
    **{fold(name): code for code, name in LANGUAGE_NAMES_DE.items()},
    **{fold(name): code for code, name in LANGUAGE_NAMES_EN.items()},
    "sorbisch": "hsb",
}


# -- reading a file into a table ---------------------------------------------------------------------


@dataclass
class Table:
    """The cells of an uploaded sheet: the header row and the data rows with their spreadsheet row numbers."""

    kind: str  # csv | xlsx
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]


def read_table(data: bytes, filename: str) -> Table:
    """Read an uploaded CSV or XLSX file; raise TransferError with a message the user understands."""
    if len(data) > MAX_BYTES:
        raise TransferError(_m("The file is larger than 5 MB."))
    if not data.strip().strip(b"\xef\xbb\xbf"):
        raise TransferError(_m("The file is empty."))
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TransferError(_m("This is the old Excel format (.xls). Please save it as .xlsx or as CSV."))
    if data.startswith(b"PK\x03\x04") and suffix in ("", ".xlsx", ".xlsm", ".csv", ".txt"):
        return _table("xlsx", list(enumerate(_xlsx_cells(data), start=1)))
    if suffix in (".xlsx", ".xlsm"):
        raise TransferError(_m("This file is not a readable Excel workbook (.xlsx)."))
    if suffix not in ("", ".csv", ".txt", ".tsv"):
        raise TransferError(_m("Please upload a CSV file or an Excel workbook (.xlsx)."))
    try:
        return _table("csv", csvtext.records(csvtext.decode(data), header_score=_known_columns))
    except csvtext.CsvError as exc:
        raise TransferError(exc.message) from exc


def _xlsx_cells(data: bytes) -> list[list[str]]:
    """The cells of the workbook's first sheet as text."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise TransferError(_m("The workbook is too large to read."))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some programs write a wrong size into the sheet
            rows = []
            for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                rows.append([_cell_text(value) for value in row])
                if len(rows) > MAX_ROWS + 50:
                    break
            return rows
        finally:
            workbook.close()
    except TransferError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken workbook fails in many ways inside openpyxl
        raise TransferError(_m("This file is not a readable Excel workbook (.xlsx).")) from exc


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _known_columns(cells) -> int:
    return sum(fold(cell) in FIELD_BY_COLUMN for cell in cells)


def _table(kind: str, numbered: list[tuple[int, list[str]]]) -> Table:
    """Find the header row (of the first rows, the one naming most known columns) and the data rows below it;
    every data row must have the header's shape, or the columns of the file cannot be trusted."""
    numbered = [(number, row) for number, row in numbered if any(c.strip() for c in row)]
    if not numbered:
        raise TransferError(_m("The file is empty."))
    candidates = numbered[:HEADER_SEARCH_ROWS]
    position = max(range(len(candidates)), key=lambda i: (_known_columns(candidates[i][1]), -i))
    header_row, header = numbered[position]
    rows = numbered[position + 1 :]
    if not _known_columns(header):
        raise TransferError(
            _m("No header row was found: the first row must name the columns, e.g. Name; Art; E-Mail; Ort.")
        )
    if not rows:
        raise TransferError(_m("The file has a header row but no participants."))
    if len(rows) > MAX_ROWS:
        raise TransferError(_m("The file has more than {max} rows. Please split it.").format(max=MAX_ROWS))
    for number, cells in rows:
        _check_shape(kind, header, number, cells)
    return Table(kind=kind, header=[c.strip() for c in header], header_row=header_row, rows=rows)


def _check_shape(kind: str, header: list[str], number: int, cells: list[str]) -> None:
    """A CSV row has as many fields as the header; a sheet row has no value right of the last heading."""
    if kind == "csv":
        if len(cells) != len(header):
            message = (
                _m("Line {line}: 1 field instead of {expected}.")
                if len(cells) == 1
                else _m("Line {line}: {found} fields instead of {expected}.")
            )
            raise TransferError(message.format(line=number, found=len(cells), expected=len(header)))
        return
    width = max((i + 1 for i, heading in enumerate(header) if heading.strip()), default=0)
    beyond = next((i for i, cell in enumerate(cells) if i >= width and cell.strip()), None)
    if beyond is not None:
        from openpyxl.utils import get_column_letter

        raise TransferError(
            _m("Row {line}: a value in column {column}, to the right of the last heading.").format(
                line=number, column=get_column_letter(beyond + 1)
            )
        )


# -- export ------------------------------------------------------------------------------------------

KIND_NAMES_DE = {"creative": "Kreative", "organisation": "Organisation"}
VISIBILITY_NAMES_DE = {"private": "privat", "region": "Region", "network": "Netzwerk"}
CONTACT_VISIBILITY_NAMES_DE = {"members": "Mitglieder", "on_request": "auf Anfrage"}

# German headings, a fixed file format: German Excel opens it, and the import reads it back.
EXPORT_COLUMNS = [
    (Column("display_name", "Name"), lambda p: p.display_name),
    (Column("kind", "Art"), lambda p: KIND_NAMES_DE[p.kind.value]),
    (Column("organisation_name", "Organisation"), lambda p: p.organisation_name),
    (Column("contact_email", "E-Mail"), lambda p: p.contact_email),
    (Column("contact_phone", "Telefon"), lambda p: p.contact_phone),
    (Column("town", "Ort"), lambda p: p.town),
    (Column("website", "Website"), lambda p: p.website),
    (Column("pitch", "Kurzbeschreibung"), lambda p: p.pitch),
    (Column("description", "Beschreibung"), lambda p: p.description),
    (Column("submarkets", "Teilmärkte"), lambda p: ", ".join(SUBMARKET_NAMES_DE.get(c, c) for c in p.submarkets)),
    (Column("sector", "Branche"), lambda p: p.sector),
    (Column("offer_tags", "Angebote"), lambda p: ", ".join(p.offer_tags)),
    (Column("offers_text", "Angebote (Text)"), lambda p: p.offers_text),
    (Column("need_tags", "Bedarfe"), lambda p: ", ".join(p.need_tags)),
    (Column("needs_text", "Bedarfe (Text)"), lambda p: p.needs_text),
    (Column("languages", "Sprachen"), lambda p: ", ".join(LANGUAGE_NAMES_DE.get(c, c) for c in p.languages)),
    (Column("visibility", "Sichtbarkeit"), lambda p: VISIBILITY_NAMES_DE[p.visibility.value]),
    (
        Column("contact_visibility", "Kontaktdaten sichtbar für"),
        lambda p: CONTACT_VISIBILITY_NAMES_DE[p.contact_visibility.value],
    ),
    (Column("consent", "Einwilligung"), lambda p: "ja" if p.has_consent else "nein"),
    (Column("consent_given_at", "Einwilligung am", "datetime"), lambda p: p.consent_given_at),
    (Column("account", "Benutzerkonto"), lambda p: "ja" if p.user_id else "nein"),
    (Column("created_at", "Angelegt am", "datetime"), lambda p: p.created_at),
]


def export_sheet() -> Sheet:
    """One row per active profile of the region in scope."""
    rows = [{column.key: get(p) for column, get in EXPORT_COLUMNS} for p in services.list_profiles()]
    return Sheet("Profile", [column for column, _get in EXPORT_COLUMNS], rows)


def _unescape(value: str) -> str:
    """A cell of an uploaded CSV as its text, also where the export kept it from becoming a formula or a number."""
    return unprotect(value)


def export_csv() -> bytes:
    """The export as German Excel opens it (`hub.core.spreadsheets`)."""
    return csv_bytes(export_sheet())


def export_xlsx() -> bytes:
    """The export as an Excel workbook; text cells stay text, never formulas."""
    return xlsx_bytes([export_sheet()])
