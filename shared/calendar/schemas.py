"""Schemas of the shared calendar: what pages and API accept, and how an event is shown to whom."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from marshmallow import ValidationError, fields, post_load, validate
from sqlalchemy import Row

from hub.core.db import db
from hub.core.schemas import BaseSchema, LocalDateTime, _m
from hub.core.tenancy.models import Region
from regions.events.models import places_left
from regions.events.schemas import RegistrationRequestSchema  # noqa: F401  (one schema for both APIs)
from regions.events.vocab import TYPE_LABELS, Audience, EventStatus, EventType, RegistrationStatus
from shared.calendar.services import API_COLUMNS, PLACEHOLDER_ID, display_zone, event_url, ics_url

MAX_WINDOW_DAYS = 400
DEFAULT_WINDOW_DAYS = 31
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(fields.Field):
    """A month as ``2026-03``; loads as its first day."""

    default_error_messages = {"invalid": _m("Not a valid month; use the form 2026-03.")}

    def _deserialize(self, value, attr, data, **kwargs):
        match = MONTH.match(str(value))
        if not match or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
            raise self.make_error("invalid")
        return date(int(match[1]), int(match[2]), 1)


class Moment(LocalDateTime):
    """A date (midnight on the hub's clock) or an ISO date and time as the API returns it (without a zone:
    the hub's clock).

    Loads as an aware datetime.
    """

    default_error_messages = {
        "invalid": _m("Not a valid date or date and time; use e.g. 2026-03-01 or 2026-03-01T09:00:00Z.")
    }

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        return moment if moment.tzinfo else moment.replace(tzinfo=display_zone())


class Filters(BaseSchema):
    """Filters that the page and the API share."""

    region = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    type = fields.List(fields.Enum(EventType, by_value=True), load_default=list)
    mine = fields.Boolean(load_default=False)


class CalendarQuerySchema(Filters):
    """The calendar page: a month grid or the list of coming events."""

    month = MonthField(load_default=None)
    view = fields.String(load_default="month", validate=validate.OneOf(["month", "list"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))


class CalendarWindowSchema(Filters):
    """The API's calendar: events overlapping [start, end), at most 400 days at once."""

    start = Moment(load_default=None, metadata={"description": "Date or ISO date-time; default: today"})
    end = Moment(load_default=None, metadata={"description": "Exclusive; default: start + 31 days"})

    @post_load
    def _window(self, data, **kwargs):
        if data["start"] is None:
            today = datetime.now(display_zone()).date()
            data["start"] = datetime.combine(today, time(), display_zone())
        if data["end"] is None:
            data["end"] = data["start"] + timedelta(days=DEFAULT_WINDOW_DAYS)
        if data["end"] <= data["start"]:
            raise ValidationError(_m("The end must be after the start."), "end")
        if data["end"] - data["start"] > timedelta(days=MAX_WINDOW_DAYS):
            raise ValidationError(_m("At most {days} days at once.").format(days=MAX_WINDOW_DAYS), "end")
        return data


# -- output -----------------------------------------------------------------------------------------


class RegionRefSchema(BaseSchema):
    slug = fields.String(dump_only=True)
    name = fields.String(dump_only=True)


class QuestionSchema(BaseSchema):
    key = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    required = fields.Boolean(dump_only=True)


class CalendarEventSchema(BaseSchema):
    """An event as the calendar shows it; the online link only to signed-in viewers."""

    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    type = fields.String(dump_only=True, metadata={"enum": [t.value for t in EventType]})
    type_label = fields.Function(lambda e: str(TYPE_LABELS[e.type]), dump_only=True)
    region = fields.Nested(RegionRefSchema, dump_only=True)
    starts_at = fields.DateTime(dump_only=True)
    ends_at = fields.DateTime(dump_only=True)
    timezone = fields.String(dump_only=True)
    all_day = fields.Boolean(dump_only=True)
    description = fields.String(dump_only=True)
    venue = fields.String(dump_only=True)
    address = fields.String(dump_only=True)
    online_url = fields.String(dump_only=True)
    audience = fields.String(dump_only=True, metadata={"enum": [a.value for a in Audience]})
    status = fields.String(dump_only=True, metadata={"enum": [s.value for s in EventStatus]})
    capacity = fields.Integer(dump_only=True, allow_none=True)
    places_left = fields.Integer(dump_only=True, allow_none=True)
    waiting_list = fields.Integer(attribute="waitlisted_count", dump_only=True)
    registration_deadline = fields.DateTime(dump_only=True, allow_none=True)
    questions = fields.List(fields.Nested(QuestionSchema), dump_only=True)
    my_registration = fields.Function(
        lambda e: e.my_status.value if e.my_status else None,
        dump_only=True,
        metadata={"description": "registered, waitlisted or null"},
    )
    url = fields.Function(lambda e: event_url(e.id, external=True), dump_only=True)
    ics_url = fields.Function(lambda e: ics_url(e.id, external=True), dump_only=True)

    views = {
        "public": [
            "id",
            "title",
            "type",
            "type_label",
            "region",
            "starts_at",
            "ends_at",
            "timezone",
            "all_day",
            "description",
            "venue",
            "address",
            "audience",
            "status",
            "capacity",
            "places_left",
            "waiting_list",
            "registration_deadline",
            "questions",
            "url",
            "ics_url",
        ],
        "member": ["online_url", "my_registration"],
    }

    def get_attribute(self, obj, attr, default):
        # Always an Event or an Entry: read attributes directly (the default probes for item access first).
        return getattr(obj, attr, default)

    @classmethod
    def for_viewer(cls, signed_in: bool, **kwargs) -> CalendarEventSchema:
        """The fields a visitor (public) or a signed-in member may see."""
        audiences = ("public", "member") if signed_in else ("public",)
        return cls(only=[name for audience in audiences for name in cls.views[audience]], **kwargs)


def _text(value):
    return None if value is None else str(value)


def _number(value):
    return None if value is None else int(value)


def _moment(value):
    return None if value is None else value.isoformat()


def _question(question: dict) -> dict:
    """One question as QuestionSchema dumps it (keys it lacks stay missing)."""
    out = {}
    if "key" in question:
        out["key"] = _text(question["key"])
    if "label" in question:
        out["label"] = _text(question["label"])
    if "required" in question:
        out["required"] = None if question["required"] is None else bool(question["required"])
    return out


# The names of the shown columns (an Event's attributes of the same names).
_API_KEYS = tuple(column.key for column in API_COLUMNS)


def dump_events(entries, signed_in: bool, regions: Mapping[int, Region] | None = None) -> list[dict]:
    """The calendar's events as ``CalendarEventSchema.for_viewer(signed_in, many=True).dump`` gives them,
    built directly: a month of the whole network holds hundreds of events, and marshmallow's per-field
    work (and a label translated per event) was half of the request. The schema stays the field list of
    the OpenAPI document; tests/test_calendar_dump.py holds both to the same output.

    The entries hold Event objects, or rows of ``API_COLUMNS`` with ``regions`` (id → Region; a region not
    in it is looked up).
    """
    labels: dict[EventType, str] = {}  # each type's label translated once, when an event of it comes
    refs: dict[int, dict] = {}  # each region's {"slug", "name"} once
    # The two addresses built once, around a placeholder id, and filled in per event.
    page_head, _, page_tail = event_url(PLACEHOLDER_ID, external=True).partition(str(PLACEHOLDER_ID))
    ics_head, _, ics_tail = ics_url(PLACEHOLDER_ID, external=True).partition(str(PLACEHOLDER_ID))
    out = []
    fields_of_rows = None
    for entry in entries:
        event = getattr(entry, "event", entry)
        # The shown columns by name: a row of API_COLUMNS has them, an Event as attributes.
        if isinstance(event, Row):
            fields_of_rows = fields_of_rows or event._fields  # the same for every row of one result
            v = dict(zip(fields_of_rows, event, strict=True))
        else:
            v = {key: getattr(event, key) for key in _API_KEYS}
        event_id, kind, capacity = v["id"], v["type"], v["capacity"]
        if regions is None:
            region = event.region
        else:
            region = regions.get(v["region_id"]) or db.session.get(Region, v["region_id"])
        ref = refs.get(region.id) if region is not None else None
        if ref is None and region is not None:
            ref = refs[region.id] = {"slug": _text(region.slug), "name": _text(region.name)}
        label = labels.get(kind)
        if label is None:
            label = labels[kind] = str(TYPE_LABELS[kind])
        item = {
            "id": event_id,
            # Text columns come from the database as str or None; the enumerations as str subclasses.
            "title": v["title"],
            "type": _text(kind),
            "type_label": label,
            "region": ref,
            "starts_at": _moment(v["starts_at"]),
            "ends_at": _moment(v["ends_at"]),
            "timezone": v["timezone"],
            "all_day": v["all_day"],
            "description": v["description"],
            "venue": v["venue"],
            "address": v["address"],
            "audience": _text(v["audience"]),
            "status": _text(v["status"]),
            "capacity": _number(capacity),
            "places_left": places_left(capacity, v["registered_count"]),
            "waiting_list": _number(v["waitlisted_count"]),
            "registration_deadline": _moment(v["registration_deadline"]),
            "questions": None if v["questions"] is None else [_question(q) for q in v["questions"]],
            "url": f"{page_head}{event_id}{page_tail}",
            "ics_url": f"{ics_head}{event_id}{ics_tail}",
        }
        if signed_in:
            item["online_url"] = v["online_url"]
            mine = getattr(entry, "my_status", None)
            item["my_registration"] = mine.value if mine else None
        out.append(item)
    return out


class OwnRegistrationSchema(BaseSchema):
    """One's own registration with the event."""

    id = fields.Integer(dump_only=True)
    status = fields.Enum(RegistrationStatus, by_value=True, dump_only=True)
    answers = fields.Dict(keys=fields.String(), values=fields.String(), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    event = fields.Nested(CalendarEventSchema.for_viewer(True), dump_only=True)


class FeedActionSchema(BaseSchema):
    """The subscription page's buttons: new private addresses, or none any more."""

    action = fields.String(load_default="new", validate=validate.OneOf(["new", "revoke"]))
