"""Every spreadsheet the hub hands out, opened as a German user opens it: no cell is altered.

The exports are found in the URL map (every GET route whose path ends in .csv or .xlsx or whose endpoint
is an export); each is fetched by every role its view lets in, on demo-like data that holds what German
spreadsheets like to break: the postcode 01067, the phone number 035214567890, umlauts, the amount
1.234,56, a date-time, text that looks like a date or a formula. A CSV file is read with the rules German
Excel and LibreOffice Calc apply (tests/spreadsheet_reader.py), a workbook with openpyxl, and every cell
is compared with what the hub meant: the same text, the same number, a date-time in Europe/Berlin with a
four-digit year. Report files are compared with the report's own tables, cell by cell.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from flask_babel import gettext as _
from sqlalchemy import select, update

from hub.core.db import berlin_today, db
from hub.core.tenancy import all_regions
from regions.events.models import Registration
from regions.events.vocab import REGISTRATION_LABELS, RegistrationStatus
from regions.profiles.models import Profile
from shared.reports import kpis
from shared.reports.period import resolve
from shared.reports.views import TABLE_ORDER
from tests.spreadsheet_reader import open_csv, xlsx_value

HOME, MATCH_REGION = "erzgebirge", "dresden"
POSTCODE, PHONE, INTERNATIONAL = "01067", "035214567890", "+49 351 4567890"
REGISTERED = datetime(2026, 12, 6, 15, 53, tzinfo=UTC)  # 16:53 in Berlin
CHECKED_IN = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
CREATED = datetime(2026, 3, 30, 22, 30, tzinfo=UTC)  # 31.03.2026 00:30 in Berlin: the day differs from UTC's
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Routes that download something else than a spreadsheet, and what they answer instead.
OTHER_DOWNLOADS = {
    "privacy.export_page": "one's own data as a readable page (HTML)",
    "privacy.export_json": "one's own data as JSON",
    "privacy.export_zip": "one's own data as JSON with the uploaded files, in a ZIP archive",
    "region.members.export": "a member's data of the region as JSON",
    "api_privacy.export": "one's own data in the API (JSON)",
}


# -- what each cell should read as ------------------------------------------------------------------


def berlin(moment: datetime) -> datetime:
    """A moment as Berlin's wall-clock time, as a spreadsheet holds it."""
    return moment.astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None)


def expected(value, kind: str, fmt: str):
    """What a cell holding this value of this column kind should read as in a CSV file or a workbook."""
    if value is None or value == "":
        return None
    if kind == "int":
        return Decimal(int(value))
    if kind == "money":
        return Decimal(value) / 100 if isinstance(value, int) else Decimal(value)
    if kind == "percent":
        return Decimal(f"{float(value) * 100:.1f}") if fmt == "csv" else Decimal(str(float(value)))
    if kind == "date" and isinstance(value, date):
        return value
    if kind == "datetime" and isinstance(value, datetime):
        return berlin(value).replace(second=0, microsecond=0) if fmt == "csv" else berlin(value)
    text = str(value)
    if fmt == "csv" and text.startswith(FORMULA_START):
        return "'" + text  # the documented defusing: an apostrophe, never a formula
    return text


def kind_of(value) -> str:
    return "datetime" if isinstance(value, datetime) else "text"


def check_number_format(cell, kind: str) -> None:
    """Dates with a four-digit year in German order, money in euros, text marked as text."""
    if cell.value is None:
        return
    if kind in ("date", "datetime"):
        assert cell.is_date and cell.number_format.startswith("DD.MM.YYYY"), (cell.coordinate, cell.number_format)
        assert ("HH:MM" in cell.number_format) == (kind == "datetime")
    elif kind == "money":
        assert "€" in cell.number_format and "0.00" in cell.number_format, cell.coordinate
    elif kind == "text":
        assert cell.data_type == "s", (cell.coordinate, cell.data_type)


@dataclass
class Expected:
    """One sheet as the hub means it: headings, then rows of (value, kind) by column."""

    headings: list[str]
    rows: list[list[tuple]]
    note: str = ""

    def csv(self) -> list[list]:
        return [[expected(h, "text", "csv") for h in self.headings]] + [
            [expected(v, k, "csv") for v, k in row] for row in self.rows
        ]


def check_csv(response, sheet: Expected) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CSV_TYPE
    assert response.data.startswith(b"\xef\xbb\xbf") and b"\r\n" in response.data
    assert open_csv(response.data) == sheet.csv()


