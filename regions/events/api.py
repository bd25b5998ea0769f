"""The coordination's events in the JSON API. Times are ISO 8601 in UTC on output and are taken back as
they are; input without an offset is a wall-clock time in the event's time zone, as the form sends it.
PUT replaces an event, PATCH changes some of its fields (``hub.core.api_updates``)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import fields, validate
from sqlalchemy.exc import IntegrityError

from hub.accounts.models import User
from hub.core.access import coordinator_required
from hub.core.api_updates import Updates
from hub.core.db import db
from hub.core.schemas import BaseSchema, Id
from regions.events import services
from regions.events.models import Registration
from regions.events.schemas import CheckInSchema, EventInputSchema
from regions.events.views import service_arguments
from regions.members.services import list_members

blp = Blueprint(
    "api_events",
    __name__,
    url_prefix="/api/v1/regions/<region>/events",
    description="A region's events and registrations (coordination)",
)
SECURITY = [{"bearerAuth": []}]


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


class RegisterMemberSchema(BaseSchema):
    user_id = Id(required=True)
    answers = fields.Dict(
        keys=fields.String(), values=fields.String(validate=validate.Length(max=500)), load_default=dict
    )


def _unprocessable(exc: services.EventError):
    abort(422, errors={"json": {exc.field or "_schema": [str(exc.message)]}})


# What GET shows and PUT needs: the stored fields; the form's alternatives and the options are left out.
WRITABLE = (*services.EDITABLE, "starts_at", "ends_at")
UPDATES = Updates(EventInputSchema, shown=EventSchema(only=WRITABLE), writable=WRITABLE)


def _as_stored(data: dict) -> dict:
    """Validated input as the event stores it: the editable fields, start and end in UTC."""
    fields_, start, end = service_arguments(data)
    return {**{k: v for k, v in fields_.items() if k in services.EDITABLE}, "starts_at": start, "ends_at": end}


def _update(event, data: dict):
    """Change what differs from the stored event (`whole_series`: also every coming date of its series)."""
    changes = UPDATES.changes(event, data, _as_stored)
    if not changes:
        return event
    start, end = changes.pop("starts_at", None), changes.pop("ends_at", None)
    try:
        services.update_event(event, changes, starts_at=start, ends_at=end, whole_series=data["whole_series"])
    except services.EventError as exc:
        _unprocessable(exc)
    db.session.commit()
    return event


@blp.route("/")
class Events(MethodView):
    @blp.response(200, EventSchema(many=True))
    @blp.doc(security=SECURITY)
    @coordinator_required
    def get(self):
        """The region's coming events (drafts included)."""
        return services.list_events()

    @blp.arguments(EventInputSchema)
    @blp.response(201, EventSchema)
    @blp.doc(security=SECURITY)
    @coordinator_required
    def post(self, data):
        """Create an event, or a series with `rrule` (COUNT or UNTIL required)."""
        fields_, start, end = service_arguments(data)
        try:
            event = services.create_event(fields_, starts_at=start, ends_at=end, rrule=data.get("rrule") or None)
        except services.EventError as exc:
            _unprocessable(exc)
        db.session.commit()
        return event


@blp.route("/<int:event_id>")
class OneEvent(MethodView):
    @blp.response(200, EventSchema)
    @blp.doc(security=SECURITY)
    @coordinator_required
    def get(self, event_id: int):
        """One event of the region."""
        return services.get_event(event_id) or abort(404)

    @blp.arguments(UPDATES.replacement)
    @blp.response(200, EventSchema)
    @blp.doc(security=SECURITY)
    @coordinator_required
    def put(self, data, event_id: int):
        """Replace an event's details: every writable field is required (`whole_series` for every coming
        date of its series)."""
        return _update(services.get_event(event_id) or abort(404), data)

    @blp.arguments(UPDATES.patch)
    @blp.response(200, EventSchema)
    @blp.doc(security=SECURITY)
    @coordinator_required
    def patch(self, sent, event_id: int):
        """Change some of an event's details; the fields left out keep their values (`whole_series` for every
        coming date of its series)."""
        event = services.get_event(event_id) or abort(404)
        return _update(event, UPDATES.patched(event, sent))


@blp.post("/<int:event_id>/cancel")
@blp.response(200, EventSchema)
@blp.doc(security=SECURITY)
@coordinator_required
def cancel_event(event_id: int):
    """Cancel an event; registered people are told by e-mail."""
    event = services.get_event(event_id) or abort(404)
    services.cancel_event(event)
    db.session.commit()
    return event


@blp.route("/<int:event_id>/registrations")
class Registrations(MethodView):
    @blp.response(200, RegistrationSchema(many=True))
    @blp.doc(security=SECURITY)
    @coordinator_required
    def get(self, event_id: int):
        """Registrations, waiting list (in order) and cancellations."""
        return services.registrations(services.get_event(event_id) or abort(404))

    @blp.arguments(RegisterMemberSchema)
    @blp.response(201, RegistrationSchema)
    @blp.doc(security=SECURITY)
    @coordinator_required
    def post(self, data, event_id: int):
        """Register a member of the region (a place, or the waiting list)."""
        event = services.get_event(event_id) or abort(404)
        if data["user_id"] not in {m.user_id for m in list_members()}:
            abort(422, errors={"json": {"user_id": ["not a member of this region"]}})
        try:
            registration = services.register(
                event, db.session.get(User, data["user_id"]), data["answers"], by=current_user._get_current_object()
            )
            db.session.commit()
        except services.EventError as exc:
            db.session.rollback()
            _unprocessable(exc)
        except IntegrityError:
            db.session.rollback()
            abort(422, errors={"json": {"user_id": ["already registered"]}})
        return registration


@blp.post("/registrations/<int:registration_id>/check-in")
@blp.arguments(CheckInSchema)
@blp.response(200, RegistrationSchema)
@blp.doc(security=SECURITY)
@coordinator_required
def check_in(data, registration_id: int):
    """Record attendance."""
    registration = db.session.get(Registration, registration_id) or abort(404)
    try:
        services.check_in(registration, data["present"])
    except services.EventError as exc:
        _unprocessable(exc)
    db.session.commit()
    return registration
