"""The key figures in the API: the query (a period, and for the umbrella a region) and the tables as data.

Money is an exact decimal string in euros ("2500.00"), rates a fraction (0.5), dates ISO.
"""

from __future__ import annotations

from marshmallow import fields

from hub.core.schemas import BaseSchema
from shared.reports import period
from shared.reports.tables import Table, plain


class KpiQuerySchema(period.PeriodSchema):
    region = fields.String(load_default=None, metadata={"description": "only this region (umbrella and admins)"})


class PeriodOutSchema(BaseSchema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    cohort = fields.Function(lambda p: {"id": p.cohort.id, "name": p.cohort.name} if p.cohort else None)


class ColumnSchema(BaseSchema):
    key = fields.String()
    label = fields.Function(lambda c: str(c.label))
    kind = fields.String(metadata={"description": "text | int | money (euros as a decimal string) | percent | date"})


class TableSchema(BaseSchema):
    title = fields.Function(lambda t: str(t.title))
    note = fields.Function(lambda t: str(t.note))
    columns = fields.List(fields.Nested(ColumnSchema))
    rows = fields.Function(lambda t: [_row(t, row) for row in t.rows])
    total = fields.Function(lambda t: _row(t, t.total) if t.total is not None else None)


class KpiSchema(BaseSchema):
    period = fields.Nested(PeriodOutSchema)
    regions = fields.Function(lambda r: [region.slug for region in r.regions])
    headline = fields.Function(
        lambda r: [
            {"key": key, "label": str(label), "value": plain(value, kind), "kind": kind}
            for key, label, value, kind in r.headline()
        ],
        metadata={"description": "the key figures at the top of the dashboard"},
    )
    tables = fields.Function(
        lambda r: {key: TableSchema().dump(table) for key, table in r.tables.items()},
        metadata={"description": "every dashboard table by its key (participants, submarkets, new_profiles, …)"},
    )


def _row(table: Table, row: dict) -> dict:
    """A row as data: every column's value, plus the stable codes (region_slug, code) a program needs."""
    out = {c.key: plain(row.get(c.key), c.kind) for c in table.columns}
    for extra in ("region_slug", "code", "match_id", "month_start"):
        if extra in row:
            value = row[extra]
            out[extra] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
