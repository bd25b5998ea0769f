"""The audit log in the JSON API: across regions for the umbrella and admins, per region for its coordination."""

from __future__ import annotations

from flask_smorest import Blueprint

from hub.audit import services
from hub.audit.schemas import AuditPageSchema, AuditQuerySchema, NetworkAuditQuerySchema
from hub.audit.services import AuditQuery
from hub.core.access import coordinator_required, umbrella_required
from hub.core.glue import api_query

blp = Blueprint(
    "api_audit",
    __name__,
    url_prefix="/api/v1",
    description="The audit log: who changed what and when, newest first (append-only)",
)
SECURITY = [{"bearerAuth": []}]


@blp.get("/audit")
@umbrella_required
@blp.arguments(NetworkAuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
@blp.doc(security=SECURITY)
@api_query
def network_log(args):
    """Changes in every region (umbrella project and administrators); filter by region and more."""
    return services.browse_all_regions(AuditQuery(**args))


@blp.get("/regions/<region>/audit")
@coordinator_required
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
@blp.doc(security=SECURITY)
@api_query
def region_log(args):
    """Changes in one region (its coordination; the umbrella reads)."""
    return services.browse(AuditQuery(**args))
