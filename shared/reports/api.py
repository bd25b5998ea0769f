"""The key figures in the JSON API: the same tables as the dashboards, as data.

Money is an exact decimal string in euros ("2500.00"), rates a fraction (0.5), dates ISO. The
umbrella project and admins read all regions (``/kpis``, optionally ``?region=``); a coordinator
reads their own region (``/regions/<region>/kpis``).
"""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from hub.core.access import coordinator_required, umbrella_required
from hub.core.glue import api_query
from shared.reports import access, kpis, period
from shared.reports.schemas import KpiQuerySchema, KpiSchema

blp = Blueprint(
    "api_kpis",
    __name__,
    url_prefix="/api/v1",
    description="Key figures of the program: participants, events, matches, funding, contacts across regions",
)


@blp.get("/kpis")
@umbrella_required
@blp.arguments(KpiQuerySchema, location="query")
@blp.response(200, KpiSchema)
@blp.doc(security=[{"bearerAuth": []}])
@api_query
def all_kpis(data):
    """The key figures of all regions (or of one, with `region`), for a cohort or a period."""
    return kpis.compute(access.umbrella_regions(data.get("region")), period.resolve(data))


@blp.get("/regions/<region>/kpis")
@coordinator_required
@blp.arguments(period.PeriodSchema, location="query")
@blp.response(200, KpiSchema)
@blp.doc(security=[{"bearerAuth": []}])
@api_query
def region_kpis(data):
    """The key figures of one region, for its coordination."""
    return kpis.compute([g.region], period.resolve(data))
