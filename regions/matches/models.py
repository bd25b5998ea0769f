"""Matches (co-creation teams), their members, milestones, check-ins, journal, documents and funding ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, CheckConstraint, Enum, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import User
from hub.cohorts.models import Cohort
from hub.core.audit_log import Audited, related
from hub.core.db import db, utcnow
from hub.core.money import from_cents
from hub.core.personal_data import DELETE, PSEUDONYMISE, Personal, not_personal
from hub.core.tenancy import RegionScoped
from hub.core.tenancy.scope import scoped_url_arg
from regions.matches.vocab import CheckInStatus, LedgerKind, MatchStatus, MemberRole, SuggestionStatus
from regions.profiles.models import Profile


def _enum(cls):
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Match(Audited, RegionScoped, db.Model):
    """A co-creation team: a creative and an organisation (sometimes more) working on the organisation's challenge.

    Its budget is copied from the cohort when the match is made; the paid and committed totals are kept by
    one conditional UPDATE per ledger entry, so that concurrent payments can never overdraw it.
    """

    __tablename__ = "cocreation_match"
    __table_args__ = (
        CheckConstraint("paid_cents >= 0 AND paid_cents <= budget_cents", name="paid_within_budget"),
        CheckConstraint("committed_cents >= 0 AND committed_cents <= budget_cents", name="committed_within_budget"),
    )
    # Running totals of the ledger, whose entries are audited one by one.
    __audit_exclude__ = frozenset({"paid_cents", "committed_cents"})
    personal_data = Personal(actors=("created_by_id",))

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    challenge: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MatchStatus] = mapped_column(_enum(MatchStatus), default=MatchStatus.PROPOSED, index=True)
    proposed_on: Mapped[date]
    started_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    outcome: Mapped[str] = mapped_column(Text, default="")
    case_study: Mapped[str] = mapped_column(Text, default="")
    case_study_published_at: Mapped[datetime | None]
    budget_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    committed_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("speed_dating_session.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cohort: Mapped[Cohort] = relationship()
    members: Mapped[list[MatchMember]] = relationship(
        back_populates="match", cascade="all, delete-orphan", order_by="MatchMember.id"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        cascade="all, delete-orphan", order_by="(Milestone.due_on, Milestone.id)"
    )
    check_ins: Mapped[list[CheckIn]] = relationship(
        cascade="all, delete-orphan", order_by="(CheckIn.held_on.desc(), CheckIn.id.desc())"
    )
    journal: Mapped[list[JournalEntry]] = relationship(
        cascade="all, delete-orphan", order_by="JournalEntry.created_at.desc()"
    )
    documents: Mapped[list[MatchDocument]] = relationship(
        cascade="all, delete-orphan", order_by="MatchDocument.created_at.desc()"
    )
    ledger: Mapped[list[LedgerEntry]] = relationship(
        cascade="all, delete-orphan", order_by="(LedgerEntry.booked_on, LedgerEntry.id)"
    )

    @property
    def audit_label(self) -> str:
        return self.title

    @property
    def budget(self) -> Decimal:
        return from_cents(self.budget_cents)

    @property
    def paid(self) -> Decimal:
        return from_cents(self.paid_cents)

    @property
    def committed(self) -> Decimal:
        return from_cents(self.committed_cents)

    @property
    def remaining(self) -> Decimal:
        """What can still be paid out."""
        return from_cents(self.budget_cents - self.paid_cents)

    @property
    def case_study_published(self) -> bool:
        return self.case_study_published_at is not None

    def __repr__(self) -> str:
        return f"<Match {self.id} {self.title!r}>"


class MatchMember(Audited, RegionScoped, db.Model):
    """A person in a match, with their role."""

    __tablename__ = "match_member"
    __table_args__ = (UniqueConstraint("match_id", "profile_id", name="uq_match_member"),)
    personal_data = Personal(
        title=_l("Match memberships"),
        columns=("role_note",),
        owners={"profile_id": "profile"},
        erase=PSEUDONYMISE,
        replace={"role_note": ""},
        reason=_l("Match memberships stay under the nameless profile: the funding of a match needs its team."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("cocreation_match.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="RESTRICT"), index=True)
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole))
    role_note: Mapped[str] = mapped_column(String(200), default="")

    match: Mapped[Match] = relationship(back_populates="members")
    profile: Mapped[Profile] = relationship()

    @property
    def audit_label(self) -> str:
        profile = related(self, "profile")
        return profile.display_name if profile else f"#{self.profile_id}"


class Milestone(Audited, RegionScoped, db.Model):
    """A step of the team's plan with its due date (within the cohort's period)."""

    __tablename__ = "match_milestone"
    personal_data = not_personal("a step of a team's plan", ordinary=("note",))

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("cocreation_match.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(index=True)
    done_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")

    @property
    def audit_label(self) -> str:
        return self.title


class CheckIn(RegionScoped, db.Model):
    """The coordination's look at how a team is doing (Zwischenstand)."""

    __tablename__ = "match_check_in"
    personal_data = Personal(ordinary=("note",), actors=("by_id",), reason="the coordination's note on a team")

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("cocreation_match.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    status: Mapped[CheckInStatus] = mapped_column(_enum(CheckInStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    by: Mapped[User | None] = relationship()


class JournalEntry(RegionScoped, db.Model):
    """A note in the team's journal, by a member or the coordination."""

    __tablename__ = "match_journal_entry"
    personal_data = Personal(title=_l("Journal entries"), columns=("body",), owners={"author_id": "user"}, erase=DELETE)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("cocreation_match.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class MatchDocument(RegionScoped, db.Model):
    """An uploaded file of a match (or a receipt of a ledger entry); checked by content and size."""

    __tablename__ = "match_document"
    personal_data = Personal(
        title=_l("Uploaded documents"),
        columns=("filename",),
        owners={"uploaded_by_id": "user"},
        erase=DELETE,
        keep_if="is_receipt",
        ordinary=("stored_name",),
        on_erase="stored_files",
        reason=_l("Receipts of the funding ledger stay: the funder requires them as proof of payments."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("cocreation_match.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    is_receipt: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()

    def stored_files(self, erased: object = None, dry_run: bool = False) -> list[str]:
        """The stored file's key; deleted from the store now, in the erasure's transaction (not when ``dry_run``)."""
        from hub.core import storage
        from regions.matches.documents import document_key

        key = document_key(self.stored_name)
        if not dry_run:
            storage.delete(key)
        return [key]


class LedgerEntry(Audited, RegionScoped, db.Model):
    """A commitment or a payment of a match's funding: date, exact amount, purpose, receipt. Append-only."""

    __tablename__ = "match_ledger_entry"
    __table_args__ = (CheckConstraint("amount_cents <> 0", name="amount_not_zero"),)
    personal_data = Personal(actors=("by_id",), reason="the funding ledger, kept as the funder requires")

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("cocreation_match.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LedgerKind] = mapped_column(_enum(LedgerKind))
    booked_on: Mapped[date]
    # Negative amounts are corrections (Storno) of earlier entries of the same kind.
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(300))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("match_document.id", ondelete="SET NULL"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    receipt: Mapped[MatchDocument | None] = relationship()
    by: Mapped[User | None] = relationship()

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)

    @property
    def audit_label(self) -> str:
        return self.purpose


class MatchSuggestion(RegionScoped, db.Model):
    """A suggested pair from a session's ratings and the profiles' fit, waiting for the coordination's decision."""

    __tablename__ = "match_suggestion"
    __table_args__ = (
        UniqueConstraint("session_id", "creative_id", "organisation_id", name="uq_match_suggestion_pair"),
    )
    personal_data = Personal(
        title=_l("Match suggestions"),
        owners={"creative_id": "profile", "organisation_id": "profile"},
        erase=PSEUDONYMISE,
        replace={"reasons": lambda s: []},
        reason=_l("Suggestions stay without their reasons, under the nameless profile."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("speed_dating_session.id", ondelete="CASCADE"), index=True)
    creative_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    method: Mapped[str] = mapped_column(String(10), default="optimal")
    status: Mapped[SuggestionStatus] = mapped_column(_enum(SuggestionStatus), default=SuggestionStatus.OPEN)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("cocreation_match.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    creative: Mapped[Profile] = relationship(foreign_keys=[creative_id])
    organisation: Mapped[Profile] = relationship(foreign_keys=[organisation_id])


scoped_url_arg("match_id", Match)
scoped_url_arg("member_id", MatchMember)
scoped_url_arg("milestone_id", Milestone)
scoped_url_arg("document_id", MatchDocument)
scoped_url_arg("entry_id", LedgerEntry)
scoped_url_arg("suggestion_id", MatchSuggestion)
