"""How the audit log's pages show an entry: its values in the reader's words, and a link to its subject."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from hub.audit.services import AuditRow
from hub.audit.vocab import VALUE_LABELS
from hub.core.i18n import money
from hub.core.money import from_cents

# Where an entry's subject can be looked at: endpoint and the name of its id argument.
SUBJECT_PAGES = {
    "profile": ("region.profiles.edit", "profile_id"),
    "event": ("calendar.event", "event_id"),
    "cocreation_match": ("region.matches.show", "match_id"),
}
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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