def check_xlsx_sheet(ws, sheet: Expected) -> None:
    rows = list(ws.iter_rows())
    assert [xlsx_value(c) for c in rows[0]] == sheet.headings
    for cells, row in zip(rows[1:], sheet.rows, strict=False):
        assert [xlsx_value(c) for c in cells] == [expected(v, k, "xlsx") for v, k in row]
        for cell, (_value, kind) in zip(cells, row, strict=True):
            check_number_format(cell, kind)
    assert len(rows) - 1 == len(sheet.rows) + (2 if sheet.note else 0)
    if sheet.note:
        assert [xlsx_value(c) for c in rows[-1] if c.value is not None] == [sheet.note]


def open_xlsx(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.data))


# -- the demo world ---------------------------------------------------------------------------------


@pytest.fixture
def world(app, make):
    """Profiles and an event with registrations in Erzgebirge, a funded match in Dresden."""
    kaethe = make.profile(
        HOME,
        name="Käthe Größel",
        visibility="network",
        contact_email="kaethe@example.org",
        contact_phone=PHONE,
        town="Annaberg-Buchholz",
        submarkets=["design", "performing_arts"],
        offer_tags=["Weißnäherei", "Übersetzung"],
        languages=["de", "cs"],
        pitch="Kostüme für Bühne & Film",
        description=f"Werkstatt in {POSTCODE} Dresden",
        offers_text="Zeile eins\nZeile zwei",
    )
    holzwerk = make.profile(
        HOME,
        name="Holzwerk e. V.",
        kind="organisation",
        sector="Handwerk",
        contact_email="info@holzwerk.example",
        contact_phone=INTERNATIONAL,
        town="Dresden",
        pitch='=HYPERLINK("http://evil.example")',
    )
    questions = [
        {"key": "q1", "label": "Postleitzahl", "required": False},
        {"key": "q2", "label": "Telefon", "required": False},
        {"key": "q3", "label": "Betrag (€)", "required": False},
        {"key": "q4", "label": "Anmerkung", "required": False},
    ]
    event = make.event(HOME, title="Werkstattabend Größenwahn", questions=questions)
    juergen = make.participant(HOME, name="Jürgen Größe", email="juergen@example.org")
    anna = make.participant(HOME, name="Anna Schröder", email="anna@example.org")
    first = make.registration(event, juergen, {"q1": POSTCODE, "q2": PHONE, "q3": "1.234,56", "q4": "=SUMME(A1)"})
    second = make.registration(event, anna, {"q1": "", "q2": INTERNATIONAL, "q3": "", "q4": "11/2026"})

    cohort = make.cohort(name="Durchgang Größenwahn")
    match = make.match(MATCH_REGION, cohort, title="Ährenfeld 2026")
    make.ledger_entry(match, "commitment", "2000.00")
    make.ledger_entry(match, "payment", "1234.56")
    make.milestone(match, title="Entwurf 01067", due_on=berlin_today() - timedelta(days=10))

    with app.app_context(), all_regions():
        for registration, changes in [
            (first, {"queued_at": REGISTERED, "checked_in_at": CHECKED_IN}),
            (second, {"queued_at": REGISTERED + timedelta(minutes=7)}),
        ]:
            db.session.execute(update(Registration).where(Registration.id == registration.id).values(**changes))
        for profile in db.session.scalars(select(Profile).where(Profile.id.in_([kaethe.id, holzwerk.id]))):
            profile.created_at = CREATED
            if profile.id == kaethe.id:
                profile.consent_given_at = REGISTERED
        db.session.commit()
    return {"event": event, "cohort": cohort}


def registrations_sheet(app) -> Expected:
    with app.test_request_context():
        status = str(REGISTRATION_LABELS[RegistrationStatus.REGISTERED])
        headings = [_("Name"), _("E-mail address"), _("Status"), _("Registered at"), _("Checked in")]
    rows = [
        ["Jürgen Größe", "juergen@example.org", status, REGISTERED, CHECKED_IN, POSTCODE, PHONE, "1.234,56",
         "=SUMME(A1)"],
        ["Anna Schröder", "anna@example.org", status, REGISTERED + timedelta(minutes=7), None, None, INTERNATIONAL,
         None, "11/2026"],
    ]  # fmt: skip
    return Expected(
        [*headings, "Postleitzahl", "Telefon", "Betrag (€)", "Anmerkung"],
        [[(value, kind_of(value)) for value in row] for row in rows],
    )


