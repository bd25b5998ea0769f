"""Who may see an event in the shared calendar and register for it: the one home of the calendar's access rules.

An event is visible by its audience (``shared.calendar.queries.visible_events``): public events to everyone,
network events to every signed-in person, region events to the region's members, drafts to its coordination
(and the umbrella and administrators). An event one may not see does not exist (NotFound). Registering and
cancelling change one's own registrations: a signed-in person's, never the umbrella's, which reads only.
"""

from __future__ import annotations

from hub.core.actions import Actor, Forbidden, NotFound
from shared.calendar import services as calendar
from shared.directory.search import Viewer


def visible_entry(actor: Actor, event_id: int) -> calendar.Entry:
    """An event the actor may see, with their own registration's status; NotFound otherwise."""
    entry = calendar.find_entry(Viewer.of(actor.user), event_id)
    if entry is None:
        raise NotFound()
    return entry


def require_own_registrations(actor: Actor) -> None:
    """Someone who may register and cancel for themselves: signed in, and not the read-only umbrella."""
    if actor.user is None or actor.user.is_read_only:
        raise Forbidden()
