"""The audit log's pages: across regions for the umbrella project and admins, per region for its coordination."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from hub.audit import services
from hub.audit.display import show_value, subject_url
from hub.audit.schemas import AuditQuerySchema, NetworkAuditQuerySchema
from hub.audit.services import AuditPage, AuditQuery
from hub.audit.vocab import ACTION_LABELS, FIELD_LABELS, LOGGED_TYPES, VIA_LABELS
from hub.core.access import coordinator_required, umbrella_required
from hub.core.glue import page_query
from hub.core.schemas import load_form
from hub.core.tenancy.registry import active_regions

bp = Blueprint("audit", __name__, url_prefix="/umbrella/audit", template_folder="templates")
region_bp = Blueprint("region_audit", __name__, url_prefix="/<region>/audit", template_folder="templates")


@bp.get("")
@umbrella_required
def index():
    """The audit log of every region, filtered, newest first."""
    return _log_page(
        NetworkAuditQuerySchema(), services.browse_all_regions, regions={r.slug: r.name for r in active_regions()}
    )


@region_bp.get("")
@coordinator_required
def region_index():
    """The region's audit log (the umbrella reads it too)."""
    return _log_page(AuditQuerySchema(), services.browse, regions=None)


def _log_page(schema, browse, regions):
    data, errors = load_form(schema, request.args)
    query, page = AuditQuery(**(data or {})), None
    if data is not None:
        page, errors = page_query(lambda: browse(query))
    return render_template(
        "audit/index.html",
        page=page or AuditPage(),
        query=query,
        errors=errors,
        form=request.args,
        regions=regions,
        subject_types=LOGGED_TYPES,
        action_labels=ACTION_LABELS,
        via_labels=VIA_LABELS,
        field_label=lambda key: FIELD_LABELS.get(key, key),
        show_value=show_value,
        subject_url=subject_url,
    ), 422 if errors else 200
