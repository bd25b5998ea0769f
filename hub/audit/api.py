"""The audit log in the JSON API: across regions for the umbrella and admins, per region for its coordination."""

from __future__ import annotations

from flask_smorest import Blueprint, abort

from hub.audit import services
from hub.audit.schemas import AuditPageSchema, AuditQuerySchema, NetworkAuditQuerySchema
from hub.audit.services import AuditQuery
from hub.core.access import coordinator_required, umbrella_required
from hub.core.schemas import ServiceError

blp = Blueprint(
    "api_audit",
    __name__,
    url_prefix="/api/v1",
    description="The audit log: who changed what and when, newest first (append-only)",
)
SECURITY = [{"bearerAuth": []}]


def _page(browse, args):
    try:
        return browse(AuditQuery(**args))
    except ServiceError as exc:
        abort(422, errors={"query": exc.errors()})


@blp.get("/audit")
@umbrella_required
@blp.arguments(NetworkAuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
@blp.doc(security=SECURITY)
def network_log(args):
    """Changes in every region (umbrella project and administrators); filter by region and more."""
    return _page(services.browse_all_regions, args)


@blp.get("/regions/<region>/audit")
@coordinator_required
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
@blp.doc(security=SECURITY)
def region_log(args):
    """Changes in one region (its coordination; the umbrella reads)."""
    return _page(services.browse, args)
