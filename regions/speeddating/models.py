"""Speed-dating sessions at an event: who takes part, which pairs to avoid or wish, the schedule, the ratings."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.db import db, utcnow
from hub.core.personal_data import PSEUDONYMISE, Personal
from hub.core.tenancy import RegionScoped
from hub.core.tenancy.scope import scoped_url_arg
from regions.events.models import Event
from regions.profiles.models import Profile
from regions.speeddating.vocab import NOTE_LENGTH, Interest, PairingMode, Side


def _enum(cls):
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class SpeedDatingSession(RegionScoped, db.Model):
    """Rounds of short meetings at tables during one event; its schedule is generated, then adjusted by hand."""

    __tablename__ = "speed_dating_session"
    __table_args__ = (
        CheckConstraint("tables >= 1", name="tables_positive"),
        CheckConstraint("round_minutes >= 1", name="round_minutes_positive"),
        CheckConstraint("break_minutes >= 0", name="break_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[PairingMode] = mapped_column(_enum(PairingMode), default=PairingMode.EVERYONE)
    tables: Mapped[int]
    round_minutes: Mapped[int] = mapped_column(default=7)
    break_minutes: Mapped[int] = mapped_column(default=2)
    starts_at: Mapped[datetime]  # UTC; the first round's start
    rating_deadline: Mapped[datetime | None]  # UTC
    # Filled by the generator; rounds may exceed lower_bound only where hand-pinned meetings force it.
    rounds: Mapped[int] = mapped_column(default=0)
    lower_bound: Mapped[int] = mapped_column(default=0)
    generated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    participants: Mapped[list[SessionParticipant]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionParticipant.id"
    )
    pairs: Mapped[list[PairPreference]] = relationship(cascade="all, delete-orphan", order_by="PairPreference.id")
    meetings: Mapped[list[Meeting]] = relationship(
        cascade="all, delete-orphan", order_by="(Meeting.round, Meeting.table)"
    )

    def round_start(self, round_: int) -> datetime:
        """When a round (0-based) starts, in UTC."""
        return self.starts_at + timedelta(minutes=round_ * (self.round_minutes + self.break_minutes))

    def round_end(self, round_: int) -> datetime:
        """When a round (0-based) ends, in UTC: its meetings have taken place (the break to change tables follows)."""
        return self.round_start(round_) + timedelta(minutes=self.round_minutes)

    @property
    def ends_at(self) -> datetime:
        return self.round_end(max(self.rounds, 1) - 1)

    def rating_open(self, now: datetime) -> bool:
        return self.rating_deadline is None or now <= self.rating_deadline


class SessionParticipant(RegionScoped, db.Model):
    """A person in a session, on one side; taken from the event's registrations (or added by the coordination)."""

    __tablename__ = "speed_dating_participant"
    __table_args__ = (UniqueConstraint("session_id", "profile_id", name="uq_speed_dating_participant_profile"),)
    personal_data = Personal(
        title=_l("Speed-dating participations"),
        owners={"profile_id": "profile"},
        reason=_l("Speed-dating participations stay under the nameless profile: the reports count them."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_session.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), index=True)
    side: Mapped[Side] = mapped_column(_enum(Side))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"))

    session: Mapped[SpeedDatingSession] = relationship(back_populates="participants")
    profile: Mapped[Profile] = relationship()

    @property
    def name(self) -> str:
        return self.profile.display_name

    @property
    def organisation(self) -> str:
        return self.profile.organisation_name


class PairPreference(RegionScoped, db.Model):
    """A pair the coordination wants to meet (wish) or keep apart (avoid: they already know each other).

    One row per pair, so a pair cannot be wished and avoided at once, even by two people at the same time.
    """

    __tablename__ = "speed_dating_pair"
    __table_args__ = (
        UniqueConstraint("session_id", "creative_id", "organisation_id", name="uq_speed_dating_pair"),
        CheckConstraint("kind in ('wish', 'avoid')", name="kind"),
    )
    personal_data = Personal(
        title=_l("Speed-dating pair wishes"), owners={"creative_id": "participant", "organisation_id": "participant"}
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_session.id", ondelete="CASCADE"), index=True)
    creative_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_participant.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_participant.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(5))

    creative: Mapped[SessionParticipant] = relationship(foreign_keys=[creative_id])
    organisation: Mapped[SessionParticipant] = relationship(foreign_keys=[organisation_id])


class Meeting(RegionScoped, db.Model):
    """One meeting of the schedule: a creative and an organisation at a table in a round (both 0-based).

    The unique constraints are the schedule's validity rules, held by the database as well.
    """

    __tablename__ = "speed_dating_meeting"
    __table_args__ = (
        UniqueConstraint("session_id", "creative_id", "organisation_id", name="uq_meeting_pair"),
        UniqueConstraint("session_id", "round", "table", name="uq_meeting_table"),
        UniqueConstraint("session_id", "round", "creative_id", name="uq_meeting_creative_round"),
        UniqueConstraint("session_id", "round", "organisation_id", name="uq_meeting_organisation_round"),
    )
    personal_data = Personal(
        title=_l("Speed-dating meetings"), owners={"creative_id": "participant", "organisation_id": "participant"}
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_session.id", ondelete="CASCADE"), index=True)
    creative_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_participant.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_participant.id", ondelete="CASCADE"))
    round: Mapped[int]
    table: Mapped[int]
    pinned: Mapped[bool] = mapped_column(default=False)

    creative: Mapped[SessionParticipant] = relationship(foreign_keys=[creative_id])
    organisation: Mapped[SessionParticipant] = relationship(foreign_keys=[organisation_id])


class Rating(RegionScoped, db.Model):
    """What one participant says about a person they met: unbedingt, gern, eher nicht."""

    __tablename__ = "speed_dating_rating"
    __table_args__ = (UniqueConstraint("meeting_id", "rater_id", name="uq_rating_meeting_rater"),)
    # Ratings about a person are theirs to see only as an interest per session: who rated stays private
    # (Art. 15(4) GDPR, the rights of the person who rated).
    personal_data = Personal(
        title=_l("Ratings"),
        columns=("note",),
        owners={"rater_id": "participant"},
        about={"ratee_id": "participant"},
        about_fields=("session_id", "interest"),
        actors=("entered_by_id",),
        erase=PSEUDONYMISE,
        replace={"note": ""},
        reason=_l(
            "Ratings stay without a name and without your notes: the program's matching and its figures count them."
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_session.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_meeting.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_participant.id", ondelete="CASCADE"))
    ratee_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_participant.id", ondelete="CASCADE"))
    interest: Mapped[Interest] = mapped_column(_enum(Interest))
    # The rater's own words (what they talked about, why): seen by them and the coordination, never by the ratee.
    note: Mapped[str] = mapped_column(String(NOTE_LENGTH), default="", server_default="")
    # Set when the coordination typed in a paper form.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


scoped_url_arg("session_id", SpeedDatingSession)
scoped_url_arg("participant_id", SessionParticipant)
scoped_url_arg("meeting_id", Meeting)
