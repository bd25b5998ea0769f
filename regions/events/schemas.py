"""Event schemas: what the coordination's forms, the registration forms and the API accept, and how the API
shows events and registrations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, fields, post_load, validate, validates, validates_schema

from hub.core.api_updates import Updates
from hub.core.schemas import BaseSchema, Id, LocalDateTime, _m
from regions.events.services import ANSWER_LENGTH, EDITABLE
from regions.events.vocab import Audience, EventStatus, EventType

BERLIN = "Europe/Berlin"
EVENT_ZONE = "the event's `timezone`"
REPEATS = {"weekly": "FREQ=WEEKLY", "biweekly": "FREQ=WEEKLY;INTERVAL=2", "monthly": "FREQ=MONTHLY"}


def parse_questions(text: str) -> list[dict]:
    """One question per line; a trailing * makes it required. 'Welche Organisation vertreten Sie? *'

    The lines carry no keys: the event's services give each question the key it had (by its label) or a new one.
    """
    questions = []
    for line in text.splitlines():
        label = line.strip()
        if not label:
            continue
        required = label.endswith("*")
        label = label.rstrip("*").strip()[:200]
        questions.append({"key": None, "label": label, "required": required})
    return questions[:10]


def questions_as_text(questions: list[dict]) -> str:
    """The questions as the form's text shows them (what ``parse_questions`` reads back): required ones with *."""
    return "\n".join(q["label"] + (" *" if q.get("required") else "") for q in questions or [])


class QuestionInputSchema(BaseSchema):
    """A registration question as the API shows it; a new one gets its key from the hub."""

    key = fields.String(load_default=None, validate=validate.Length(max=60))
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    required = fields.Boolean(load_default=False)


def _wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """A loaded time on the zone's wall clock: an aware one converted, a naive one is such a time already."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment.tzinfo else moment


def _instant(moment: datetime, zone: ZoneInfo) -> datetime:
    """A loaded time as a UTC instant: a naive one is a wall-clock time in the zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def _days(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """An all-day event's first and last day from its times as the API returns them (midnight to midnight)."""
    first, end = _wall_clock(starts_at, zone), _wall_clock(ends_at, zone)
    last = end.date() - timedelta(days=1) if end.time() == time() else end.date()
    return first.date(), max(first.date(), last)


class EventInputSchema(BaseSchema):
    """Times in ISO 8601; without an offset, local wall-clock times in the event's time zone (Europe/Berlin
    unless said otherwise). An all-day event takes the form's `start_date` and `end_date`, or `starts_at`
    and `ends_at` as the API returns them."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    type = fields.Enum(EventType, by_value=True, load_default=EventType.OTHER)
    description = fields.String(load_default="", validate=validate.Length(max=10000))
    all_day = fields.Boolean(load_default=False)
    starts_at = LocalDateTime(load_default=None, zone=EVENT_ZONE)
    ends_at = LocalDateTime(load_default=None, zone=EVENT_ZONE)
    start_date = fields.Date(load_default=None, metadata={"description": "All-day events: the first day (form)"})
    end_date = fields.Date(load_default=None, metadata={"description": "All-day events: the last day (form)"})
    timezone = fields.String(load_default=BERLIN, validate=validate.Length(max=60))
    venue = fields.String(load_default="", validate=validate.Length(max=200))
    address = fields.String(load_default="", validate=validate.Length(max=300))
    online_url = fields.Url(load_default="", schemes={"http", "https"}, validate=validate.Length(max=500))
    audience = fields.Enum(Audience, by_value=True, load_default=Audience.REGION)
    capacity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=100000))
    registration_deadline = LocalDateTime(load_default=None, zone=EVENT_ZONE)
    status = fields.Enum(
        EventStatus,
        by_value=True,
        load_default=EventStatus.DRAFT,
        metadata={"description": "A new event: draft or published; cancelled only for an existing event"},
    )
    questions = fields.List(
        fields.Nested(QuestionInputSchema),
        load_default=None,
        validate=validate.Length(max=10),
        metadata={"description": "The registration questions, as the API shows them; keys are kept"},
    )
    questions_text = fields.String(
        load_default=None,
        validate=validate.Length(max=3000),
        metadata={"description": "The form's way: one question a line, * at the end if required; wins over questions"},
    )
    repeat = fields.String(load_default="", validate=validate.OneOf(["", *REPEATS]))
    repeat_count = fields.Integer(load_default=None, validate=validate.Range(min=2, max=120))
    repeat_until = fields.Date(load_default=None)
    rrule = fields.String(load_default="", validate=validate.Length(max=300))
    whole_series = fields.Boolean(load_default=False)

    @validates("timezone")
    def _known_zone(self, value, **kwargs):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(_m("Unknown time zone.")) from exc

    @validates_schema
    def _times(self, data, **kwargs):
        if data.get("all_day") and (data.get("start_date") or not data.get("starts_at")):
            if not data.get("start_date"):
                raise ValidationError(_m("This field is required."), "start_date")
            if data.get("end_date") and data["end_date"] < data["start_date"]:
                raise ValidationError(_m("The end must be after the start."), "end_date")
        else:
            if not data.get("starts_at"):
                raise ValidationError(_m("This field is required."), "starts_at")
            if not data.get("ends_at"):
                raise ValidationError(_m("This field is required."), "ends_at")
            zone = ZoneInfo(data.get("timezone") or BERLIN)
            if _instant(data["ends_at"], zone) <= _instant(data["starts_at"], zone):
                raise ValidationError(_m("The end must be after the start."), "ends_at")
        keys = [q["key"] for q in data.get("questions") or [] if q["key"]]
        if len(keys) != len(set(keys)):
            raise ValidationError(_m("Each question needs its own key."), "questions")
        if data.get("repeat") and not (data.get("repeat_count") or data.get("repeat_until")):
            raise ValidationError(
                _m("A repeating event needs an end: a number of times (COUNT) or an end date (UNTIL)."), "repeat_count"
            )

    @post_load
    def _derive(self, data, **kwargs):
        text, questions = data.pop("questions_text", None), data.pop("questions", None)
        data["questions"] = parse_questions(text) if text is not None else questions or []
        if data.get("all_day") and not data.get("start_date"):
            zone = ZoneInfo(data.get("timezone") or BERLIN)
            data["start_date"], data["end_date"] = _days(data["starts_at"], data["ends_at"], zone)
        repeat = data.pop("repeat", "")
        count, until = data.pop("repeat_count", None), data.pop("repeat_until", None)
        if repeat:
            rule = REPEATS[repeat]
            rule += f";COUNT={count}" if count else f";UNTIL={until:%Y%m%d}T235959"
            data["rrule"] = rule
        return data


class CheckInSchema(BaseSchema):
    """Someone present on the day, or the check-in undone."""

    present = fields.Boolean(load_default=True)


# -- registrations ------------------------------------------------------------------------------------

ANSWER_PREFIX = "answer-"  # a form's field of the answer to a question: answer-<key>
ANSWER = validate.Length(max=ANSWER_LENGTH)


class RegistrationRequestSchema(BaseSchema):
    """A registration: the answers to the event's questions, by question key."""

    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(max=60)), values=fields.String(validate=ANSWER), load_default=dict
    )


