"""Schemas of meetings at events: the coordination's set-up, a proposal, and how pages and the API show them.

Times without an offset are wall-clock times in Europe/Berlin, as the forms send them; the API writes UTC.
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields, post_load, validate

from hub.core.schemas import BaseSchema, Id, LocalDateTime
from regions.events.services import to_utc
from shared.meetings.models import NOTE_LENGTH, PLACE_LENGTH
from shared.meetings.slots import MAX_PLACES

ZONE = "Europe/Berlin"


def _in_utc(data: dict, *names: str) -> dict:
    for name in names:
        if data.get(name) is not None:
            data[name] = to_utc(data[name], ZONE)
    return data


class PlaceList(fields.List):
    """Named places: a list (API), or the lines of a text field (the form), each at most 60 characters."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.Length(min=1, max=PLACE_LENGTH)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = [line.strip() for v in value for line in v.splitlines() if line.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


class MeetingSetupSchema(BaseSchema):
    """Meetings at an event as its coordination sets them up (the form and PUT alike)."""

    enabled = fields.Boolean(load_default=False, metadata={"description": "Meetings can be proposed at the event."})
    slot_minutes = fields.Integer(required=True, validate=validate.Range(min=5, max=240))
    window_starts_at = LocalDateTime(
        load_default=None, allow_none=True, metadata={"description": "Empty: from the event's start."}
    )
    window_ends_at = LocalDateTime(load_default=None, allow_none=True, metadata={"description": "Empty: to its end."})
    table_count = fields.Integer(
        load_default=0, validate=validate.Range(min=0, max=MAX_PLACES), metadata={"description": "Tisch 1 … n"}
    )
    places = PlaceList(load_default=list, metadata={"description": "Further named places, e.g. Foyer."})

    @post_load
    def _times(self, data, **kwargs):
        return _in_utc(data, "window_starts_at", "window_ends_at")


class ProposalSchema(BaseSchema):
    """A proposal: to whom (their profile), which slot (its start) and which table or place, an optional note."""

    profile_id = Id(required=True)
    starts_at = LocalDateTime(required=True)
    place = fields.String(required=True, validate=validate.Length(min=1, max=PLACE_LENGTH))
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_LENGTH))

    @post_load
    def _times(self, data, **kwargs):
        return _in_utc(data, "starts_at")


class EventMeetingSchema(BaseSchema):
    """A meeting as one of its two people sees it."""

    id = fields.Integer()
    event_id = fields.Integer()
    event_title = fields.Function(lambda m: m.event.title)
    status = fields.Function(lambda m: m.status.value)
    role = fields.Function(
        lambda m: "proposer" if current_user.is_authenticated and m.proposer_id == current_user.id else "invitee",
        metadata={"description": "proposer or invitee: the caller's side"},
    )
    proposer_name = fields.Function(lambda m: m.name_of(m.proposer_id))
    proposer_profile_id = fields.Integer(allow_none=True)
    invitee_name = fields.Function(lambda m: m.name_of(m.invitee_id))
    invitee_profile_id = fields.Integer(allow_none=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    place = fields.String()
    note = fields.String()
    uid = fields.String()
    sequence = fields.Integer()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class MeetingPersonSchema(BaseSchema):
    profile_id = fields.Function(lambda p: p.profile.id)
    name = fields.Function(lambda p: p.profile.display_name)
    region_id = fields.Function(lambda p: p.profile.region_id)


class MeetingOfferSchema(BaseSchema):
    starts_at = fields.Function(lambda o: o.slot.starts_at.isoformat())
    ends_at = fields.Function(lambda o: o.slot.ends_at.isoformat())
    places = fields.List(fields.String())


class EventMeetingsSchema(BaseSchema):
    """An event's meetings page for the caller: whether they may take part, whom to meet, their meetings."""

    event_id = fields.Integer()
    meetings_on = fields.Boolean()
    registered = fields.Boolean()
    people = fields.List(fields.Nested(MeetingPersonSchema))
    offers = fields.List(
        fields.Nested(MeetingOfferSchema), metadata={"description": "Free slots with free places (with `with` given)."}
    )
    meetings = fields.List(fields.Nested(EventMeetingSchema))


class EventMeetingsQuerySchema(BaseSchema):
    with_profile = Id(load_default=None, data_key="with", metadata={"description": "A person's profile id"})


class MeetingCountSchema(BaseSchema):
    starts_at = fields.Function(lambda row: row[0].starts_at.isoformat())
    ends_at = fields.Function(lambda row: row[0].ends_at.isoformat())
    accepted = fields.Function(lambda row: row[1])


class MeetingSetupOutSchema(BaseSchema):
    """The set-up and how many meetings the event produced: numbers only, never who or what."""

    event_id = fields.Integer()
    enabled = fields.Boolean()
    slot_minutes = fields.Integer(allow_none=True)
    window_starts_at = fields.DateTime(allow_none=True)
    window_ends_at = fields.DateTime(allow_none=True)
    places = fields.List(fields.String())
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    per_slot = fields.List(fields.Nested(MeetingCountSchema))
