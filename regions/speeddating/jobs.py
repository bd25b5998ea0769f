"""Speed-dating ratings: a reminder before the deadline to those who have not rated everyone they met,
and word to the coordination once the deadline has passed."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from functools import partial

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hub.accounts.models import Membership
from hub.accounts.services import external_url
from hub.core.db import db, in_transaction, utcnow
from hub.core.jobs import each_region, effects, job
from hub.core.roles import Role
from hub.notifications.services import notify
from regions.profiles.models import Profile
from regions.speeddating.models import Meeting, Rating, SessionParticipant, SpeedDatingSession
from regions.speeddating.vocab import RATINGS


def _sessions_with_deadline_between(start, end) -> list[SpeedDatingSession]:
    return list(
        db.session.scalars(
            select(SpeedDatingSession)
            .where(
                SpeedDatingSession.rating_deadline.is_not(None),
                SpeedDatingSession.rating_deadline > start,
                SpeedDatingSession.rating_deadline <= end,
                SpeedDatingSession.rounds > 0,
            )
            .options(
                selectinload(SpeedDatingSession.participants)
                .selectinload(SessionParticipant.profile)
                .selectinload(Profile.user)
            )
        )
    )


def _counts(session: SpeedDatingSession) -> tuple[Counter, Counter]:
    """Meetings per person, and ratings given per person."""
    met: Counter[int] = Counter()
    for creative_id, organisation_id in db.session.execute(
        select(Meeting.creative_id, Meeting.organisation_id).where(Meeting.session_id == session.id)
    ):
        met[creative_id] += 1
        met[organisation_id] += 1
    rated = Counter(
        dict(
            db.session.execute(
                select(Rating.rater_id, func.count()).where(Rating.session_id == session.id).group_by(Rating.rater_id)
            ).all()
        )
    )
    return met, rated


def _remind(session, participant, open_count, region, effect):
    return notify(
        participant.profile.user,
        RATINGS.key,
        "rating_reminder",
        link=external_url("region.speeddating.participation", region=region.slug, participant_id=participant.id),
        region=region,
        effect=effect,
        session=session,
        open_count=open_count,
    )


@job("speeddating.rating_reminders", every=timedelta(minutes=30), title=_l("Remind people to rate whom they met"))
def rating_reminders() -> dict[str, int]:
    """Before a session's rating deadline (RATING_REMINDER_HOURS), remind everyone who met people and has
    not rated all of them yet, once per deadline."""
    now = utcnow()
    lead = timedelta(hours=current_app.config["RATING_REMINDER_HOURS"])
    told = 0
    for region in each_region():
        for session in _sessions_with_deadline_between(now, now + lead):
            if session.ends_at > now:
                continue  # the meetings are not over yet: nobody can rate all of them
            met, rated = _counts(session)
            slot = effects.slot_of(session.rating_deadline)
            due = [
                (p, met[p.id] - rated[p.id], f"participant:{p.id}")
                for p in session.participants
                if p.profile.user is not None and p.profile.user.active and met[p.id] > rated[p.id]
            ]
            done = effects.done("speeddating.rating_reminders", ((subject, slot) for *_, subject in due))
            for participant, open_count, subject in due:
                if (subject, slot) not in done:
                    effect = ("speeddating.rating_reminders", subject, slot)
                    tell = partial(_remind, session, participant, open_count, region, effect)
                    told += in_transaction(tell) is not None
    return {"reminded": told}


def _coordinators(region) -> list:
    return [
        m.user
        for m in db.session.scalars(
            select(Membership)
            .where(Membership.region_id == region.id, Membership.role == Role.COORDINATOR)
            .options(selectinload(Membership.user))
        )
        if m.user.active
    ]


def _tell_coordinator(session, user, given, possible, region, effect):
    return notify(
        user,
        RATINGS.key,
        "rating_deadline_passed",
        link=external_url("region.matches.suggestions", region=region.slug, session_id=session.id),
        region=region,
        effect=effect,
        session=session,
        given=given,
        possible=possible,
    )


@job("speeddating.rating_deadline", every=timedelta(minutes=30), title=_l("Tell the coordination when ratings close"))
def rating_deadline() -> dict[str, int]:
    """Once a session's rating deadline has passed (within the last week), tell the region's coordinators
    how many ratings came in, so that they make the match suggestions."""
    now = utcnow()
    told = 0
    for region in each_region():
        sessions = _sessions_with_deadline_between(now - timedelta(days=7), now)
        coordinators = _coordinators(region) if sessions else []
        for session in sessions:
            slot = effects.slot_of(session.rating_deadline)
            keys = {user.id: (f"session:{session.id}:user:{user.id}", slot) for user in coordinators}
            done = effects.done("speeddating.rating_deadline", keys.values())
            if len(done) == len(keys):
                continue
            met, rated = _counts(session)
            for user in coordinators:
                if keys[user.id] in done:
                    continue
                effect = ("speeddating.rating_deadline", *keys[user.id])
                tell = partial(_tell_coordinator, session, user, sum(rated.values()), sum(met.values()), region, effect)
                told += in_transaction(tell) is not None
    return {"told": told}
