"""Everything that changes meetings at events, written once for the pages, the API, the CLI and jobs.

Each action takes plain values and the acting person, loads what it names through ``shared.meetings.access``
(who may) and applies the rules of ``shared.meetings.services``. None commits: ``hub.core.glue`` does, and turns
a booking that another request made a moment ago (two acceptances of one slot at once) into a conflict (409).
"""

from __future__ import annotations

from datetime import datetime

from hub.core.actions import Actor
from shared.meetings import access, services, setups
from shared.meetings.models import EventMeeting, MeetingSetup


def configure(actor: Actor, event_id: int, **data) -> MeetingSetup:
    """The coordination switches meetings on or off for an event of its region and sets slots and places."""
    event = access.managed_event(actor, event_id)
    return setups.configure(event, data)


def propose(
    actor: Actor, event_id: int, *, profile_id: int, starts_at: datetime, place: str, note: str = ""
) -> EventMeeting:
    """Propose a meeting at an event to someone else registered for it, in a free slot at a free place."""
    entry = access.attendee(actor, event_id)
    other = access.person_to_meet(actor, profile_id)
    return services.propose(entry.event, actor.user, other, starts_at, place, note)


def accept(actor: Actor, meeting_id: int) -> EventMeeting:
    """The invited person accepts; both then find it in their agenda and calendar feed."""
    return services.accept(access.changeable_meeting(actor, meeting_id), actor.user)


def decline(actor: Actor, meeting_id: int) -> EventMeeting:
    """The invited person declines."""
    return services.decline(access.changeable_meeting(actor, meeting_id), actor.user)


def withdraw(actor: Actor, meeting_id: int) -> EventMeeting:
    """The proposer takes back an unanswered proposal."""
    return services.withdraw(access.changeable_meeting(actor, meeting_id), actor.user)


def cancel(actor: Actor, meeting_id: int) -> EventMeeting:
    """Either person calls off an accepted meeting."""
    return services.cancel(access.changeable_meeting(actor, meeting_id), actor.user)
