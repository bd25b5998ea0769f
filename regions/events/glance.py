"""What the events show on the homes: a region's new registrations, the coming events per region."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.events.models import Event, Registration
from regions.events.vocab import EventStatus, RegistrationStatus


def new_registrations(since: datetime) -> int:
    """Registrations made since a moment and not cancelled, in the region in scope."""
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.created_at >= since, Registration.status != RegistrationStatus.CANCELLED)
    )


def coming_events_per_region(region_ids: list[int], now: datetime) -> dict[int, int]:
    """How many published events of each region are still to come: {region id: count}, for the umbrella."""
    with all_regions(read_only=True):
        rows = db.session.execute(
            select(Event.region_id, func.count())
            .where(Event.region_id.in_(region_ids), Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
            .group_by(Event.region_id)
        ).all()
    return dict(rows)
