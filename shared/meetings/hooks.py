"""What the meetings add to other features' pages without those features knowing them (template globals):

- the calendar's event page links to the event's meetings when they are switched on (``event_meetings_on``);
- the coordination's page of an event shows how many meetings it produced, with a link to their set-up
  (``event_meeting_counts``). Pages that do not know the feature test ``is defined`` first;
- a registration given back (by the person or the coordination) ends the person's open meetings at the event
  (``regions.events.services.on_cancelled_registration``);
- the reminder before an event lists the person's accepted meetings there (``event_meetings_of``, read by the
  mail template ``event_reminder.txt``).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from hub.core.db import db
from regions.events.services import on_cancelled_registration
from shared.meetings import services, slots
from shared.meetings.models import EventMeeting, MeetingStatus


def event_meetings_on(event_id: int) -> bool:
    """Whether meetings can be arranged at the event (read across regions: the calendar shows every region's)."""
    setup = services.setup_of(event_id)
    return setup is not None and setup.enabled


def event_meeting_counts(event_id: int) -> dict[str, int] | None:
    """The event's meetings by status, inside the region's scope (the coordination's page); None if never set up."""
    if services.setup_of(event_id) is None:
        return None
    rows = db.session.execute(
        select(EventMeeting.status, func.count()).where(EventMeeting.event_id == event_id).group_by(EventMeeting.status)
    ).all()
    return {str(getattr(status, "value", status)): n for status, n in rows}


def event_meetings_of(event_id: int, user_id: int) -> list[dict[str, str]]:
    """The person's accepted meetings at the event, by time, as the reminder lists them: when, where, with whom."""
    return [
        {
            "when": f"{slots.clock(m.starts_at)}–{slots.clock(m.ends_at)}",
            "place": m.place,
            "name": m.name_of(m.other(user_id)),
        }
        for m in services.meetings_of(user_id, event_id=event_id)
        if m.status == MeetingStatus.ACCEPTED
    ]


def install(app: Flask) -> None:
    on_cancelled_registration(app, services.end_for_cancelled_registration)
    app.add_template_global(event_meetings_on, "event_meetings_on")
    app.add_template_global(event_meeting_counts, "event_meeting_counts")
    app.add_template_global(event_meetings_of, "event_meetings_of")
