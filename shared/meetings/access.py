"""Who may see and change meetings at events: the one home of the feature's access rules.

- An event's meetings page is for those who may see the event in the shared calendar (its rule); only the
  people registered for it (a place, not the waiting list) may propose and answer there; anyone else is told so.
- A meeting exists only for its two people: for a third person it answers NotFound (404), whatever their role.
- The set-up and the figures of an event are its region's coordination's (inside the region's scope), and the
  figures are numbers only: never who met whom, never a note.

Meetings join people of different regions, so reading one opens the wall, visibly, here: ``with all_regions():``
below, and in ``shared.meetings.services`` for the caller's own meetings only.
"""

from __future__ import annotations

from flask import Flask

from hub.core.actions import Actor, Forbidden, NotFound, get_or_404
from hub.core.schemas import _m
from hub.core.tenancy import all_regions
from regions.events.models import Event
from regions.profiles.models import Profile
from shared.calendar import access as calendar_access
from shared.calendar.feed_extras import add_private_provider
from shared.calendar.services import Entry
from shared.directory.search import Viewer, find_visible_profile
from shared.meetings import services
from shared.meetings.feed import provider
from shared.meetings.models import EventMeeting


def meeting_event(actor: Actor, event_id: int) -> Entry:
    """An event the actor may see in the calendar (NotFound otherwise), for the meetings page."""
    return calendar_access.visible_entry(actor, event_id)


def attendee(actor: Actor, event_id: int) -> Entry:
    """An event the actor sees and holds a place at; refused with a reason otherwise (not the umbrella's to use)."""
    entry = meeting_event(actor, event_id)
    calendar_access.require_own_registrations(actor)
    if not services.registered(event_id, [actor.user.id]):
        raise services.MeetingError(services.NOT_REGISTERED)
    return entry


def person_to_meet(actor: Actor, profile_id: int) -> Profile:
    """A profile the actor sees in the directory (its rule), to propose a meeting to; refused naming the field."""
    other = find_visible_profile(Viewer.of(actor.user), profile_id)
    if other is None:
        raise services.MeetingError(_m("Choose someone registered for the event."), "profile_id")
    return other


def own_meeting(actor: Actor, meeting_id: int) -> EventMeeting:
    """A meeting the actor is one of the two people of; NotFound for anyone else."""
    if actor.user is None:
        raise NotFound()
    with all_regions(read_only=True):
        meeting = services.meeting_for(actor.user.id, meeting_id)
    if meeting is None:
        raise NotFound()
    return meeting


def changeable_meeting(actor: Actor, meeting_id: int) -> EventMeeting:
    """One's own meeting, to answer, withdraw or cancel (the umbrella reads only)."""
    meeting = own_meeting(actor, meeting_id)
    calendar_access.require_own_registrations(actor)
    return meeting


def coordinated_event(actor: Actor, event_id: int) -> Event:
    """An event of the region in scope, for its coordination (the umbrella reads it)."""
    if not actor.reviews:
        raise Forbidden()
    return get_or_404(Event, event_id)


def managed_event(actor: Actor, event_id: int) -> Event:
    """An event of the region in scope, to set its meetings up: the coordination only."""
    actor.require_coordination()
    return get_or_404(Event, event_id)


def install(app: Flask) -> None:
    """Accepted meetings go into both people's private calendar feed (``mine.ics``)."""
    add_private_provider(app, provider)
