"""The audit log's pages: across regions for the umbrella project and admins, per region for its coordination."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Blueprint, render_template, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from hub.audit import services
from hub.audit.schemas import AuditQuerySchema, NetworkAuditQuerySchema
from hub.audit.services import AuditPage, AuditQuery, AuditRow
from hub.audit.vocab import ACTION_LABELS, FIELD_LABELS, LOGGED_TYPES, VALUE_LABELS, VIA_LABELS
from hub.core.access import coordinator_required, umbrella_required
from hub.core.i18n import money
from hub.core.money import from_cents
from hub.core.schemas import ServiceError, load_form
from hub.core.tenancy.registry import active_regions

bp = Blueprint("audit", __name__, url_prefix="/umbrella/audit", template_folder="templates")
region_bp = Blueprint("region_audit", __name__, url_prefix="/<region>/audit", template_folder="templates")

# Where an entry's subject can be looked at: endpoint and the name of its id argument.
SUBJECT_PAGES = {
    "profile": ("region.profiles.edit", "profile_id"),
    "event": ("calendar.event", "event_id"),
    "cocreation_match": ("region.matches.show", "match_id"),
}
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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
    query, page = AuditQuery(**(data or {})), AuditPage()
    if data is not None:
        try:
            page = browse(query)
        except ServiceError as exc:
            errors = exc.errors()
    return render_template(
        "audit/index.html",
        page=page,
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


def subject_url(row: AuditRow) -> str | None:
    """The page of the entry's subject, where it has one (and was not deleted)."""
    target = SUBJECT_PAGES.get(row.subject_type)
    if target is None or row.action == "delete":
        return None
    endpoint, arg = target
    values = {arg: row.subject_id}
    if endpoint.startswith("region."):
        values["region"] = row.region_slug
    return url_for(endpoint, **values)


def show_value(value, key: str = "", subject_type: str = "") -> str:
    """A logged value in the reader's language: coded values by their label, yes/no, amounts in euros,
    times in Berlin time."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    labels = VALUE_LABELS.get((subject_type, key))
    if labels is not None and isinstance(value, str) and value in labels:
        return str(labels[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int) and key.endswith("_cents"):
        return money(from_cents(value))
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show_value(v)}" for k, v in value.items())
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value), "medium")
        except ValueError:
            return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return format_date(date.fromisoformat(value), "medium")
    return str(value)
