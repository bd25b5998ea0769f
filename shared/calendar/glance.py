"""What the calendar shows on a person's home: their next events, with their place on a waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.events.models import Event, Registration
from regions.events.vocab import EventStatus, RegistrationStatus
from shared.calendar.queries import visible_events
from shared.calendar.services import ACTIVE
from shared.directory.search import Viewer


@dataclass(frozen=True)
class NextEvent:
    """An event the person is registered for (or waiting for), not over yet."""

    event: Event
    status: RegistrationStatus
    position: int | None  # on the waiting list: 1 = the next to move up

    @property
    def waiting(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED


def next_events(viewer: Viewer, now: datetime, limit: int = 5) -> tuple[list[NextEvent], int]:
    """The viewer's coming events (registered or waiting, not over), earliest first, at most ``limit``, and how
    many there are in all: one statement, with each waiting-list position and the total beside every row.

    The person's own registrations span their regions, so this reads across regions, only theirs.
    """
    if viewer.user_id is None:
        return [], 0
    ahead = aliased(Registration)
    position = (
        select(func.count(ahead.id) + 1)
        .where(
            ahead.event_id == Registration.event_id,
            ahead.status == RegistrationStatus.WAITLISTED,
            ahead.queued_at < Registration.queued_at,
        )
        .correlate(Registration)
        .scalar_subquery()
    )
    with all_regions(read_only=True):
        rows = db.session.execute(
            select(Event, Registration.status, position, func.count().over())
            .join(Registration, Registration.event_id == Event.id)
            .where(
                Registration.user_id == viewer.user_id,
                Registration.status.in_(ACTIVE),
                Event.ends_at > now,
                Event.status != EventStatus.DRAFT,  # a cancelled one stays, marked, so that nobody travels in vain
                visible_events(viewer),
            )
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        ).all()
    total = rows[0][3] if rows else 0
    return [
        NextEvent(event, RegistrationStatus(status), rank if status == RegistrationStatus.WAITLISTED else None)
        for event, status, rank, _ in rows
    ], total


def coming_events(viewer: Viewer, now: datetime, *, exclude_registered: bool = True, limit: int = 50) -> list[Event]:
    """The next published events the viewer may see, earliest first (for picking what fits a person)."""
    stmt = select(Event).where(Event.starts_at > now, Event.status == EventStatus.PUBLISHED, visible_events(viewer))
    if exclude_registered and viewer.user_id is not None:
        stmt = stmt.where(
            Event.id.not_in(
                select(Registration.event_id).where(
                    Registration.user_id == viewer.user_id, Registration.status.in_(ACTIVE)
                )
            )
        )
    with all_regions(read_only=True):
        return list(db.session.scalars(stmt.order_by(Event.starts_at, Event.id).limit(limit)))