PROFILE_HEADINGS = [
    "Name", "Art", "Organisation", "E-Mail", "Telefon", "Ort", "Website", "Kurzbeschreibung", "Beschreibung",
    "Teilmärkte", "Branche", "Angebote", "Angebote (Text)", "Bedarfe", "Bedarfe (Text)", "Sprachen", "Sichtbarkeit",
    "Kontaktdaten sichtbar für", "Einwilligung", "Einwilligung am", "Benutzerkonto", "Angelegt am",
]  # fmt: skip


def profiles_sheet() -> Expected:
    holzwerk = [
        "Holzwerk e. V.", "Organisation", None, "info@holzwerk.example", INTERNATIONAL, "Dresden", None,
        '=HYPERLINK("http://evil.example")', None, None, "Handwerk", None, None, None, None, None, "privat",
        "auf Anfrage", "nein", None, "nein", CREATED,
    ]  # fmt: skip
    kaethe = [
        "Käthe Größel", "Kreative", None, "kaethe@example.org", PHONE, "Annaberg-Buchholz", None,
        "Kostüme für Bühne & Film", f"Werkstatt in {POSTCODE} Dresden",
        "Designwirtschaft, Markt für darstellende Künste", None, "Weißnäherei, Übersetzung", "Zeile eins\nZeile zwei",
        None, None, "Deutsch, Tschechisch", "Netzwerk", "auf Anfrage", "ja", REGISTERED, "nein", CREATED,
    ]  # fmt: skip
    return Expected(PROFILE_HEADINGS, [[(v, kind_of(v)) for v in row] for row in (holzwerk, kaethe)])


def report_table_sheet(table, fmt: str) -> Expected:
    """A report table as its file should read: the headings (CSV: a percent column says "(%)"), the rows
    and the total row, each cell by its column's kind; the note below it in the workbook. Call it in a
    request, so the table's words are in the file's language."""
    headings = [f"{c.label} (%)" if fmt == "csv" and c.kind == "percent" else str(c.label) for c in table.columns]
    rows = [
        [(str(row[c.key]) if c.kind == "text" and row.get(c.key) else row.get(c.key), c.kind) for c in table.columns]
        for row in table.all_rows()
    ]
    return Expected(headings, rows, str(table.note) if fmt == "xlsx" else "")


def report_sheets(app, region_slug: str | None, cohort) -> dict[str, dict[str, Expected]]:
    """Each table of the report (of one region, or of all) as its CSV file and its sheet should read."""
    from hub.core.tenancy.registry import active_regions

    with app.test_request_context():
        regions = [r for r in active_regions() if region_slug in (None, r.slug)]
        tables = kpis.compute(regions, resolve({"cohort": cohort.id}))
        return {key: {fmt: report_table_sheet(tables[key], fmt) for fmt in ("csv", "xlsx")} for key in TABLE_ORDER}


# -- finding the exports and who may fetch them -----------------------------------------------------


