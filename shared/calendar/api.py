"""The shared calendar in the JSON API: thin adapters over ``shared.calendar.actions``, the rules of the pages."""

from __future__ import annotations

from functools import wraps

from flask import current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_smorest import Blueprint, abort

from hub.core.access import public
from hub.core.actions import Actor
from hub.core.glue import api_action, load
from hub.core.tenancy.registry import active_regions
from shared.calendar import access, actions
from shared.calendar import services as calendar
from shared.calendar.schemas import (
    CalendarEventSchema,
    CalendarWindowSchema,
    OwnRegistrationSchema,
    RegistrationRequestSchema,
    dump_events,
)
from shared.directory.search import Viewer

blp = Blueprint("api_calendar", __name__, url_prefix="/api/v1", description="The shared calendar of all regions")
SECURITY = [{"bearerAuth": []}, {}]


def _viewer() -> Viewer:
    return Viewer.of(current_user)


def _events(entries, regions):
    return jsonify(dump_events(entries, current_user.is_authenticated, regions))


@blp.get("/calendar")
@blp.arguments(CalendarWindowSchema, location="query")
@blp.response(200, CalendarEventSchema(many=True))
@blp.doc(security=SECURITY)
@public
def calendar_window(args):
    """The events the caller may see that overlap [start, end) (at most 400 days); visitors get public
    events only. ``online_url`` and ``my_registration`` only for signed-in callers."""
    if args["mine"] and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    # The regions the events' rows point to (an inactive region's is looked up by the dump).
    regions = active_regions()
    ids = {r.slug: r.id for r in regions}
    unknown = [slug for slug in args["region"] if slug not in ids]
    if unknown:
        abort(422, errors={"query": {"region": [_("Unknown region: %(slug)s.", slug=slug) for slug in unknown]}})
    filters = calendar.Filters(
        regions=tuple(ids[slug] for slug in args["region"]),
        types=tuple(t.value for t in args["type"]),
        mine=args["mine"],
    )
    entries = calendar.window_events(_viewer(), args["start"], args["end"], filters, columns=calendar.API_COLUMNS)
    return _events(entries, {r.id: r for r in regions})


def _visible_event_first(view):
    """404 for an event the caller may not see, before the body is even parsed (nothing to learn)."""

    @wraps(view)
    def wrapped(*args, event_id: int, **kwargs):
        return view(*args, entry=load(access.visible_entry, Actor.current(), event_id), **kwargs)

    return wrapped


@blp.get("/calendar/events/<int:event_id>")
@blp.response(200, CalendarEventSchema)
@blp.doc(security=SECURITY)
@public
@_visible_event_first
def calendar_event(entry: calendar.Entry):
    """One event the caller may see (public events without an account)."""
    return jsonify(dump_events([entry], current_user.is_authenticated)[0])


def _own(registration, entry: calendar.Entry) -> dict:
    return {
        "id": registration.id,
        "status": registration.status,
        "answers": registration.answers,
        "created_at": registration.created_at,
        "event": calendar.Entry(entry.event, registration.status),
    }


@blp.post("/calendar/events/<int:event_id>/registration")
@login_required
@_visible_event_first
@blp.arguments(RegistrationRequestSchema)
@blp.response(201, OwnRegistrationSchema)
@blp.doc(security=[{"bearerAuth": []}])
@api_action
def register(data, entry: calendar.Entry):
    """Register the caller: ``registered`` while places are free, else ``waitlisted``. Confirmed by e-mail.
    409 if a request of theirs at the same moment registered them."""
    return _own(actions.register_self(Actor.current(), entry.id, **data), entry)


@blp.delete("/calendar/events/<int:event_id>/registration")
@login_required
@_visible_event_first
@blp.response(204)
@blp.doc(security=[{"bearerAuth": []}])
@api_action
def cancel(entry: calendar.Entry):
    """Cancel the caller's registration (or waiting-list place); the first one waiting moves up."""
    actions.cancel_own(Actor.current(), entry.id)


@blp.get("/calendar/registrations")
@blp.response(200, OwnRegistrationSchema(many=True))
@blp.doc(security=[{"bearerAuth": []}])
@login_required
def my_registrations():
    """The caller's registrations and waiting-list places, by date of the event."""
    return [_own(registration, entry) for registration, entry in calendar.my_registrations(_viewer())]
