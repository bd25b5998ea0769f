"""Speed-dating schemas: one layer for the coordination's forms and the JSON API.

Rounds and tables are counted from 1 here, as people count them; the database counts from 0.
"""

from __future__ import annotations

from marshmallow import fields, post_load, validate
from werkzeug.datastructures import MultiDict

from hub.core.schemas import BaseSchema, Id, LocalDateTime, _m
from regions.speeddating.vocab import NOTE_LENGTH, Interest, PairingMode


class SessionInputSchema(BaseSchema):
    """A session's settings; times without an offset are wall-clock times in Europe/Berlin."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    mode = fields.Enum(PairingMode, by_value=True, load_default=PairingMode.EVERYONE)
    tables = fields.Integer(required=True, validate=validate.Range(min=1, max=500))
    round_minutes = fields.Integer(load_default=7, validate=validate.Range(min=1, max=120))
    break_minutes = fields.Integer(load_default=2, validate=validate.Range(min=0, max=60))
    starts_at = LocalDateTime(load_default=None)
    rating_deadline = LocalDateTime(load_default=None)


class NewSessionSchema(SessionInputSchema):
    event_id = Id(required=True)


class ParticipantInputSchema(BaseSchema):
    profile_id = Id(required=True)


class TakeRegistrationsSchema(BaseSchema):
    checked_in_only = fields.Boolean(load_default=False)


class ParticipantRefSchema(BaseSchema):
    """A participant of the session, named by a page's button."""

    participant_id = Id(required=True)


class PairRefSchema(BaseSchema):
    """A wished or avoided pair, named by a page's button."""

    pair_id = Id(required=True)


class PairInputSchema(BaseSchema):
    creative_id = Id(required=True)
    organisation_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["wish", "avoid"]))


class SlotSchema(BaseSchema):
    """Where a meeting goes by hand: round and table, counted from 1."""

    round = fields.Integer(required=True, validate=validate.Range(min=1, max=10000))
    table = fields.Integer(required=True, validate=validate.Range(min=1, max=500))

    @post_load
    def _from_zero(self, data, **kwargs):
        return {"round": data["round"] - 1, "table": data["table"] - 1}


class ReplanSchema(BaseSchema):
    """Re-plan the rest of the evening from a round on: who is no longer there, which tables are out of use."""

    from_round = fields.Integer(required=True, validate=validate.Range(min=1, max=10000))
    absent = fields.List(
        fields.Integer(), load_default=list, metadata={"description": "participant ids of people no longer there"}
    )
    tables_out_of_use = fields.List(fields.Integer(validate=validate.Range(min=1, max=500)), load_default=list)

    @post_load
    def _from_zero(self, data, **kwargs):
        return {
            **data,
            "from_round": data["from_round"] - 1,
            "tables_out_of_use": [t - 1 for t in data["tables_out_of_use"]],
        }


class SwapSchema(BaseSchema):
    other_id = Id(required=True)


class PinSchema(BaseSchema):
    pinned = fields.Boolean(required=True)


class RatingInputSchema(BaseSchema):
    """A rating of a person one met; the coordination names the rater too (paper forms)."""

    ratee_id = Id(required=True)
    interest = fields.Enum(Interest, by_value=True, required=True)
    note = fields.String(
        load_default=None,
        validate=validate.Length(max=NOTE_LENGTH),
        metadata={"description": "the rater's own note; left out, the note stays as it was"},
    )
    rater_id = Id(load_default=None)


class OwnRatingSchema(RatingInputSchema):
    """A rating by the participation in the URL: the rater is given by the URL."""

    class Meta(RatingInputSchema.Meta):
        exclude = ("rater_id",)


CHOOSE_AN_ANSWER = _m("Please choose one of the answers.")


