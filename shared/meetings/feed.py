"""A person's accepted meetings as VEVENTs of their own in their private calendar feed (``mine.ics``).

Each meeting is one VEVENT with a stable UID (the meeting's, the same in both people's feeds) and its SEQUENCE;
a meeting that was accepted and then cancelled stays, as STATUS:CANCELLED with a higher SEQUENCE, so that the
calendar programs take it out. Proposals, declined and withdrawn ones were never in a calendar. The state for
the feed's ETag (count, latest change, sum of SEQUENCE) comes from one aggregate query; the VEVENTs are
rendered only when the feed is sent (a person has a few meetings, not thousands: no cache needed).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import String, func, or_, select, type_coerce
from sqlalchemy.orm import joinedload

from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.db import db
from hub.core.tenancy import all_regions
from shared.calendar import ics
from shared.meetings.models import EventMeeting, MeetingStatus

IN_CALENDAR = (MeetingStatus.ACCEPTED, MeetingStatus.CANCELLED)


def _conditions(user: User, window: tuple[datetime, datetime]) -> list:
    start, end = window
    return [
        or_(EventMeeting.proposer_id == user.id, EventMeeting.invitee_id == user.id),
        EventMeeting.status.in_(IN_CALENDAR),
        EventMeeting.starts_at < end,
        EventMeeting.ends_at > start,
    ]


def provider(user: User, window: tuple[datetime, datetime]):
    """(state, render) of the person's meetings for their private feed (``shared.calendar.feed_extras``)."""
    with all_regions(read_only=True):
        count, changed, sequences = db.session.execute(
            select(
                func.count(), func.max(type_coerce(EventMeeting.updated_at, String)), func.sum(EventMeeting.sequence)
            ).where(*_conditions(user, window))
        ).one()

    def render() -> list[bytes]:
        with all_regions(read_only=True):
            meetings = db.session.scalars(
                select(EventMeeting)
                .where(*_conditions(user, window))
                .options(
                    joinedload(EventMeeting.event),
                    joinedload(EventMeeting.proposer_profile),
                    joinedload(EventMeeting.invitee_profile),
                    joinedload(EventMeeting.proposer),
                    joinedload(EventMeeting.invitee),
                )
                .order_by(EventMeeting.starts_at, EventMeeting.id)
            ).unique()
            return [vevent(meeting, user.id) for meeting in meetings]

    return ("meetings", int(count), str(changed or ""), int(sequences or 0)), render


def vevent(meeting: EventMeeting, user_id: int) -> bytes:
    """One meeting as the person sees it: with whom, where, at which event, their note."""
    event = meeting.event
    cancelled = meeting.status == MeetingStatus.CANCELLED
    title = _("Meeting with %(name)s", name=meeting.name_of(meeting.other(user_id)))
    if cancelled:
        title = _("Cancelled: %(title)s", title=title)
    description = _("At the event “%(title)s”.", title=event.title)
    if meeting.note:
        description += "\n\n" + meeting.note
    location = ", ".join(part for part in (meeting.place, event.venue, event.address) if part)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{ics.escape_text(meeting.uid)}",
        f"DTSTAMP:{ics.utc_stamp(meeting.updated_at)}",
        f"CREATED:{ics.utc_stamp(meeting.created_at)}",
        f"LAST-MODIFIED:{ics.utc_stamp(meeting.updated_at)}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTART:{ics.utc_stamp(meeting.starts_at)}",
        f"DTEND:{ics.utc_stamp(meeting.ends_at)}",
        f"SUMMARY:{ics.escape_text(title)}",
        f"DESCRIPTION:{ics.escape_text(description)}",
        f"LOCATION:{ics.escape_text(location)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    lines.append(f"URL:{external_url('meetings.mine')}")
    if cancelled:
        lines.append("TRANSP:TRANSPARENT")
    lines.append("END:VEVENT")
    return b"".join(map(ics.fold, lines))
