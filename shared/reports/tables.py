"""The one shape every report number travels in: a titled table of typed columns.

The dashboard's HTML tables (the alternative to each chart), the CSV and XLSX exports, the funder
report's PDF tables and the KPI API all render the same `Table`, so a number cannot differ between
them. Cells hold raw values — counts as ``int``, money as integer **cents**, rates as a ``float`` in
0..1 (or ``None`` where there is nothing to divide), dates as ``date`` — and each output formats them
by the column's kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import format_date, format_decimal, format_percent

from hub.core.i18n import money
from hub.core.money import from_cents

KINDS = ("text", "int", "money", "percent", "date")


@dataclass(frozen=True)
class Column:
    """A column: its key in each row, its heading (a lazy gettext string) and how its cells are formatted."""

    key: str
    label: object
    kind: str = "int"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "money", "percent")


@dataclass
class Table:
    """A report table. ``total`` is a row of its own (not always the sum of the rows: a contact between two
    regions counts once for each region, but once for the network)."""

    key: str
    title: object
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    total: dict | None = None
    note: object = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def all_rows(self) -> list[dict]:
        return self.rows + ([self.total] if self.total is not None else [])

    def values(self, key: str) -> list:
        return [row.get(key) for row in self.rows]


def display(value, kind: str) -> str:
    """A cell as people read it, in the current locale: 1.234 · 1.234,56 € · 45 % · 26.11.2026."""
    if value is None or value == "":
        return "–" if kind != "text" else ""
    if kind == "int":
        return format_decimal(value)
    if kind == "money":
        return money(from_cents(value))
    if kind == "percent":
        return format_percent(value, "#,##0 %")
    if kind == "date":
        return format_date(value, "medium") if isinstance(value, date) else str(value)
    return str(value)


def plain(value, kind: str):
    """A cell as data for the JSON API: money as an exact decimal string in euros, dates in ISO form."""
    if value is None:
        return None
    if kind == "money":
        return str(from_cents(value))
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else value
    if kind == "percent":
        return round(float(value), 4)
    return value if kind != "text" else str(value)


def euros(cents: int | None) -> Decimal:
    return from_cents(cents or 0)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
