"""Every CSV and XLSX export holds free text with characters a workbook cannot hold (control characters,
U+FFFF): it answers 200 with a file that reads back, the text without those characters, tabs and line
breaks kept; text that a spreadsheet would take for a formula, a number or a date stays text — the one
rule of hub.core.cells for every spreadsheet the hub writes."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from hub.core.cells import clean, csv_text, unprotect
from tests.spreadsheet_reader import read_field

REGION = "erzgebirge"
# a bell, an escape sequence, a vertical tab, a form feed, a unit separator and a non-character
DIRTY = "\x07Möbel\x1b[31m\x0bbau\x0c\x1f\uffff"
CLEAN = "Möbel[31mbau"


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(response) -> list[list]:
    """Every cell of every sheet, as Excel would read the file."""
    assert response.status_code == 200 and response.data[:2] == b"PK"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return [[cell.value for cell in row] for sheet in book.worksheets for row in sheet.iter_rows()]


def cells(rows) -> set:
    return {value for row in rows for value in row}


def test_text_keeps_tabs_and_line_breaks_and_stays_no_formula():
    assert clean("a\tb\nc\r\nd" + DIRTY) == "a\tb\nc\r\nd" + CLEAN
    assert csv_text("=\x07SUMME(A1)") == "'=SUMME(A1)"


# Text a German spreadsheet would make a number, a date, a time or a truth value of, and text it leaves alone.
LOOKS_LIKE_A_VALUE = [
    "01067",
    "035214567890",
    "1.234,56",
    "1234,56 €",
    "45 %",
    "11/2026",
    "1.5",
    "06.12.26",
    "06.12.2026 16:53",
    "16:53",
    "2026-12-06",
    "1e5",
    "Mai 26",
    "6. Dez",
    "WAHR",
]
PLAIN_TEXT = [
    "(0351) 456789",
    "Käthe Größel",
    "01067 Dresden",
    "Mai",
    "Marketing",
    "Werkstatt 3b",
    "",
    'Sag "01067"',
]


@pytest.mark.parametrize("text", LOOKS_LIKE_A_VALUE)
def test_text_that_looks_like_a_number_or_date_stays_that_text_in_csv(text):
    cell = csv_text(text)
    assert cell == f'="{text}"'
    assert read_field(cell) == text  # what German Excel and LibreOffice show
    assert unprotect(cell) == text  # what the profile import reads back


@pytest.mark.parametrize("text", PLAIN_TEXT)
def test_plain_text_is_written_as_it_is(text):
    assert csv_text(text) == text == unprotect(text)


def test_text_with_a_quotation_mark_is_never_made_a_formula():
    for text in ('1"&HYPERLINK("http://evil.example")&"2', '0351"4'):
        assert csv_text(text) == text and read_field(text) == text == unprotect(text)


def test_long_text_that_looks_like_a_number_gets_the_apostrophe():
    digits = "0" * 300  # longer than a formula's string may be
    assert csv_text(digits) == "'" + digits and unprotect("'" + digits) == digits


@pytest.mark.parametrize("typed", ["=1+1", "+49 351 4567890", "-5", "@SUMME(A1)"])
def test_formula_like_text_keeps_its_apostrophe_and_reads_back(typed):
    assert csv_text(typed) == "'" + typed and unprotect("'" + typed) == typed


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_registrations_export_holds_control_characters(client, auth, make, extension):
    event = make.event(REGION, questions=[{"key": "q1", "label": f"Frage {DIRTY}", "required": False}])
    make.registration(event, make.participant(REGION, name=f"Jürgen {DIRTY}"), {"q1": f"vegan {DIRTY}"})
    auth.login(make.coordinator(REGION))
    response = client.get(f"/{REGION}/events/{event.id}/registrations.{extension}")
    rows = read_csv(response) if extension == "csv" else read_xlsx(response)
    assert rows[0][-1] == f"Frage {CLEAN}"
    assert rows[1][0] == f"Jürgen {CLEAN}" and rows[1][-1] == f"vegan {CLEAN}"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_profile_export_holds_control_characters(client, auth, make, extension):
    make.profile(REGION, name=f"Käthe {DIRTY}", pitch=DIRTY, offers_text=f"Zeile eins\nZeile zwei {DIRTY}")
    auth.login(make.coordinator(REGION))
    response = client.get(f"/{REGION}/profiles/export.{extension}")
    found = cells(read_csv(response) if extension == "csv" else read_xlsx(response))
    assert {f"Käthe {CLEAN}", CLEAN, f"Zeile eins\nZeile zwei {CLEAN}"} <= found


@pytest.mark.parametrize("path", ["/umbrella/dashboard/export", f"/{REGION}/dashboard/export"])
def test_the_dashboard_workbook_holds_a_cohort_name_with_control_characters(client, auth, make, path):
    cohort = make.cohort(name=f"Durchgang {DIRTY}")
    make.match(REGION, cohort)
    auth.login(make.umbrella())
    found = cells(read_xlsx(client.get(f"{path}?cohort={cohort.id}")))
    assert any(isinstance(value, str) and f"Durchgang {CLEAN}" in value for value in found)
    assert not any(isinstance(value, str) and "\uffff" in value for value in found)
    assert read_csv(client.get(f"{path}?cohort={cohort.id}&table=matches&format=csv"))[1][0] == "Erzgebirge"
