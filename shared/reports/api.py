"""The key figures in the JSON API: the same tables as the dashboards, as data.

Money is an exact decimal string in euros ("2500.00"), rates a fraction (0.5), dates ISO. The
umbrella project and admins read all regions (``/kpis``, optionally ``?region=``); a coordinator
reads their own region (``/regions/<region>/kpis``).
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort
from marshmallow import fields

from hub.core.access import coordinator_required, umbrella_required
from hub.core.schemas import BaseSchema, ServiceError
from hub.core.tenancy.registry import active_regions
from shared.reports import kpis, period
from shared.reports.tables import Table, plain

blp = Blueprint(
    "api_kpis",
    __name__,
    url_prefix="/api/v1",
    description="Key figures of the program: participants, events, matches, funding, contacts across regions",
)


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


def _report(regions, data: dict):
    try:
        chosen = period.resolve(data)
    except ServiceError as exc:
        abort(422, errors={"query": exc.errors()})
    return kpis.compute(regions, chosen)


@blp.get("/kpis")
@blp.arguments(KpiQuerySchema, location="query")
@blp.response(200, KpiSchema)
@blp.doc(security=[{"bearerAuth": []}])
@umbrella_required
def all_kpis(data):
    """The key figures of all regions (or of one, with `region`), for a cohort or a period."""
    regions = active_regions()
    if data.get("region"):
        regions = [r for r in regions if r.slug == data["region"]]
        if not regions:
            abort(422, errors={"query": {"region": [_("There is no such region.")]}})
    return _report(regions, data)


@blp.get("/regions/<region>/kpis")
@blp.arguments(period.PeriodSchema, location="query")
@blp.response(200, KpiSchema)
@blp.doc(security=[{"bearerAuth": []}])
@coordinator_required
def region_kpis(data):
    """The key figures of one region, for its coordination."""
    return _report([g.region], data)
