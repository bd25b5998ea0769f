"""Meetings at events: the coordination's set-up of an event (slots and places), the meetings two registered
people agree on, and the bookings that keep a person and a place from being booked twice at once."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import User
from hub.audit.vocab import FIELD_LABELS
from hub.core.db import db, utcnow
from hub.core.mail.topics import register_topic
from hub.core.personal_data import PSEUDONYMISE, Personal, not_personal
from hub.core.tenancy import RegionScoped
from regions.events.models import Event
from regions.profiles.models import Profile

MEETINGS = register_topic(
    "meetings",
    _l("Meetings at events"),
    _l("Someone proposes a meeting at an event, or accepts, declines, withdraws or cancels one with you."),
)
# The words for the fields in forms' error summaries and the audit log.
for _key, _label in {
    "enabled": _l("Meetings on"),
    "slot_minutes": _l("Slot length in minutes"),
    "window_starts_at": _l("Meetings from"),
    "window_ends_at": _l("Meetings until"),
    "table_count": _l("Number of tables"),
    "places": _l("Further places"),
    "place": _l("Table or place"),
}.items():
    FIELD_LABELS.setdefault(_key, _label)

NOTE_LENGTH = 300
PLACE_LENGTH = 60


class MeetingStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


OPEN = (MeetingStatus.PROPOSED, MeetingStatus.ACCEPTED)


def _enum(cls):
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


def _uid() -> str:
    return f"meeting-{uuid.uuid4()}@cimis-hub"


class MeetingSetup(RegionScoped, db.Model):
    """Meetings at one event, as its coordination sets them up: on or off, the slots, the tables and places.

    The slots are the meeting window (the event's time unless a window is stated) cut into ``slot_minutes``;
    ``places`` are the names of the tables and places ("Tisch 1", …, "Foyer").
    """

    __tablename__ = "event_meeting_setup"
    __table_args__ = (CheckConstraint("slot_minutes >= 5", name="slot_minutes_at_least_five"),)
    personal_data = not_personal("the slots and places of an event")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    slot_minutes: Mapped[int] = mapped_column(default=20)
    window_starts_at: Mapped[datetime | None]
    window_ends_at: Mapped[datetime | None]
    places: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()


class EventMeeting(RegionScoped, db.Model):
    """Two people registered for one event meet in a slot at a table or place: proposed by one, accepted or
    declined by the other, withdrawn by the proposer, cancelled by either once accepted.

    It lives in the event's region (like the registrations), though the two people may be of any region:
    their pages read it through ``shared.meetings.services``, which opens the wall visibly and checks that the
    caller is one of the two.
    """

    __tablename__ = "event_meeting"
    __table_args__ = (Index("ix_event_meeting_event_status", "event_id", "status"),)
    personal_data = Personal(
        title=_l("Meetings at events"),
        columns=("note",),
        owners={
            "proposer_id": "user",
            "invitee_id": "user",
            "proposer_profile_id": "profile",
            "invitee_profile_id": "profile",
        },
        erase=PSEUDONYMISE,
        replace={"note": ""},
        on_erase="end_for_erasure",
        reason=_l("Meetings stay without their note: the coordination counts how many meetings an event produced."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))  # ix_event_meeting_event_status
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    invitee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # As whom each appears (their profile's name and picture); a profile deleted later leaves the meeting.
    proposer_profile_id: Mapped[int | None] = mapped_column(ForeignKey("profile.id", ondelete="SET NULL"))
    invitee_profile_id: Mapped[int | None] = mapped_column(ForeignKey("profile.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(PLACE_LENGTH))
    note: Mapped[str] = mapped_column(String(NOTE_LENGTH), default="")
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus), default=MeetingStatus.PROPOSED)
    # iCalendar: the UID never changes, SEQUENCE rises with every change the calendars must hear of.
    uid: Mapped[str] = mapped_column(String(80), default=_uid, unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id])
    invitee: Mapped[User] = relationship(foreign_keys=[invitee_id])
    proposer_profile: Mapped[Profile | None] = relationship(foreign_keys=[proposer_profile_id])
    invitee_profile: Mapped[Profile | None] = relationship(foreign_keys=[invitee_profile_id])

    @property
    def is_over(self) -> bool:
        return self.ends_at <= utcnow()

    def end_for_erasure(self, erased: User, dry_run: bool = False) -> list[str]:
        """Before erasure (hub.privacy): the erased person's open meetings end, the other person told (the rule:
        shared.meetings.services.end_for_erased_account). No stored files."""
        if not dry_run:
            from shared.meetings.services import end_for_erased_account

            end_for_erased_account(self, erased)
        return []

    def other(self, user_id: int) -> int:
        """The id of the other person."""
        return self.invitee_id if user_id == self.proposer_id else self.proposer_id

    def name_of(self, user_id: int) -> str:
        """How a party appears: their profile's name, else their account's."""
        profile = self.profile_of(user_id)
        if profile is not None:
            return profile.display_name
        person = self.proposer if user_id == self.proposer_id else self.invitee
        return person.name if person is not None else ""

    def profile_of(self, user_id: int) -> Profile | None:
        """The profile as which a party appears (None once it was deleted)."""
        return self.proposer_profile if user_id == self.proposer_id else self.invitee_profile


class MeetingBooking(RegionScoped, db.Model):
    """What an accepted meeting holds while it stands: each person's time, and the place's time.

    One row per person (``user_id``) and one for the place (``place``), at the meeting's start; the unique
    constraints let no person have two accepted meetings starting at once (across all events) and no place
    host two at once, so two acceptances at the same moment end with one conflict (409), whatever the
    actions saw. Cancelling a meeting deletes its rows. Overlaps of different lengths are the action's check.
    """

    __tablename__ = "event_meeting_booking"
    __table_args__ = (
        UniqueConstraint("user_id", "starts_at", name="uq_event_meeting_booking_person"),
        UniqueConstraint("event_id", "place", "starts_at", name="uq_event_meeting_booking_place"),
    )
    personal_data = Personal(owners={"user_id": "user"}, derived=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("event_meeting.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    # Exactly one of the two: the person's booking, or the place's (with its event).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    place: Mapped[str | None] = mapped_column(String(PLACE_LENGTH))