def spreadsheet_routes(app) -> set[str]:
    """Every GET route that may answer a spreadsheet: its path ends in .csv or .xlsx, or it is an export."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and (rule.rule.endswith((".csv", ".xlsx")) or "export" in rule.endpoint)
    }


def roles_of(app, endpoint: str) -> list[str]:
    """The roles the route's view lets in: a coordinator's view also the umbrella (it reads) and admins."""
    view = app.view_functions[endpoint]
    if getattr(view, "hub_umbrella_only", False):
        return ["umbrella", "admin"]
    assert {r.value for r in view.hub_roles} == {"coordinator", "admin"}, endpoint
    return ["coordinator", "umbrella", "admin"]


def client_as(app, make, role: str, region: str):
    client = app.test_client()
    person = {"coordinator": lambda: make.coordinator(region), "umbrella": make.umbrella, "admin": make.admin}[role]()
    assert client.post("/login", data={"email": person.email, "password": "correct horse battery"}).status_code == 302
    return client


def check_registrations(app, client, world, fmt):
    event = world["event"]
    response = client.get(f"/{HOME}/events/{event.id}/registrations.{fmt}")
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="anmeldungen-{event.id}.{fmt}"')
    if fmt == "csv":
        check_csv(response, registrations_sheet(app))
    else:
        check_xlsx_sheet(open_xlsx(response).worksheets[0], registrations_sheet(app))


def check_profiles(app, client, world, fmt):
    response = client.get(f"/{HOME}/profiles/export.{fmt}")
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="profile-{HOME}-')
    if fmt == "csv":
        check_csv(response, profiles_sheet())
    else:
        check_xlsx_sheet(open_xlsx(response).worksheets[0], profiles_sheet())


def check_report(app, client, world, base: str, region: str | None):
    """Every table as CSV, one table and all tables as workbooks, each cell against the report's tables."""
    cohort = world["cohort"]
    sheets = report_sheets(app, region, cohort)
    funding = sheets["funding"]["csv"]
    dresden = next(row for row in funding.rows if row[0][0] == "Dresden")
    with app.test_request_context():
        paid = funding.headings.index(_("Paid"))
    assert expected(*dresden[paid], "csv") == Decimal("1234.56")  # the demo amount is in the report
    for key in TABLE_ORDER:
        response = client.get(f"{base}?cohort={cohort.id}&table={key}&format=csv")
        name = f'attachment; filename="cimis-{region or "alle-regionen"}-'
        assert response.headers["Content-Disposition"].startswith(name)
        check_csv(response, sheets[key]["csv"])
    book = open_xlsx(client.get(f"{base}?cohort={cohort.id}&table=funding&format=xlsx"))
    check_xlsx_sheet(book.worksheets[-1], sheets["funding"]["xlsx"])
    book = open_xlsx(client.get(f"{base}?cohort={cohort.id}"))
    overview, *tables = book.worksheets
    assert all(isinstance(xlsx_value(c), str) for row in overview.iter_rows() for c in row if c.value is not None)
    for ws, key in zip(tables, TABLE_ORDER, strict=True):
        check_xlsx_sheet(ws, sheets[key]["xlsx"])


EXPORTS = {
    "region.events.export_csv": (HOME, lambda app, client, world: check_registrations(app, client, world, "csv")),
    "region.events.export_xlsx": (HOME, lambda app, client, world: check_registrations(app, client, world, "xlsx")),
    "region.transfer.export_csv": (HOME, lambda app, client, world: check_profiles(app, client, world, "csv")),
    "region.transfer.export_xlsx": (HOME, lambda app, client, world: check_profiles(app, client, world, "xlsx")),
    "reports.region_export": (
        MATCH_REGION,
        lambda app, client, world: check_report(app, client, world, f"/{MATCH_REGION}/dashboard/export", MATCH_REGION),
    ),
    "reports.umbrella_export": (
        None,
        lambda app, client, world: check_report(app, client, world, "/umbrella/dashboard/export", None),
    ),
}


def test_every_route_that_may_answer_a_spreadsheet_is_checked_here(app):
    assert spreadsheet_routes(app) == set(EXPORTS) | set(OTHER_DOWNLOADS)


@pytest.mark.parametrize("endpoint", sorted(EXPORTS))
def test_every_cell_of_the_export_reads_back_unaltered_for_every_role(app, make, world, endpoint):
    region, check = EXPORTS[endpoint]
    for role in roles_of(app, endpoint):
        check(app, client_as(app, make, role, region or HOME), world)


def test_the_other_downloads_are_no_spreadsheets(app, make, world):
    member = make.membership(HOME, name="Jürgen Größel")
    client = client_as(app, make, "coordinator", HOME)
    answer = client.get(f"/{HOME}/members/{member.id}/export")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    for path, mimetype in [("/account/data", "text/html"), ("/account/data.json", "application/json")]:
        assert client.get(path).mimetype == mimetype
    assert client.get("/account/data.zip").mimetype == "application/zip"
    token = make.access_token(make.participant(HOME))
    api = app.test_client().get("/api/v1/me/export", headers={"Authorization": f"Bearer {token.extra}"})
    assert api.status_code == 200 and api.mimetype == "application/json"


def test_only_the_one_writer_writes_csv_or_xlsx():
    """Every CSV and XLSX file comes from hub.core.spreadsheets, so the rules above hold for every export."""
    root = Path(__file__).resolve().parent.parent
    writers = ("csv.writer(", "csv.DictWriter(", "Workbook(", '"text/csv')
    found = [
        str(path.relative_to(root))
        for package in ("hub", "regions", "shared")
        for path in (root / package).rglob("*.py")
        if any(w in path.read_text(encoding="utf-8") for w in writers)
    ]
    assert found == ["hub/core/spreadsheets.py"]
