"""Event schemas: one input schema for the coordination's form and the API."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates, validates_schema

from hub.schemas import BaseSchema, _m
from regions.events.vocab import Audience, EventStatus, EventType

LOCAL = "%Y-%m-%dT%H:%M"
REPEATS = {"weekly": "FREQ=WEEKLY", "biweekly": "FREQ=WEEKLY;INTERVAL=2", "monthly": "FREQ=MONTHLY"}


def parse_questions(text: str) -> list[dict]:
    """One question per line; a trailing * makes it required. 'Welche Organisation vertreten Sie? *'"""
    questions = []
    for n, line in enumerate(text.splitlines(), start=1):
        label = line.strip()
        if not label:
            continue
        required = label.endswith("*")
        label = label.rstrip("*").strip()[:200]
        questions.append({"key": f"q{n}", "label": label, "required": required})
    return questions[:10]


class EventInputSchema(BaseSchema):
    """Local wall-clock times in the event's time zone (Europe/Berlin unless said otherwise)."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    type = fields.Enum(EventType, by_value=True, load_default=EventType.OTHER)
    description = fields.String(load_default="", validate=validate.Length(max=10000))
    all_day = fields.Boolean(load_default=False)
    starts_at = fields.NaiveDateTime(format=LOCAL, load_default=None)
    ends_at = fields.NaiveDateTime(format=LOCAL, load_default=None)
    start_date = fields.Date(load_default=None)
    end_date = fields.Date(load_default=None)
    timezone = fields.String(load_default="Europe/Berlin", validate=validate.Length(max=60))
    venue = fields.String(load_default="", validate=validate.Length(max=200))
    address = fields.String(load_default="", validate=validate.Length(max=300))
    online_url = fields.Url(load_default="", schemes={"http", "https"}, validate=validate.Length(max=500))
    audience = fields.Enum(Audience, by_value=True, load_default=Audience.REGION)
    capacity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=100000))
    registration_deadline = fields.NaiveDateTime(format=LOCAL, load_default=None)
    status = fields.Enum(EventStatus, by_value=True, load_default=EventStatus.DRAFT)
    questions_text = fields.String(load_default="", validate=validate.Length(max=3000))
    repeat = fields.String(load_default="", validate=validate.OneOf(["", *REPEATS]))
    repeat_count = fields.Integer(load_default=None, validate=validate.Range(min=2, max=120))
    repeat_until = fields.Date(load_default=None)
    rrule = fields.String(load_default="", validate=validate.Length(max=300))
    whole_series = fields.Boolean(load_default=False)

    @pre_load
    def _iso_seconds(self, data, **kwargs):
        """Accept 2026-03-29T10:00 and 2026-03-29T10:00:00 alike (browsers send either)."""
        if isinstance(data, dict):
            data = dict(data)
            for key in ("starts_at", "ends_at", "registration_deadline"):
                value = data.get(key)
                if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", value.strip()):
                    data[key] = value.strip()[:16]
        return data

    @validates("timezone")
    def _known_zone(self, value, **kwargs):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(_m("Unknown time zone.")) from exc

    @validates_schema
    def _times(self, data, **kwargs):
        if data.get("all_day"):
            if not data.get("start_date"):
                raise ValidationError(_m("This field is required."), "start_date")
            if data.get("end_date") and data["end_date"] < data["start_date"]:
                raise ValidationError(_m("The end must be after the start."), "end_date")
        else:
            if not data.get("starts_at"):
                raise ValidationError(_m("This field is required."), "starts_at")
            if not data.get("ends_at"):
                raise ValidationError(_m("This field is required."), "ends_at")
            if data["ends_at"] <= data["starts_at"]:
                raise ValidationError(_m("The end must be after the start."), "ends_at")
        if data.get("repeat") and not (data.get("repeat_count") or data.get("repeat_until")):
            raise ValidationError(
                _m("A repeating event needs an end: a number of times (COUNT) or an end date (UNTIL)."), "repeat_count"
            )

    @post_load
    def _derive(self, data, **kwargs):
        data["questions"] = parse_questions(data.pop("questions_text", ""))
        repeat = data.pop("repeat", "")
        count, until = data.pop("repeat_count", None), data.pop("repeat_until", None)
        if repeat:
            rule = REPEATS[repeat]
            rule += f";COUNT={count}" if count else f";UNTIL={until:%Y%m%d}T235959"
            data["rrule"] = rule
        return data
