"""Meetings at events in the JSON API, with exactly the rules of the pages (``shared.meetings.actions``)."""

from __future__ import annotations

from functools import wraps

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import api_action, load
from shared.meetings import access, actions, services, setups
from shared.meetings.schemas import (
    EventMeetingSchema,
    EventMeetingsQuerySchema,
    EventMeetingsSchema,
    MeetingSetupOutSchema,
    MeetingSetupSchema,
    ProposalSchema,
)

blp = Blueprint("api_meetings", __name__, url_prefix="/api/v1", description="Meetings at events between participants")
SECURITY = [{"bearerAuth": []}]


def _meeting_event_first(view):
    """404 for an event the caller may not see, before the body is parsed."""

    @wraps(view)
    def wrapped(*args, event_id: int, **kwargs):
        load(access.meeting_event, Actor.current(), event_id)
        return view(*args, event_id=event_id, **kwargs)

    return wrapped


@blp.get("/calendar/events/<int:event_id>/meetings")
@login_required
@_meeting_event_first
@blp.arguments(EventMeetingsQuerySchema, location="query")
@blp.response(200, EventMeetingsSchema)
@blp.doc(security=SECURITY)
def event_meetings(query, event_id: int):
    """Whether the caller takes part, whom they may meet, their meetings at the event; with `with` (a person's
    profile id), the slots free for both with their free places."""
    entry = access.meeting_event(Actor.current(), event_id)
    setup = services.setup_of(event_id)
    registered = bool(services.registered(event_id, [current_user.id]))
    meetings_on = setup is not None and setup.enabled
    people, offers = [], []
    if registered and meetings_on:
        people = services.people_to_meet(entry.event, current_user)
        chosen = next((p for p in people if p.profile.id == query.get("with_profile")), None)
        if chosen is not None:
            offers = services.offers(entry.event, setup, [current_user.id, chosen.user_id])
    return {
        "event_id": event_id,
        "meetings_on": meetings_on,
        "registered": registered,
        "people": people,
        "offers": offers,
        "meetings": services.meetings_of(current_user.id, event_id=event_id),
    }


@blp.post("/calendar/events/<int:event_id>/meetings")
@login_required
@_meeting_event_first
@blp.arguments(ProposalSchema)
@blp.response(201, EventMeetingSchema)
@blp.doc(security=SECURITY)
@api_action
def propose(data, event_id: int):
    """Propose a meeting to someone registered for the same event, in a free slot at a free table or place."""
    return actions.propose(Actor.current(), event_id, **data)


@blp.get("/meetings")
@login_required
@blp.response(200, EventMeetingSchema(many=True))
@blp.doc(security=SECURITY)
def my_meetings():
    """The caller's meetings at all events, by time."""
    return services.meetings_of(current_user.id)


@blp.post("/meetings/<int:event_meeting_id>/accept")
@login_required
@blp.response(200, EventMeetingSchema)
@blp.doc(security=SECURITY)
@api_action
def accept_meeting(event_meeting_id: int):
    """The invited person accepts: the slot is booked for both and the place (409 if taken meanwhile)."""
    return actions.accept(Actor.current(), event_meeting_id)


@blp.post("/meetings/<int:event_meeting_id>/decline")
@login_required
@blp.response(200, EventMeetingSchema)
@blp.doc(security=SECURITY)
@api_action
def decline_meeting(event_meeting_id: int):
    """The invited person declines."""
    return actions.decline(Actor.current(), event_meeting_id)


@blp.post("/meetings/<int:event_meeting_id>/withdraw")
@login_required
@blp.response(200, EventMeetingSchema)
@blp.doc(security=SECURITY)
@api_action
def withdraw_meeting(event_meeting_id: int):
    """The proposer withdraws an unanswered proposal."""
    return actions.withdraw(Actor.current(), event_meeting_id)


@blp.post("/meetings/<int:event_meeting_id>/cancel")
@login_required
@blp.response(200, EventMeetingSchema)
@blp.doc(security=SECURITY)
@api_action
def cancel_meeting(event_meeting_id: int):
    """Either person calls off an accepted meeting."""
    return actions.cancel(Actor.current(), event_meeting_id)


@blp.route("/regions/<region>/events/<int:event_id>/meetings")
class MeetingSetupView(MethodView):
    @coordinator_required
    @blp.response(200, MeetingSetupOutSchema)
    @blp.doc(security=SECURITY)
    def get(self, event_id: int):
        """The event's meeting set-up and how many meetings it produced (numbers only)."""
        event = load(access.coordinated_event, Actor.current(), event_id)
        return _setup_out(event)

    @coordinator_required
    @blp.arguments(MeetingSetupSchema)
    @blp.response(200, MeetingSetupOutSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def put(self, data, event_id: int):
        """Switch meetings on or off for the event and set its slots and places."""
        actions.configure(Actor.current(), event_id, **data)
        return _setup_out(access.coordinated_event(Actor.current(), event_id))


def _setup_out(event) -> dict:
    setup = services.setup_of(event.id)
    figures = setups.figures(event, setup)
    return {
        "event_id": event.id,
        "enabled": bool(setup and setup.enabled),
        "slot_minutes": setup.slot_minutes if setup else None,
        "window_starts_at": setup.window_starts_at if setup else None,
        "window_ends_at": setup.window_ends_at if setup else None,
        "places": setup.places if setup else [],
        "counts": figures.by_status,
        "per_slot": figures.per_slot,
    }
