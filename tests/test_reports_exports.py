"""Report exports: every table as CSV for German Excel and as XLSX, and the funder report as PDF.

The files are read back the way their users' programs read them: the CSV with the csv module as German
Excel splits it, the workbook with openpyxl, the PDF from its own bytes (tests/pdfreader.py). New texts
are looked up through gettext, so the tests hold in either language; German literals are used only for
texts the catalogue has long had ("Förderung", "Seite 1 von 3") and for the German money format.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.core import spreadsheets
from hub.core.db import berlin_today, db
from hub.core.spreadsheets import csv_bytes as table_csv
from hub.core.spreadsheets import sheet_names
from hub.core.spreadsheets import xlsx_bytes as tables_xlsx
from hub.core.tenancy import region_scope
from hub.core.tenancy.registry import active_regions
from regions.matches import services as match_services
from regions.matches.models import Match
from regions.matches.vocab import STATUS_LABELS, MatchStatus
from shared.reports import funder, kpis
from shared.reports.period import resolve
from shared.reports.tables import Column, Table, display
from tests.pdfreader import pdf_pages, pdf_strings

GENERATED = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Berlin


@pytest.fixture
def request_ctx(app):
    """A request in the default language (German)."""
    with app.test_request_context():
        yield


def funding_table(**changes) -> Table:
    """A small table with a cell of every kind, a total row and a note."""
    fields = dict(
        key="funding",
        title=_l("Funding"),
        columns=[
            Column("region", _l("Region"), "text"),
            Column("matches", _l("Matches")),
            Column("paid", _l("Paid"), "money"),
            Column("rate", "Quote", "percent"),
            Column("due_on", "Fällig am", "date"),
        ],
        rows=[
            {"region": "Erzgebirge", "matches": 1234, "paid": 123456, "rate": 0.455, "due_on": date(2026, 11, 26)},
            {"region": "Meißen", "matches": 0, "paid": -5, "rate": None, "due_on": None},
        ],
        total={"region": _l("Total"), "matches": 1234, "paid": 123451, "rate": 0.4, "due_on": None},
        note="Nur begonnene Matches.",
    )
    return Table(**{**fields, **changes})


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


# -- CSV --------------------------------------------------------------------------------------------


def test_csv_opens_in_german_excel(request_ctx):
    data = table_csv(funding_table())
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM tells Excel it is UTF-8
    assert data.count(b"\r\n") == 4 and data.count(b"\n") == 4
    assert read_csv(data) == [
        ["Region", "Matches", "Ausgezahlt", "Quote (%)", "Fällig am"],
        ["Erzgebirge", "1234", "1234,56", "45,5", "26.11.2026"],
        ["Meißen", "0", "-0,05", "", ""],
        ["Gesamt", "1234", "1234,51", "40,0", ""],
    ]


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x")', "+49 351", "-1+2", "@SUM(A1)", "\tTab", "\rCR"])
def test_csv_text_cells_cannot_become_formulas(request_ctx, typed):
    table = funding_table(rows=[{"region": typed, "matches": -3, "paid": 0, "rate": 0.0, "due_on": None}])
    row = read_csv(table_csv(table))[1]
    assert row[0] == "'" + typed
    assert row[1:4] == ["-3", "0,00", "0,0"]  # numbers are numbers, negative ones too


def test_csv_keeps_separators_quotes_and_line_breaks_inside_a_cell(request_ctx):
    tricky = 'Kunst; Handwerk "Erz"\nzweite Zeile'
    table = funding_table(rows=[{"region": tricky, "matches": 1, "paid": 1, "rate": 1.0, "due_on": None}])
    assert read_csv(table_csv(table))[1][:4] == [tricky, "1", "0,01", "100,0"]


def test_csv_headings_follow_the_users_language_but_numbers_stay_german(request_ctx):
    with force_locale("en"):
        heading, first, *_rest, total = read_csv(table_csv(funding_table()))
    assert heading[:3] == ["Region", "Matches", "Paid"]
    assert first[2] == "1234,56" and total[0] == "Total"


# -- XLSX -------------------------------------------------------------------------------------------


def test_the_workbook_opens_with_an_overview_and_has_a_sheet_per_table(request_ctx):
    other = funding_table(key="other", title="Teilnahme: Quote / Region [alt]?")
    data = tables_xlsx(
        [funding_table(), other, funding_table()],
        title="CIMIS Hub – Kennzahlen",
        subtitle_lines=["Zeitraum: 01.01.2026 – 31.12.2026", "Regionen: Erzgebirge, Meißen"],
        generated_at=GENERATED,
    )
    wb = read_xlsx(data)
    funding = _("Funding")
    assert wb.sheetnames == [_("Overview"), funding, "Teilnahme Quote Region alt", f"{funding} (2)"]
    overview = wb[_("Overview")]
    lines = [row[0] for row in overview.iter_rows(values_only=True) if row[0]]
    assert lines[:4] == [
        "CIMIS Hub – Kennzahlen",
        "Zeitraum: 01.01.2026 – 31.12.2026",
        "Regionen: Erzgebirge, Meißen",
        "Erstellt am 26.11.26, 10:30",  # Berlin time
    ]
    assert lines[4:] == [_("Contents"), funding, "Teilnahme Quote Region alt", f"{funding} (2)"]
    link = next(c for c in overview["A"] if c.value == "Teilnahme Quote Region alt")
    assert link.hyperlink.target == "#'Teilnahme Quote Region alt'!A1"
    assert overview.cell(link.row, 2).value == "Nur begonnene Matches."


def test_workbook_cells_are_typed_and_formatted(request_ctx):
    ws = read_xlsx(tables_xlsx([funding_table()], title="T", generated_at=GENERATED))[_("Funding")]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Region", "Matches", "Ausgezahlt", "Quote", "Fällig am")
    assert rows[1][:2] == ("Erzgebirge", 1234)
    assert Decimal(str(rows[1][2])) == Decimal("1234.56")
    assert rows[1][3] == pytest.approx(0.455)
    assert rows[1][4] == datetime(2026, 11, 26)
    assert rows[2] == ("Meißen", 0, -0.05, None, None)
    assert rows[3][:4] == ("Gesamt", 1234, 1234.51, 0.4)
    assert rows[5][0] == "Nur begonnene Matches."  # the note, below the total row
    assert isinstance(rows[1][1], int) and isinstance(rows[1][2], float)
    assert ws["C2"].number_format == '#,##0.00 "€"'
    assert ws["D2"].number_format == "0.0 %"
    assert ws["E2"].number_format == "DD.MM.YYYY"
    assert ws["E2"].is_date
    assert all(c.font.b for c in ws[1]) and all(c.font.b for c in ws[4])
    assert not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E3"  # the total row stays out of sorting
    assert 8 <= ws.column_dimensions["A"].width <= 45
    assert ws.column_dimensions["C"].width >= len("1.234,56 €")


def test_workbook_text_that_looks_like_a_formula_stays_text(request_ctx):
    rows = [{"region": '=HYPERLINK("http://evil.example","klick")', "matches": 1, "paid": 0, "rate": None}]
    ws = read_xlsx(tables_xlsx([funding_table(rows=rows)], title="=1+1", generated_at=GENERATED))[_("Funding")]
    cell = ws["A2"]
    assert cell.data_type == "s" and cell.value == rows[0]["region"]
    assert cell.quotePrefix
    data = tables_xlsx([funding_table(rows=rows)], title="=1+1", generated_at=GENERATED)
    sheets = zipfile.ZipFile(io.BytesIO(data))
    assert not any(b"<f>" in sheets.read(name) for name in sheets.namelist() if name.startswith("xl/worksheets/"))


def test_a_workbook_is_the_same_file_every_time(request_ctx):
    def make():
        return tables_xlsx([funding_table()], title="T", subtitle_lines=["x"], generated_at=GENERATED)

    first = make()
    time.sleep(1.1)  # the zip members would otherwise carry the clock's time
    assert make() == first
    props = read_xlsx(first).properties
    assert props.created == props.modified == datetime(2026, 11, 26, 9, 30)
    assert props.creator == "CIMIS Hub"


def test_sheet_names_follow_excels_rules():
    names = sheet_names(
        ["Teilnehmende nach Teilmarkt und Region im Zeitraum", "A/B: C?", "Förderung", "FÖRDERUNG", "'zitiert'", ""],
        taken=["Übersicht"],
    )
    assert names[0] == "Teilnehmende nach Teilmarkt und"[:31]
    assert names[1:] == ["A B C", "Förderung", "FÖRDERUNG (2)", "zitiert", "6"]
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    long = sheet_names(["x" * 40, "x" * 40])
    assert long == ["x" * 31, "x" * 27 + " (2)"]


# -- serving ----------------------------------------------------------------------------------------


def test_exports_are_downloads_with_the_exact_file_name(request_ctx):
    response = spreadsheets.csv_response(funding_table(), "Förderung Meißen.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="foerderung-meissen.csv"')
    assert "filename*=UTF-8''F%C3%B6rderung%20Mei%C3%9Fen.csv" in disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    assert read_csv(response.get_data())[0][0] == "Region"

    response = spreadsheets.download(b"PK...", "Kennzahlen 2026.xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="kennzahlen-2026.xlsx"')
    assert "filename*=UTF-8''Kennzahlen%202026.xlsx" in response.headers["Content-Disposition"]


# -- the funder report ------------------------------------------------------------------------------

LONG_CHALLENGE = "Die Brauerei sucht eine neue Bildsprache für Etiketten, Website und Ausschank. " * 9 + "SCHLUSSWORT"


@pytest.fixture
def cohort_world(make):
    """A cohort with an active, a completed and a proposed match in two regions, and a match of another cohort."""
    cohort = make.cohort(name="Durchgang Förderbericht", funding="2500.00")
    active = make.match("erzgebirge", cohort, "active", title="Ährenfeld", challenge=LONG_CHALLENGE)
    with make.inside("erzgebirge"):
        match_services.update_match(match_services.get_match(active.id), {"outcome": "Neue Etiketten sind gedruckt."})
        db.session.commit()
    make.ledger_entry(active, "commitment", "1000.00")
    make.ledger_entry(active, "payment", "400.50")
    completed = make.match("lausitz", cohort, "completed", title="Zebra Studio")
    proposed = make.match("erzgebirge", cohort, "proposed", title="Vorschlag offen")
    other = make.match("erzgebirge", make.cohort(name="Anderer Durchgang"), title="Fremdmatch")
    return {"cohort": cohort, "active": active, "completed": completed, "proposed": proposed, "other": other}


def render(args: dict) -> tuple[kpis.Dashboard, bytes]:
    report = kpis.compute(active_regions(), resolve(args))
    return report, funder.funder_report_pdf(report, generated_at=GENERATED, compress=False)


def lines_of(pages) -> list[tuple[str, ...]]:
    return [line for page in pages for line in page]


def section(lines: list[tuple[str, ...]], heading: str, until: str) -> list[tuple[str, ...]]:
    """The lines between two headings (page headers and footers included)."""
    start = lines.index((heading,))
    return lines[start + 1 : lines.index((until,), start)]


def listed_titles(lines: list[tuple[str, ...]]) -> list[str]:
    """The match titles of a list section: the second piece of each row that begins with a region's name."""
    return [line[1] for line in lines if len(line) > 2 and line[0] in REGION_NAMES]


