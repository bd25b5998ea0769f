"""The coordination's events in the JSON API. Times are ISO 8601 in UTC on output and are taken back as
they are; input without an offset is a wall-clock time in the event's time zone, as the form sends it.
PUT replaces an event, PATCH changes some of its fields (``hub.core.api_updates``).

Thin adapters over ``regions.events.actions`` (the same rules as the pages), through ``hub.core.glue``.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import api_action, load
from regions.events import access, actions, services
from regions.events.schemas import (
    UPDATES,
    CheckInSchema,
    EventInputSchema,
    EventSchema,
    RegisterMemberSchema,
    RegistrationSchema,
)

blp = Blueprint(
    "api_events",
    __name__,
    url_prefix="/api/v1/regions/<region>/events",
    description="A region's events and registrations (coordination)",
)
SECURITY = [{"bearerAuth": []}]


@blp.route("/")
class Events(MethodView):
    @coordinator_required
    @blp.response(200, EventSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self):
        """The region's coming events (drafts included)."""
        return services.list_events()

    @coordinator_required
    @blp.arguments(EventInputSchema)
    @blp.response(201, EventSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data):
        """Create an event, or a series with `rrule` (COUNT or UNTIL required)."""
        return actions.create_event(Actor.current(), data)


@blp.route("/<int:event_id>")
class OneEvent(MethodView):
    @coordinator_required
    @blp.response(200, EventSchema)
    @blp.doc(security=SECURITY)
    def get(self, event_id: int):
        """One event of the region."""
        return load(access.readable_event, Actor.current(), event_id)

    @coordinator_required
    @blp.arguments(UPDATES.replacement)
    @blp.response(200, EventSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def put(self, data, event_id: int):
        """Replace an event's details: every writable field is required (`whole_series` for every coming
        date of its series)."""
        return actions.update_event(Actor.current(), event_id, data)

    @coordinator_required
    @blp.arguments(UPDATES.patch)
    @blp.response(200, EventSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def patch(self, sent, event_id: int):
        """Change some of an event's details; the fields left out keep their values (`whole_series` for every
        coming date of its series)."""
        event = load(access.managed_event, Actor.current(), event_id)
        return actions.update_event(Actor.current(), event_id, UPDATES.patched(event, sent))


@blp.post("/<int:event_id>/cancel")
@coordinator_required
@blp.response(200, EventSchema)
@blp.doc(security=SECURITY)
@api_action
def cancel_event(event_id: int):
    """Cancel an event; registered people are told by e-mail."""
    return actions.cancel_event(Actor.current(), event_id)


@blp.route("/<int:event_id>/registrations")
class Registrations(MethodView):
    @coordinator_required
    @blp.response(200, RegistrationSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, event_id: int):
        """Registrations, waiting list (in order) and cancellations."""
        return services.registrations(load(access.readable_event, Actor.current(), event_id))

    @coordinator_required
    @blp.arguments(RegisterMemberSchema)
    @blp.response(201, RegistrationSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data, event_id: int):
        """Register a member of the region (a place, or the waiting list); 409 if a request at the same moment
        registered them."""
        return actions.register_member(Actor.current(), event_id, **data)


@blp.post("/registrations/<int:registration_id>/check-in")
@coordinator_required
@blp.arguments(CheckInSchema)
@blp.response(200, RegistrationSchema)
@blp.doc(security=SECURITY)
@api_action
def check_in(data, registration_id: int):
    """Record attendance (`present`: false undoes it); only registered people can be checked in."""
    return actions.check_in(Actor.current(), registration_id, data["present"])


@blp.post("/registrations/<int:registration_id>/cancel")
@coordinator_required
@blp.response(200, RegistrationSchema)
@blp.doc(security=SECURITY)
@api_action
def cancel_registration(registration_id: int):
    """Cancel someone's registration or waiting-list place; the first one waiting moves up."""
    return actions.cancel_registration(Actor.current(), registration_id)
