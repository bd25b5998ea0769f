"""Events (region-scoped), recurring series, and registrations with a waiting list."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import User
from hub.core.audit_log import Audited, related
from hub.core.db import db, utcnow
from hub.core.personal_data import PSEUDONYMISE, Personal, not_personal
from hub.core.tenancy import RegionScoped
from hub.core.tenancy.scope import scoped_url_arg
from regions.events.vocab import Audience, EventStatus, EventType, RegistrationStatus


def _enum(cls):
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


def _uid() -> str:
    return f"{uuid.uuid4()}@cimis-hub"


class EventSeries(Audited, RegionScoped, db.Model):
    """A recurring series (RRULE); its occurrences are Event rows, each changeable on its own."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    rrule: Mapped[str] = mapped_column(String(300))
    uid: Mapped[str] = mapped_column(String(80), default=_uid, unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    events: Mapped[list[Event]] = relationship(back_populates="series", order_by="Event.starts_at")


def places_left(capacity: int | None, registered: int) -> int | None:
    """Places still free: None without a limit, never below 0 (also for rows read without the ORM)."""
    return None if capacity is None else max(int(capacity) - int(registered), 0)


class Event(Audited, RegionScoped, db.Model):
    """One event (or one occurrence of a series). Times are stored in UTC, shown in its time zone."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_starts_at_ends_at_status", "starts_at", "ends_at", "status"),
        Index("ix_event_region_starts_at", "region_id", "starts_at"),
    )
    # The counters follow the registrations (which are audited), the sequence follows every change.
    __audit_exclude__ = frozenset({"registered_count", "waitlisted_count", "sequence"})
    personal_data = not_personal("an event and its venue", ordinary=("address",))

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("event_series.id", ondelete="CASCADE"), index=True)
    # An occurrence changed on its own is detached: later changes to the whole series leave it alone.
    detached: Mapped[bool] = mapped_column(default=False)
    uid: Mapped[str] = mapped_column(String(80), default=_uid, unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[EventType] = mapped_column(_enum(EventType), default=EventType.OTHER)
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/Berlin")
    all_day: Mapped[bool] = mapped_column(default=False)
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    audience: Mapped[Audience] = mapped_column(_enum(Audience), default=Audience.REGION)
    capacity: Mapped[int | None]
    registration_deadline: Mapped[datetime | None]
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus), default=EventStatus.DRAFT)
    questions: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # Kept by one conditional UPDATE each, so that concurrent registrations never overbook.
    registered_count: Mapped[int] = mapped_column(default=0)
    waitlisted_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    series: Mapped[EventSeries | None] = relationship(back_populates="events")

    @property
    def audit_label(self) -> str:
        return self.title

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.registered_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        return places_left(self.capacity, self.registered_count)


class Registration(Audited, RegionScoped, db.Model):
    """A person's place (or waiting-list place) at an event, with their answers and check-in."""

    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_registration_event_user"),
        # The reports count registrations, check-ins and guests per event from this index alone.
        Index("ix_registration_counting", "event_id", "status", "checked_in_at", "user_id"),
    )
    personal_data = Personal(
        title=_l("Event registrations"),
        columns=("answers",),
        owners={"user_id": "user"},
        actors=("registered_by_id",),
        erase=PSEUDONYMISE,
        replace={"answers": lambda r: {}},
        audit_hidden=("answers",),
        reason=_l("Registrations stay without your answers: the funder's figures count places and attendance."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(_enum(RegistrationStatus))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The waiting list's order: the moment someone joined it.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def audit_label(self) -> str:
        user, event = related(self, "user"), related(self, "event")
        return " · ".join([user.name if user else f"#{self.user_id}", event.title if event else f"#{self.event_id}"])


scoped_url_arg("event_id", Event)
scoped_url_arg("registration_id", Registration)