REGION_NAMES = {"Erzgebirge", "Meißen", "Lausitz", "Dresden"}


def test_the_funder_report_shows_key_figures_matches_and_funding_in_german(app, cohort_world):
    with app.test_request_context():
        report, data = render({"cohort": cohort_world["cohort"].id})
        pages = pdf_pages(data)
        lines = lines_of(pages)
        assert len(pages) >= 3
        cohort = report.period.cohort
        period_start, period_end = format_date(cohort.starts_on, "medium"), format_date(cohort.ends_on, "medium")
        assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", period_start)
        for number, page in enumerate(pages, 1):  # the header on every page, the footer with "Seite x von y"
            assert page[0] == (_("Report to the funder"),)
            assert page[1] == (_("Cohort: %(name)s", name="Durchgang Förderbericht"),)
            assert page[2] == (_("Period: %(start)s – %(end)s", start=period_start, end=period_end),)
            assert page[3] == (_("Regions: %(names)s", names="Erzgebirge, Meißen, Lausitz, Dresden"),)
            assert page[-1] == (f"Seite {number} von {len(pages)}", "Erstellt am 26.11.26, 10:30")

        # the key figures are the dashboard's
        headline = {key: display(value, kind) for key, _label, value, kind in report.headline()}
        assert (f"{_('Active matches')}:", "1") in lines and headline["active_matches"] == "1"
        assert (f"{_('Completed matches')}:", "1") in lines
        assert (f"{_('Funding paid')}:", "400,50\xa0€") in lines
        assert (f"{_('Funding per match')}:", "2.500,00\xa0€") in lines

        # the tables by region, German headings from the catalogue
        assert ("Förderung",) in lines
        headings = next(line for line in lines[lines.index(("Förderung",)) :] if line[0] == "Region")
        assert headings[-4:] == ("Budget", "Gebunden", "Ausgezahlt", "Verbleibend")  # a long heading may wrap
        assert ("Erzgebirge", "1", "2.500,00\xa0€", "1.000,00\xa0€", "400,50\xa0€", "2.099,50\xa0€") in lines
        assert (_("Total"), "2", "5.000,00\xa0€", "1.000,00\xa0€", "400,50\xa0€", "4.599,50\xa0€") in lines
        assert (str(report["events"].title),) in lines and (str(report["cross_region"].title),) in lines

        # the list of the cohort's matches, by region (in the registry's order), then title
        assert (_("Matches of the cohort"),) in lines
        assert ("Region", "Match", "Status", _("Challenge"), "Ergebnis") in lines
        matches = section(lines, _("Matches of the cohort"), _("Funding per match"))
        assert listed_titles(matches) == [
            "Ährenfeld",
            "Vorschlag offen",
            "Zebra Studio",
        ]
        assert "Fremdmatch" not in {piece for line in lines for piece in line}
        row = next(line for line in lines if line[:2] == ("Erzgebirge", "Ährenfeld"))
        assert row[2] == str(STATUS_LABELS[MatchStatus.ACTIVE]) and row[4] == "Neue Etiketten sind gedruckt."
        assert row[3].startswith("Die Brauerei sucht eine neue")

        # a long challenge is wrapped and shortened after a whole word, with an ellipsis
        text = " ".join(piece for line in lines for piece in line)
        assert "SCHLUSSWORT" not in text
        shortened = funder.shorten(LONG_CHALLENGE)
        assert len(shortened) <= 600 and shortened.endswith("…")
        assert LONG_CHALLENGE.startswith(shortened[:-1])
        assert LONG_CHALLENGE[len(shortened) - 1] in " ,."
        challenge_lines = [piece for line in matches for piece in line if len(piece) > 12 and piece in shortened]
        assert len(challenge_lines) > 5 and " ".join(challenge_lines) == shortened  # wrapped between words

        # the funding of every started match, with the total of the funding table
        assert (_("Funding per match"),) in lines
        funding = lines[lines.index((_("Funding per match"),)) :]
        assert listed_titles(funding) == ["Ährenfeld", "Zebra Studio"]
        euros = ("2.500,00\xa0€", "1.000,00\xa0€", "400,50\xa0€", "2.099,50\xa0€")
        assert ("Erzgebirge", "Ährenfeld", "aktiv", *euros) in funding
        assert ("Gesamt", "5.000,00\xa0€", "1.000,00\xa0€", "400,50\xa0€", "4.599,50\xa0€") in funding


