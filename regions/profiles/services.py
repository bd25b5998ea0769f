"""Profiles inside the region in scope: create, edit, consent, archive."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from hub.accounts.models import User
from hub.accounts.services import normalise_email
from hub.core.db import db, utcnow
from hub.core.schemas import ServiceError, _m
from hub.privacy.legal import consent_version
from regions.profiles.models import EDITABLE_FIELDS, ConsentRecord, Profile, is_email_conflict
from regions.profiles.vocab import ProfileKind


class ProfileError(ServiceError):
    """A profile change that cannot be made; ``field`` names the culprit."""


EMAIL_TAKEN = _m("A profile with this e-mail address exists in this region already.")


def get_profile(profile_id: int) -> Profile | None:
    """A profile of the region in scope (another region's answers None)."""
    return db.session.get(Profile, profile_id)


def own_profile(user: User) -> Profile | None:
    """The user's own profile in the region in scope."""
    return db.session.scalar(select(Profile).where(Profile.user_id == user.id))


def list_profiles(*, archived: bool = False, q: str = "") -> list[Profile]:
    """The region's profiles for the coordination (and its exports), by name.

    Profiles whose person withdrew consent are left out: the coordination keeps them only where the program
    needs them (events, speed-dating, matches and the counts), not in its lists and spreadsheets.
    """
    stmt = select(Profile).where(
        Profile.archived_at.is_not(None) if archived else Profile.archived_at.is_(None),
        Profile.consent_withdrawn_at.is_(None),
    )
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(func.lower(Profile.display_name).like(like), func.lower(Profile.contact_email).like(like))
        )
    return list(db.session.scalars(stmt.order_by(func.lower(Profile.display_name))))


def apply_fields(profile: Profile, data: dict) -> None:
    """Write the editable fields present in validated data; kind decides submarkets vs. sector."""
    for key in EDITABLE_FIELDS:
        if key in data:
            setattr(profile, key, data[key])
    if profile.kind == ProfileKind.ORGANISATION:
        profile.submarkets = []
    else:
        profile.sector = ""


def create_profile(data: dict, *, user: User | None = None, acting_user: User | None = None) -> Profile:
    """A new profile in the region in scope; consent is recorded if given. The caller commits."""
    if user is not None and own_profile(user) is not None:
        raise ProfileError(_m("This person has a profile in this region already."))
    _check_email_free(data)
    profile = Profile(user_id=user.id if user else None, kind=data["kind"], display_name=data["display_name"])
    apply_fields(profile, data)
    db.session.add(profile)
    _flush()
    if data.get("consent"):
        give_consent(profile, acting_user or user)
    return profile


def update_profile(profile: Profile, data: dict, *, acting_user: User | None = None) -> Profile:
    """Change a profile; the consent box given or withdrawn changes the consent too."""
    _check_email_free(data, profile)
    apply_fields(profile, data)
    _flush()
    if "consent" in data:
        if data["consent"] and not profile.has_consent:
            give_consent(profile, acting_user)
        elif not data["consent"] and profile.has_consent:
            withdraw_consent(profile, acting_user)
    return profile


def _check_email_free(data: dict, profile: Profile | None = None) -> None:
    """Refuse an e-mail address that another profile of the region has already."""
    key = normalise_email(data.get("contact_email") or "")
    if not key:
        return
    others = select(Profile.id).where(Profile.email_key == key)
    if profile is not None:
        others = others.where(Profile.id != profile.id)
    if db.session.scalar(others.limit(1)) is not None:
        raise ProfileError(EMAIL_TAKEN, "contact_email")


def _flush() -> None:
    """Write now, so that a twin that passed the check at the same moment is caught here, not at commit.

    The database's unique index decides between the two; the loser's refusal names the field, and the web
    glue rolls its transaction back (hub.core.glue).
    """
    try:
        db.session.flush()
    except IntegrityError as exc:
        if not is_email_conflict(exc):
            raise
        raise ProfileError(EMAIL_TAKEN, "contact_email") from exc


def give_consent(profile: Profile, by_user: User | None) -> None:
    """Record consent to show the profile, with time and the wording's version."""
    profile.consent_version = consent_version()
    profile.consent_given_at = utcnow()
    profile.consent_withdrawn_at = None
    db.session.add(
        ConsentRecord(
            profile_id=profile.id,
            region_id=profile.region_id,
            action="given",
            version=profile.consent_version,
            by_user_id=by_user.id if by_user else None,
        )
    )


def withdraw_consent(profile: Profile, by_user: User | None) -> None:
    """Withdraw consent: the profile leaves the directory in the same transaction."""
    db.session.add(
        ConsentRecord(
            profile_id=profile.id,
            region_id=profile.region_id,
            action="withdrawn",
            version=profile.consent_version or consent_version(),
            by_user_id=by_user.id if by_user else None,
        )
    )
    profile.consent_version = None
    profile.consent_given_at = None
    profile.consent_withdrawn_at = utcnow()


def end_outdated_consents() -> int:
    """In the region in scope: consent to an older privacy notice ends (recorded as "expired"); the profile
    leaves the directory in the same transaction, and its person sees the consent box again. The caller commits."""
    current = consent_version()
    outdated = db.session.scalars(
        select(Profile).where(Profile.consent_given_at.is_not(None), Profile.consent_version != current)
    ).all()
    for profile in outdated:
        db.session.add(
            ConsentRecord(
                profile_id=profile.id, region_id=profile.region_id, action="expired", version=profile.consent_version
            )
        )
        profile.consent_version = None
        profile.consent_given_at = None
    return len(outdated)


def count_withdrawn() -> int:
    """How many of the region's profiles the coordination no longer lists because consent was withdrawn."""
    return db.session.scalar(select(func.count()).where(Profile.consent_withdrawn_at.is_not(None))) or 0


def archive(profile: Profile) -> None:
    """Take a profile out of use (it stays for the program's records)."""
    profile.archived_at = profile.archived_at or utcnow()


def unarchive(profile: Profile) -> None:
    """Bring an archived profile back."""
    profile.archived_at = None


def consent_history(profile: Profile) -> list[ConsentRecord]:
    """The profile's consent records, oldest first."""
    return list(
        db.session.scalars(
            select(ConsentRecord).where(ConsentRecord.profile_id == profile.id).order_by(ConsentRecord.id)
        )
    )
