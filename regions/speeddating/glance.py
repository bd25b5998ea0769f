"""What speed-dating shows on the homes: whom a person still has to rate, and the ratings a region still misses.

A meeting can be rated once its round has ended and until the session's deadline (services.rating_state);
both answers count exactly those meetings. Each costs the same two or three statements however many
sessions, people and meetings there are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.events.models import Event
from regions.speeddating.models import Meeting, Rating, SessionParticipant, SpeedDatingSession


@dataclass(frozen=True)
class RatingsDue:
    """A person's place in a session whose meetings they have not all rated yet."""

    participant: SessionParticipant
    session: SpeedDatingSession
    event: Event
    open: int  # meetings held and not rated by them
    held: int  # meetings held so far

    @property
    def region_id(self) -> int:
        return self.session.region_id


@dataclass(frozen=True)
class MissingRatings:
    """A session of the region whose held meetings still lack ratings."""

    session: SpeedDatingSession
    event: Event
    given: int
    possible: int  # two per held meeting: each person rates the other

    @property
    def missing(self) -> int:
        return self.possible - self.given


def _rateable(now: datetime):
    """Sessions whose ratings are open now and whose first round has begun."""
    return and_(
        SpeedDatingSession.rounds > 0,
        SpeedDatingSession.starts_at <= now,
        or_(SpeedDatingSession.rating_deadline.is_(None), SpeedDatingSession.rating_deadline >= now),
    )


def ratings_due(profile_ids: list[int], now: datetime) -> list[RatingsDue]:
    """The sessions in which these profiles (one person's, in their regions) still have meetings to rate,
    earliest deadline first. Reads across the person's regions, only their own places."""
    if not profile_ids:
        return []
    with all_regions(read_only=True):
        places = db.session.execute(
            select(SessionParticipant, SpeedDatingSession, Event)
            .join(SpeedDatingSession, SpeedDatingSession.id == SessionParticipant.session_id)
            .join(Event, Event.id == SpeedDatingSession.event_id)
            .where(SessionParticipant.profile_id.in_(profile_ids), _rateable(now))
        ).all()
        if not places:
            return []
        mine = [participant.id for participant, _, _ in places]
        meetings = db.session.execute(
            select(Meeting.session_id, Meeting.round, Meeting.creative_id, Meeting.organisation_id, Rating.rater_id)
            .outerjoin(Rating, and_(Rating.meeting_id == Meeting.id, Rating.rater_id.in_(mine)))
            .where(or_(Meeting.creative_id.in_(mine), Meeting.organisation_id.in_(mine)))
        ).all()
    sessions = {session.id: session for _, session, _ in places}
    mine = set(mine)
    held: Counter[int] = Counter()
    rated: Counter[int] = Counter()
    for session_id, round_, creative_id, organisation_id, rater_id in meetings:
        if sessions[session_id].round_end(round_) > now:
            continue
        person = creative_id if creative_id in mine else organisation_id
        held[person] += 1
        rated[person] += rater_id is not None
    due = [
        RatingsDue(participant, session, event, held[participant.id] - rated[participant.id], held[participant.id])
        for participant, session, event in places
        if held[participant.id] > rated[participant.id]
    ]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(due, key=lambda d: (d.session.rating_deadline or far, d.session.starts_at))


def missing_ratings(now: datetime) -> list[MissingRatings]:
    """The region's sessions open for ratings whose held meetings lack ratings, most missing first."""
    sessions = db.session.execute(
        select(SpeedDatingSession, Event).join(Event, Event.id == SpeedDatingSession.event_id).where(_rateable(now))
    ).all()
    if not sessions:
        return []
    by_id = {session.id: session for session, _ in sessions}
    held: Counter[int] = Counter()
    for session_id, round_ in db.session.execute(
        select(Meeting.session_id, Meeting.round).where(Meeting.session_id.in_(by_id))
    ):
        held[session_id] += by_id[session_id].round_end(round_) <= now
    given = dict(
        db.session.execute(
            select(Rating.session_id, func.count()).where(Rating.session_id.in_(by_id)).group_by(Rating.session_id)
        ).all()
    )
    found = [
        MissingRatings(session, event, given.get(session.id, 0), 2 * held[session.id]) for session, event in sessions
    ]
    return sorted((m for m in found if m.missing > 0), key=lambda m: -m.missing)