def test_the_funder_report_draws_the_dashboard_charts_in_its_own_font(app, cohort_world):
    with app.test_request_context():
        report, data = render({"cohort": cohort_world["cohort"].id})
        drawn = [s for page in pdf_strings(data) for s in page]
        for key in funder.CHARTS:
            assert str(report[key].title) in drawn  # each chart's title, drawn inside the chart
        assert "5.000,00\xa0€" in drawn or "2.500,00\xa0€" in drawn  # a money label of the funding chart
        assert "Lausitz" in drawn
        embedded = set(re.findall(rb"/FontName /\w+\+(\S+)", data))
        assert embedded == {b"DejaVuSansBook", b"DejaVuSansBold"}
        assert b"Helvetica" not in data


def test_without_a_cohort_the_report_covers_the_period(app, cohort_world):
    today = berlin_today()
    with app.test_request_context():
        report, data = render({"from_": today - timedelta(days=30), "to": today})
        pages = pdf_pages(data)
        assert pages[0][1] == (_("Report for the period (no cohort chosen)"),)
        lines = lines_of(pages)
        assert (_("Matches in the period"),) in lines
        listed = listed_titles(section(lines, _("Matches in the period"), _("Funding per match")))
        assert "Fremdmatch" in listed and "Zebra Studio" in listed