class RegisterMemberSchema(RegistrationRequestSchema):
    """The coordination registers a member of the region, with their answers."""

    user_id = Id(required=True)


class _RegistrationForm(BaseSchema):
    @post_load
    def _answers(self, data, **kwargs):
        answers = {name.removeprefix("answer:"): data.pop(name) for name in list(data) if name.startswith("answer:")}
        return {**data, "answers": answers}


def registration_form(questions: list[dict], *, someone: bool = False) -> BaseSchema:
    """The registration form of an event: one ``answer-<key>`` field per question (and whom, for the coordination).

    Loads as the API's body does: ``{"answers": {key: text}}`` (and ``user_id``).
    """
    declared: dict = {
        f"answer:{q['key']}": fields.String(data_key=ANSWER_PREFIX + q["key"], load_default="", validate=ANSWER)
        for q in questions or []
    }
    if someone:
        declared["user_id"] = Id(required=True)
    return type("RegistrationFormSchema", (_RegistrationForm,), declared)()


def answers_on_the_form(errors: dict) -> dict:
    """An action's errors as the registration form names its fields: an answer's as ``answer-<key>``."""
    on_form = {name: texts for name, texts in errors.items() if name != "answers"}
    for key, texts in (errors.get("answers") or {}).items():
        on_form[ANSWER_PREFIX + key] = texts
    return on_form


# -- the API's output ---------------------------------------------------------------------------------


class EventSchema(BaseSchema):
    id = fields.Integer()
    uid = fields.String()
    series_id = Id(allow_none=True)
    title = fields.String()
    type = fields.Function(lambda e: e.type.value)
    description = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    timezone = fields.String()
    all_day = fields.Boolean()
    venue = fields.String()
    address = fields.String()
    online_url = fields.String()
    audience = fields.Function(lambda e: e.audience.value)
    capacity = fields.Integer(allow_none=True)
    registration_deadline = fields.DateTime(allow_none=True)
    status = fields.Function(lambda e: e.status.value)
    questions = fields.List(fields.Dict())
    registered_count = fields.Integer()
    waitlisted_count = fields.Integer()
    sequence = fields.Integer()


class RegistrationSchema(BaseSchema):
    id = fields.Integer()
    user_id = Id()
    name = fields.Function(lambda r: r.user.name)
    status = fields.Function(lambda r: r.status.value)
    answers = fields.Dict()
    queued_at = fields.DateTime()
    checked_in_at = fields.DateTime(allow_none=True)


# What GET shows and PUT needs: the stored fields; the form's alternatives and the options are left out.
WRITABLE = (*EDITABLE, "starts_at", "ends_at")
UPDATES = Updates(EventInputSchema, shown=EventSchema(only=WRITABLE), writable=WRITABLE)
