"""What the meetings show on a person's home: their next accepted meetings and the proposals to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from hub.core.db import db
from hub.core.tenancy import all_regions
from shared.meetings.models import EventMeeting, MeetingStatus


@dataclass
class MyMeetings:
    coming: list[EventMeeting] = field(default_factory=list)  # accepted, not over, earliest first
    to_answer: list[EventMeeting] = field(default_factory=list)  # proposed to the person, not over


def my_meetings(user_id: int, now: datetime, limit: int = 5) -> MyMeetings:
    """The person's coming meetings and the proposals waiting for their answer: one statement.

    A person's meetings span regions (their events in every region), so this reads across regions, only theirs.
    """
    with all_regions(read_only=True):
        rows = db.session.scalars(
            select(EventMeeting)
            .where(
                EventMeeting.ends_at > now,
                or_(
                    and_(
                        EventMeeting.status == MeetingStatus.ACCEPTED,
                        or_(EventMeeting.proposer_id == user_id, EventMeeting.invitee_id == user_id),
                    ),
                    and_(EventMeeting.status == MeetingStatus.PROPOSED, EventMeeting.invitee_id == user_id),
                ),
            )
            .options(
                joinedload(EventMeeting.event),
                joinedload(EventMeeting.proposer),
                joinedload(EventMeeting.invitee),
                joinedload(EventMeeting.proposer_profile),
                joinedload(EventMeeting.invitee_profile),
            )
            .order_by(EventMeeting.starts_at, EventMeeting.id)
            .limit(limit * 4)
        ).unique()
        rows = list(rows)
    found = MyMeetings()
    for meeting in rows:
        target = found.coming if meeting.status == MeetingStatus.ACCEPTED else found.to_answer
        if len(target) < limit:
            target.append(meeting)
    return found