def test_an_empty_cohort_still_makes_a_report(app, make):
    cohort = make.cohort(name="Leerer Durchgang")
    with app.test_request_context():
        _report, data = render({"cohort": cohort.id})
        lines = lines_of(pdf_pages(data))
        assert (_("No matches yet."),) in lines


def test_the_funder_report_of_a_thousand_matches(app, make):
    """A big cohort runs onto many pages with every match listed once and in order (the time is printed, not
    asserted: about 1–1.5 s on a loaded two-core machine, against the 10 s allowed)."""
    cohort = make.cohort(name="Großer Durchgang")
    regions = {r.slug: r for r in make.regions.values()}
    words = "Kooperation zwischen Kreativen und Unternehmen für neue Produkte, Dienste und Abläufe. "
    with app.app_context():
        for number, slug in enumerate(sorted(regions)):
            with region_scope(regions[slug].id):
                for i in range(250):
                    status = list(MatchStatus)[i % 4]
                    db.session.add(
                        Match(
                            cohort_id=cohort.id,
                            title=f"Match {number * 250 + i:04d}",
                            challenge=words * 9,
                            outcome=words * 8 if status == MatchStatus.COMPLETED else "",
                            status=status,
                            proposed_on=date.today(),
                            started_on=date.today() if status != MatchStatus.PROPOSED else None,
                            budget_cents=250_000,
                            committed_cents=100_000 if status != MatchStatus.PROPOSED else 0,
                            paid_cents=i * 100 if status != MatchStatus.PROPOSED else 0,
                        )
                    )
                db.session.commit()
    with app.test_request_context():
        report = kpis.compute(active_regions(), resolve({"cohort": cohort.id}))
        started = time.perf_counter()
        data = funder.funder_report_pdf(report, generated_at=GENERATED, compress=False)
        elapsed = time.perf_counter() - started
        print(f"funder report of 1,000 matches: {elapsed:.2f} s, {len(data) / 1e6:.1f} MB")  # noqa: T201
        pages = pdf_pages(data)
        assert len(pages) > 60
        titles = [piece for page in pages for line in page for piece in line if re.fullmatch(r"Match \d{4}", piece)]
        order = [r.slug for r in active_regions()]
        expected = [f"Match {sorted(regions).index(slug) * 250 + i:04d}" for slug in order for i in range(250)]
        funded = [t for t in expected if int(t[-4:]) % 250 % 4 != 0]
        assert titles == expected + funded
        total = report["funding"].total
        assert (
            _("Total"),
            *(display(total[k], "money") for k in ("budget", "committed", "paid", "remaining")),
        ) in lines_of(pages)
