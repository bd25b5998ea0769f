"""What a region's digest says: new profiles, registrations, contact requests, overdue milestones.

Every figure is about the region in scope and one period of whole Berlin days; contact requests join two
regions, so they are counted by the region columns they carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from hub.core.db import db
from regions.events.models import Event, Registration
from regions.events.vocab import EventStatus, RegistrationStatus
from regions.matches.glance import overdue_milestones
from regions.matches.models import Match, Milestone
from regions.profiles.models import Profile
from shared.contacts.models import ContactRequest, ContactStatus

LISTED = 10  # at most this many names per list; the counts are always complete


@dataclass(frozen=True)
class Period:
    """Whole Berlin days [first, end), with their UTC bounds."""

    first: date
    end: date  # the day after the last day

    def bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(current_app.config["TIMEZONE"])
        return (datetime.combine(self.first, time(), zone), datetime.combine(self.end, time(), zone))

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)


def due_period(frequency: str, now: datetime) -> Period | None:
    """The period whose digest is due at ``now``: the last whole week (from Monday, DIGEST_HOUR on) or
    the last whole day (each day from DIGEST_HOUR on); None before that hour."""
    local = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    today = local.date()
    if frequency == "daily":
        end = today
    elif frequency == "weekly":
        end = today - timedelta(days=today.weekday())
    else:
        return None
    if end == today and local.hour < current_app.config["DIGEST_HOUR"]:
        # Not yet this morning's hour: the previous period's digest was due (and may still be).
        end -= timedelta(days=1 if frequency == "daily" else 7)
    return Period(end - timedelta(days=1 if frequency == "daily" else 7), end)


@dataclass
class Digest:
    period: Period
    new_profiles: int = 0
    new_profile_names: list[tuple[str, str]] = field(default_factory=list)  # (name, kind)
    registrations: int = 0
    upcoming: list[Event] = field(default_factory=list)
    contacts_sent: int = 0
    contacts_received: int = 0
    contacts_pending: int = 0
    overdue: list[tuple[Milestone, Match]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.new_profiles or self.registrations or self.contacts_sent or self.contacts_received or self.overdue
        )


def digest_for(region, period: Period, today: date) -> Digest:
    """The region's digest for a period (call inside the region's scope)."""
    start, end = period.bounds()
    digest = Digest(period)
    new_profiles = select(Profile).where(Profile.created_at >= start, Profile.created_at < end)
    digest.new_profiles = db.session.scalar(select(func.count()).select_from(new_profiles.subquery()))
    digest.new_profile_names = [
        (p.display_name, p.kind.value)
        for p in db.session.scalars(new_profiles.order_by(Profile.created_at).limit(LISTED))
    ]
    digest.registrations = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.created_at >= start,
            Registration.created_at < end,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )
    digest.upcoming = list(
        db.session.scalars(
            select(Event)
            .where(
                Event.status == EventStatus.PUBLISHED,
                Event.starts_at >= end,
                Event.starts_at < end + timedelta(days=14),
            )
            .order_by(Event.starts_at)
            .limit(LISTED)
        )
    )
    in_period = (ContactRequest.created_at >= start, ContactRequest.created_at < end)

    def count(*where) -> int:
        return db.session.scalar(select(func.count()).select_from(ContactRequest).where(*where))

    digest.contacts_sent = count(ContactRequest.sender_region_id == region.id, *in_period)
    digest.contacts_received = count(ContactRequest.recipient_region_id == region.id, *in_period)
    digest.contacts_pending = count(
        ContactRequest.recipient_region_id == region.id, ContactRequest.status == ContactStatus.PENDING
    )
    digest.overdue = overdue_milestones(today)
    return digest
