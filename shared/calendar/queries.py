"""Which events a viewer may see, across regions: the calendar's one visibility rule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.events.models import Event, Registration
from regions.events.vocab import Audience, EventStatus, RegistrationStatus
from shared.directory.search import Viewer


def visible_events(viewer: Viewer):
    """The SQL rule: public events for everyone; network events for signed-in members; region events for
    the region's members; drafts only for the region's coordination (and umbrella and admins)."""
    shown = Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED])
    if viewer.sees_all:
        return literal_true()
    rule = [and_(shown, Event.audience == Audience.PUBLIC)]
    if viewer.user_id is not None:
        rule.append(and_(shown, Event.audience == Audience.NETWORK))
        if viewer.member_regions:
            rule.append(and_(shown, Event.region_id.in_(viewer.member_regions)))
        if viewer.coordinated_regions:
            rule.append(Event.region_id.in_(viewer.coordinated_regions))
    return or_(*rule)


def literal_true():
    from sqlalchemy import true

    return true()


def find_visible_event(viewer: Viewer, event_id: int) -> Event | None:
    """One event, if the viewer may see it."""
    with all_regions():
        return db.session.scalar(select(Event).where(Event.id == event_id, visible_events(viewer)))


def events_between(
    viewer: Viewer,
    start: datetime,
    end: datetime,
    *,
    regions: list[int] | None = None,
    types: list[str] | None = None,
    mine: bool = False,
) -> list[Event]:
    """Visible events overlapping [start, end), earliest first."""
    with all_regions():
        stmt = select(Event).where(Event.starts_at < end, Event.ends_at > start, visible_events(viewer))
        if regions:
            stmt = stmt.where(Event.region_id.in_(regions))
        if types:
            stmt = stmt.where(Event.type.in_(types))
        if mine:
            stmt = stmt.where(
                Event.id.in_(
                    select(Registration.event_id).where(
                        Registration.user_id == viewer.user_id, Registration.status != RegistrationStatus.CANCELLED
                    )
                )
            )
        return list(db.session.scalars(stmt.order_by(Event.starts_at, Event.id)))
