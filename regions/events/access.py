"""Who may see and change a region's events and their registrations: the coordination's tools.

The coordination (and an administrator) manages every event of its region and its registrations; the
umbrella reads them. Everyone else reaches events only through the shared calendar (shared/calendar/access.py),
which applies the events' audience. An event of another region does not exist here (NotFound).
"""

from __future__ import annotations

from hub.core.actions import Actor, Forbidden, get_or_404
from regions.events.models import Event, Registration


def readable_event(actor: Actor, event_id: int) -> Event:
    """An event of the region with its registrations, for the coordination and the umbrella."""
    event = get_or_404(Event, event_id)
    if not actor.reviews:
        raise Forbidden()
    return event


def managed_event(actor: Actor, event_id: int) -> Event:
    """An event the actor may change: the coordination only."""
    event = readable_event(actor, event_id)
    actor.require_coordination()
    return event


def managed_registration(actor: Actor, registration_id: int) -> Registration:
    """Someone's registration, for the coordination to check in or cancel."""
    registration = get_or_404(Registration, registration_id)
    managed_event(actor, registration.event_id)
    return registration
