"""Everything the coordination changes about its events and their registrations, written once for the pages,
the API, the CLI and jobs.

Each action takes plain values (a form's or a body's, as ``regions.events.schemas`` loads them) and the acting
person, loads what it names through ``regions.events.access``, turns local times into UTC, applies the rules
of ``services`` and raises ``ServiceError`` naming the field. None commits: ``hub.core.glue`` does, and turns
a registration that a twin request made a moment ago (the unique constraint) into a conflict.
Everyone's own registration in the shared calendar is ``shared.calendar.actions``.
"""

from __future__ import annotations

from datetime import datetime

from hub.core.actions import Actor
from hub.core.schemas import _m
from regions.events import access, services
from regions.events.models import Event, Registration
from regions.events.schemas import UPDATES
from regions.events.vocab import NEW_EVENT_STATUSES
from regions.members.services import require_member

TIMES = ("starts_at", "ends_at", "start_date", "end_date")


def _schedule(data: dict) -> tuple[dict, datetime, datetime]:
    """Loaded input → (the other fields, start in UTC, end in UTC); the deadline is placed in UTC too."""
    starts_at, ends_at = services.schedule_from(data)
    fields = {k: v for k, v in data.items() if k not in TIMES}
    if data.get("registration_deadline"):
        fields["registration_deadline"] = services.to_utc(data["registration_deadline"], data["timezone"])
    return fields, starts_at, ends_at


def as_stored(data: dict) -> dict:
    """Loaded input as the event stores it: the editable fields, start and end in UTC."""
    fields, start, end = _schedule(data)
    return {**{k: v for k, v in fields.items() if k in services.EDITABLE}, "starts_at": start, "ends_at": end}


def create_event(actor: Actor, data: dict) -> Event:
    """Create an event, or a series with ``rrule`` (every date an event of its own); the first one is returned.

    A new event is a draft or published: only an event that exists can be cancelled (and its people told).
    """
    actor.require_coordination()
    if data.get("status") not in (None, *NEW_EVENT_STATUSES):
        raise services.EventError(
            _m("A new event is a draft or published; only an existing event can be cancelled."), "status"
        )
    fields, start, end = _schedule(data)
    return services.create_event(fields, starts_at=start, ends_at=end, rrule=data.get("rrule") or None)


def update_event(actor: Actor, event_id: int, data: dict) -> Event:
    """Change what differs from the stored event; ``whole_series``: every coming date of its series with it.

    A save that changes nothing changes nothing: the event keeps its SEQUENCE, a date stays in its series.
    """
    event = access.managed_event(actor, event_id)
    data = {**data, "questions": services.keyed_questions(data.get("questions") or [], event.questions)}
    changes = UPDATES.changes(event, data, as_stored)
    if changes:
        start, end = changes.pop("starts_at", None), changes.pop("ends_at", None)
        whole_series = bool(data.get("whole_series"))
        services.update_event(event, changes, starts_at=start, ends_at=end, whole_series=whole_series)
    return event


def cancel_event(actor: Actor, event_id: int) -> Event:
    """Cancel an event; everyone registered or waiting is told."""
    event = access.managed_event(actor, event_id)
    services.cancel_event(event)
    return event


def register_member(actor: Actor, event_id: int, *, user_id: int, answers: dict | None = None) -> Registration:
    """The coordination registers a member of its region (from a paper list, say): a place or the waiting list."""
    event = access.managed_event(actor, event_id)
    person = require_member(user_id)
    return services.register(event, person, answers or {}, by=actor.user)


def check_in(actor: Actor, registration_id: int, present: bool = True) -> Registration:
    """Mark someone registered present on the day, or undo it."""
    registration = access.managed_registration(actor, registration_id)
    services.check_in(registration, present)
    return registration


def cancel_registration(actor: Actor, registration_id: int) -> Registration:
    """Cancel someone's registration or waiting-list place; the first one waiting moves up."""
    registration = access.managed_registration(actor, registration_id)
    services.cancel_registration(registration)
    return registration