def rating_choices(form: MultiDict) -> tuple[dict[int, Interest], dict[str, list[str]]]:
    """The rating form's rows, one per person met (``interest_<participant id>``): ({participant id: interest},
    errors by row); a row left empty is no choice."""
    choices, errors = {}, {}
    for key, value in form.items():
        if key.startswith("interest_") and value:
            try:
                choices[int(key.removeprefix("interest_"))] = Interest(value)
            except ValueError:
                errors[key] = [str(CHOOSE_AN_ANSWER)]
    return choices, errors


def rating_notes(form: MultiDict) -> tuple[dict[int, str], dict[str, list[str]]]:
    """The rating form's notes, one per person met (``note_<participant id>``), trimmed: ({participant id: note},
    errors by field); an empty note is sent too, to clear one kept before."""
    notes, errors = {}, {}
    for key, value in form.items():
        if not key.startswith("note_"):
            continue
        try:
            ratee_id = int(key.removeprefix("note_"))
        except ValueError:
            continue  # not a field of the form
        note = value.strip()
        if len(note) > NOTE_LENGTH:
            errors[key] = [str(validate.Length.message_max.format(max=NOTE_LENGTH))]
        else:
            notes[ratee_id] = note
    return notes, errors


# -- what the API shows -----------------------------------------------------------------------------------


class MeetingSchema(BaseSchema):
    id = fields.Integer()
    round = fields.Function(lambda m: m.round + 1)
    table = fields.Function(lambda m: m.table + 1)
    creative_id = Id()
    organisation_id = Id()
    pinned = fields.Boolean()


class ParticipantSchema(BaseSchema):
    id = fields.Integer()
    profile_id = Id()
    side = fields.Function(lambda p: p.side.value)
    name = fields.String()
    organisation = fields.String()
    registration_id = Id(allow_none=True)


class PairSchema(BaseSchema):
    id = fields.Integer()
    creative_id = Id()
    organisation_id = Id()
    kind = fields.String()


class SessionSchema(BaseSchema):
    id = fields.Integer()
    event_id = Id()
    title = fields.String()
    mode = fields.Function(lambda s: s.mode.value)
    tables = fields.Integer()
    round_minutes = fields.Integer()
    break_minutes = fields.Integer()
    starts_at = fields.DateTime()
    rating_deadline = fields.DateTime(allow_none=True)
    rounds = fields.Integer()
    lower_bound = fields.Integer()
    generated_at = fields.DateTime(allow_none=True)


class ScheduleSchema(SessionSchema):
    participants = fields.List(fields.Nested(ParticipantSchema))
    pairs = fields.List(fields.Nested(PairSchema))
    meetings = fields.List(fields.Nested(MeetingSchema))


class RatingSchema(BaseSchema):
    id = fields.Integer()
    meeting_id = Id()
    rater_id = Id()
    ratee_id = Id()
    interest = fields.Function(lambda r: r.interest.value)
    note = fields.String()
    entered_by_id = Id(allow_none=True)
    updated_at = fields.DateTime()


class TakenSchema(BaseSchema):
    added = fields.Integer()
    without_profile = fields.List(fields.String(), metadata={"description": "registered people without a profile"})


class ParticipationSchema(BaseSchema):
    participant_id = fields.Integer()
    session_id = fields.Integer()
    title = fields.String()
    side = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    rating_deadline = fields.DateTime(allow_none=True)
    rating_open = fields.Boolean()


class OwnMeetingSchema(BaseSchema):
    meeting_id = fields.Integer()
    round = fields.Integer()
    table = fields.Integer()
    starts_at = fields.DateTime()
    other_id = fields.Integer(metadata={"description": "the participant id of the person met, to rate them"})
    name = fields.String()
    organisation = fields.String()
    rating = fields.String(allow_none=True, metadata={"description": "what the caller said about them so far"})
    rating_open = fields.Boolean(metadata={"description": "whether the meeting can be rated now"})
    rating_opens_at = fields.DateTime(metadata={"description": "when its round ends: from then on it can be rated"})


class ParticipationDetailSchema(ParticipationSchema):
    name = fields.String()
    meetings = fields.List(fields.Nested(OwnMeetingSchema))
