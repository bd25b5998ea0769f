"""The test helper that opens CSV files as German Excel and LibreOffice Calc do (tests/spreadsheet_reader.py)
stores what those programs store: a test that trusts it must be able to fail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.spreadsheet_reader import Ambiguous, Formula, open_csv, read_field

INTERNATIONAL = "+49 351 4567890"


@pytest.mark.parametrize(
    ("field", "stored"),
    [
        ("01067", Decimal(1067)),  # the postcode loses its zero
        ("035214567890", Decimal(35214567890)),
        ('="01067"', "01067"),
        ("1234,56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("-0,05", Decimal("-0.05")),
        ("45,5 %", Decimal("0.455")),
        ("26.11.2026", date(2026, 11, 26)),
        ("06.12.2026 16:53", datetime(2026, 12, 6, 16, 53)),
        ("06.12.26, 16:53", Ambiguous("06.12.26, 16:53")),  # two-digit year: which century?
        ("11/2026", Ambiguous("11/2026")),  # a month becomes its first day
        ("1.5", Ambiguous("1.5")),  # the first of May of this year
        ("=SUMME(A1)", Formula("=SUMME(A1)")),
        (INTERNATIONAL, Formula(INTERNATIONAL)),
        ("'" + INTERNATIONAL, "'" + INTERNATIONAL),
        ("Käthe Größel", "Käthe Größel"),
        ("", None),
    ],
)
def test_the_reader_stores_what_german_excel_stores(field, stored):
    assert read_field(field) == stored


def test_the_reader_reads_a_file_without_byte_order_mark_as_windows_1252():
    assert open_csv("Größe;01067\r\n".encode()) == [["GrÃ¶ÃŸe", Decimal(1067)]]
    assert open_csv("\ufeffGröße;01067\r\n".encode()) == [["Größe", Decimal(1067)]]
