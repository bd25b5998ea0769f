"""Everyone's own registration in the shared calendar, written once for the pages, the API, the CLI and jobs.

The rules of registering (open, answers, places and the waiting list, registered already) are the events'
(``regions.events.services.register``); these actions add who may: an event one may see
(``shared.calendar.access``), for oneself. None commits: ``hub.core.glue`` does, and turns a registration that
a twin request (a double click) made a moment ago into a conflict.
"""

from __future__ import annotations

from hub.core.actions import Actor
from regions.events.models import Registration
from shared.calendar import access
from shared.calendar import services as calendar


def register_self(actor: Actor, event_id: int, *, answers: dict | None = None) -> Registration:
    """Register oneself for a visible event: a place, or the waiting list when it is full; confirmed by e-mail."""
    entry = access.visible_entry(actor, event_id)
    access.require_own_registrations(actor)
    return calendar.register_self(entry.event, actor.user, answers or {})


def cancel_own(actor: Actor, event_id: int) -> Registration:
    """Give one's place (or waiting-list place) back; the first one waiting moves up."""
    entry = access.visible_entry(actor, event_id)
    access.require_own_registrations(actor)
    return calendar.cancel_own(entry.event, actor.user)
