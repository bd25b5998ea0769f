"""An event's meetings as its coordination sees them: the set-up (on or off, slots, places) and the figures.

Both are read and written inside the event's region (the coordination's pages and API): numbers only, never
who met whom or their notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from hub.core.db import db
from hub.core.schemas import _m
from regions.events.models import Event
from shared.meetings import slots as slot_rules
from shared.meetings.models import EventMeeting, MeetingSetup, MeetingStatus
from shared.meetings.services import MeetingError
from shared.meetings.slots import Slot


@dataclass(frozen=True)
class Figures:
    """How many meetings an event produced, by status and accepted per slot: numbers, never who or what."""

    by_status: dict[str, int]
    per_slot: list[tuple[Slot, int]]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def figures(event: Event, setup: MeetingSetup | None) -> Figures:
    """The event's meeting figures, read inside its region's scope (the coordination's page): two statements."""
    counts = dict(
        db.session.execute(
            select(EventMeeting.status, func.count())
            .where(EventMeeting.event_id == event.id)
            .group_by(EventMeeting.status)
        ).all()
    )
    by_status = {status.value: int(counts.get(status, counts.get(status.value, 0))) for status in MeetingStatus}
    per_start = dict(
        db.session.execute(
            select(EventMeeting.starts_at, func.count())
            .where(EventMeeting.event_id == event.id, EventMeeting.status == MeetingStatus.ACCEPTED)
            .group_by(EventMeeting.starts_at)
        ).all()
    )
    per_slot = [(slot, per_start.get(slot.starts_at, 0)) for slot in slot_rules.slots(event, setup)] if setup else []
    return Figures(by_status, per_slot)


def configure(event: Event, data: dict) -> MeetingSetup:
    """Switch meetings on or off for an event of the region in scope and set its slots and places."""
    start = data.get("window_starts_at") or event.starts_at
    end = data.get("window_ends_at") or event.ends_at
    if start < event.starts_at or start >= event.ends_at:
        raise MeetingError(_m("The meeting window must lie within the event."), "window_starts_at")
    if end > event.ends_at or end <= start:
        raise MeetingError(_m("The meeting window must end after it starts, within the event."), "window_ends_at")
    places = slot_rules.place_names(data["table_count"], data.get("places") or [])
    if not places:
        raise MeetingError(_m("Name at least one table or place."), "table_count")
    if len(places) > slot_rules.MAX_PLACES:
        raise MeetingError(_m("At most 100 tables and places."), "places")
    setup = db.session.scalar(select(MeetingSetup).where(MeetingSetup.event_id == event.id))
    if setup is None:
        setup = MeetingSetup(event_id=event.id)
        db.session.add(setup)
    setup.enabled = data["enabled"]
    setup.slot_minutes = data["slot_minutes"]
    setup.window_starts_at = data.get("window_starts_at")
    setup.window_ends_at = data.get("window_ends_at")
    setup.places = places
    if not slot_rules.slots(event, setup):
        raise MeetingError(_m("No slot of this length fits into the meeting window."), "slot_minutes")
    db.session.flush()
    return setup
