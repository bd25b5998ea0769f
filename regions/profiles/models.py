"""Participant profiles (region-scoped) and their consent history."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates

from hub.accounts.models import User
from hub.accounts.services import normalise_email
from hub.core.audit_log import Audited
from hub.core.db import db, utcnow
from hub.core.personal_data import KEEP, PSEUDONYM, PSEUDONYMISE, Personal
from hub.core.tenancy import RegionScoped
from hub.core.tenancy.scope import scoped_url_arg
from regions.profiles.vocab import ContactVisibility, ProfileKind, Visibility


def _enum(cls):
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


EMAIL_INDEX = "uq_profile_region_email"

# What a person (or their coordination) writes into a profile, declared once: the forms, the API, the import
# (services.apply_fields) and the privacy registry below all read it. The person's consent is no column of
# its own here: it is given or withdrawn (services.give_consent), and kept in ConsentRecord.
EDITABLE_FIELDS = (
    "kind",
    "display_name",
    "organisation_name",
    "pitch",
    "description",
    "submarkets",
    "sector",
    "offer_tags",
    "offers_text",
    "need_tags",
    "needs_text",
    "town",
    "website",
    "contact_email",
    "contact_phone",
    "languages",
    "visibility",
    "contact_visibility",
)
LIST_FIELDS = frozenset({"submarkets", "offer_tags", "need_tags", "languages"})
# What is not about the person: kept when they are erased, so that the counts per kind and submarket stay exact.
PROGRAM_FIELDS = frozenset({"kind", "submarkets", "sector", "visibility", "contact_visibility"})
PERSONAL_FIELDS = tuple(name for name in EDITABLE_FIELDS if name not in PROGRAM_FIELDS)


def is_email_conflict(exc: IntegrityError) -> bool:
    """Whether a failed write broke the one-profile-per-address rule (PostgreSQL names the index, SQLite the column)."""
    text = str(exc.orig)
    return EMAIL_INDEX in text or "profile.email_key" in text


class Profile(Audited, RegionScoped, db.Model):
    """A creative's or an organisation's profile in one region."""

    __tablename__ = "profile"
    __table_args__ = (
        UniqueConstraint("region_id", "user_id", name="uq_profile_region_user"),
        # The reports count profiles by region and month, and by region and kind, from these indexes alone.
        Index("ix_profile_counting", "region_id", "created_at", "archived_at", "kind"),
        Index("ix_profile_by_kind", "region_id", "kind", "archived_at", "created_at"),
        # One profile per e-mail address and region, so that two imports or creates at once cannot both win.
        Index(EMAIL_INDEX, "region_id", "email_key", unique=True),
    )
    __audit_exclude__ = frozenset({"email_key"})
    personal_data = Personal(
        title=_l("Profiles"),
        columns=(*PERSONAL_FIELDS, "picture"),
        owners={"user_id": "user", "email_key": "email"},
        erase=PSEUDONYMISE,
        replace={
            "user_id": None,
            **{name: (lambda p: []) if name in LIST_FIELDS else "" for name in PERSONAL_FIELDS},
            "display_name": PSEUDONYM,
            "picture": None,
            "visibility": Visibility.PRIVATE,
            "consent_version": None,
            "consent_given_at": None,
            "consent_withdrawn_at": lambda p: utcnow(),
        },
        # Contact details are personal beyond what the log needs: it keeps only that they changed.
        audit_hidden=("contact_email", "contact_phone"),
        on_erase="erase_traces",
        reason=_l(
            "Profiles stay without name, texts, contact details and picture: only kind, submarket and creation "
            "date remain, so that the counts of participants per region stay exact."
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Coordinators may keep profiles of people without an account: user_id is then empty.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    kind: Mapped[ProfileKind] = mapped_column(_enum(ProfileKind))
    display_name: Mapped[str] = mapped_column(String(120))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    pitch: Mapped[str] = mapped_column(String(280), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    submarkets: Mapped[list[str]] = mapped_column(JSON, default=list)
    sector: Mapped[str] = mapped_column(String(120), default="")
    offer_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    offers_text: Mapped[str] = mapped_column(Text, default="")
    need_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs_text: Mapped[str] = mapped_column(Text, default="")
    town: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", index=True)
    # The address as the hub compares it (case-insensitively); NULL without one, so those never collide.
    email_key: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    picture: Mapped[str | None] = mapped_column(String(80))
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility), default=Visibility.PRIVATE)
    contact_visibility: Mapped[ContactVisibility] = mapped_column(
        _enum(ContactVisibility), default=ContactVisibility.ON_REQUEST
    )
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_given_at: Mapped[datetime | None]
    # Set when the person withdrew consent (cleared when they give it again): the coordination then sees
    # the profile only where the program needs it (hub.privacy; regions/profiles/services.py).
    consent_withdrawn_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User | None] = relationship()

    @validates("contact_email")
    def _keep_email_key(self, key: str, value: str) -> str:
        self.email_key = normalise_email(value or "") or None
        return value

    @property
    def audit_label(self) -> str:
        return self.display_name

    @property
    def has_consent(self) -> bool:
        """Consent given to the wording in force (a new privacy notice version asks again)."""
        from hub.privacy.legal import consent_version

        return self.consent_given_at is not None and self.consent_version == consent_version()

    @property
    def consent_withdrawn(self) -> bool:
        return self.consent_withdrawn_at is not None

    def erase_traces(self, erased: object = None, dry_run: bool = False) -> list[str]:
        """Before erasure: record the end of consent and delete the stored picture (in the erasure's transaction);
        return the picture's key. With ``dry_run`` only the key."""
        from regions.profiles.pictures import picture_key, remove_picture

        session = object_session(self)
        if not dry_run and self.consent_given_at is not None and session is not None:
            session.add(
                ConsentRecord(
                    profile_id=self.id, region_id=self.region_id, action="withdrawn", version=self.consent_version or ""
                )
            )
        if not self.picture:
            return []
        if not dry_run:
            remove_picture(self.picture)
        return [picture_key(self.picture)]

    @property
    def is_listed(self) -> bool:
        """Shown in the directory at all (to someone other than the coordination)."""
        return self.archived_at is None and self.has_consent and self.visibility != Visibility.PRIVATE

    @property
    def tags(self) -> list[str]:
        return list(dict.fromkeys([*self.offer_tags, *self.need_tags]))

    def __repr__(self) -> str:
        return f"<Profile {self.id} {self.display_name!r}>"


class ConsentRecord(RegionScoped, db.Model):
    """Append-only history of a profile's consent: given or withdrawn, when, which wording."""

    __tablename__ = "consent_record"
    personal_data = Personal(
        title=_l("Consent history"),
        owners={"profile_id": "profile"},
        actors=("by_user_id",),
        erase=KEEP,
        reason=_l("The consent history is the program's proof that it showed profiles only with consent."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # given | withdrawn
    version: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


scoped_url_arg("profile_id", Profile)
