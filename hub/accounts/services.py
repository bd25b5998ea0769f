"""Accounts: create, authenticate, invite, reset passwords, personal access tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.accounts import security_log, sessions
from hub.accounts.models import AccessToken, Invitation, Membership, User
from hub.accounts.password_policy import password_problem
from hub.accounts.passwords import hash_password, needs_rehash, verify_password
from hub.core.actions import NotFound
from hub.core.db import db, utcnow
from hub.core.mail.services import queue_mail, recipient_accepts
from hub.core.mail.topics import register_topic
from hub.core.roles import GLOBAL_ROLES, Role
from hub.core.schemas import ServiceError, _m
from hub.core.tenancy import all_regions

# Invitations are e-mails a person may turn off (every invitation carries the one-click link).
INVITATIONS = register_topic(
    "invitations",
    _l("Invitations"),
    _l("Invitations into a regional network, sent by its coordination."),
)


class AccountError(ServiceError):
    """A request about accounts that cannot be carried out; ``field`` names the culprit."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively."""
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str, name: str, password: str | None = None, *, role: Role = Role.PARTICIPANT, region=None
) -> User:
    """Create an account; regional roles need a region, global roles none. The caller commits."""
    if user_by_email(email):
        raise AccountError(_m("An account with this e-mail address exists already."), "email")
    user = User(
        email=normalise_email(email), name=name.strip(), password_hash=hash_password(password) if password else None
    )
    db.session.add(user)
    grant_role(user, role, region)
    return user


def grant_role(user: User, role: Role, region=None) -> None:
    """Give a user a global role, or a role in one region (replacing an earlier one there)."""
    if role in GLOBAL_ROLES:
        user.global_role = role
        return
    if region is None:
        raise AccountError(_m("This role needs a region."), "region")
    with all_regions():
        membership = (
            db.session.scalar(
                select(Membership).where(Membership.user_id == user.id, Membership.region_id == region.id)
            )
            if user.id
            else None
        )
        if membership is None:
            user.memberships.append(Membership(region=region, region_id=region.id, role=role))
        else:
            membership.role = role


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, or None."""
    user = user_by_email(email)
    if user is None or not user.active:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def check_password(password: str, *, email: str, name: str) -> None:
    """Refuse a password this person may not choose (their e-mail, their name, a common password)."""
    problem = password_problem(password, email=email, name=name)
    if problem is not None:
        raise AccountError(problem, "password")


def set_password(user: User, password: str, *, keep_current_session: bool = False) -> None:
    """Set a new password, void any reset link and end the account's sessions (but the current one if asked)."""
    check_password(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    user.password_reset_hash = None
    user.password_reset_expires_at = None
    sessions.end_all_sessions(user, keep_current=keep_current_session)


def change_password(user: User, current_password: str, password: str) -> None:
    """Change one's own password; the other sessions end, the one in use stays."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_m("The current password is wrong."), "current_password")
    set_password(user, password, keep_current_session=True)
    security_log.record("password_changed", user)


# Invitations ----------------------------------------------------------------------------------


def invite(region, email: str, name: str, role: Role, invited_by: User | None) -> tuple[Invitation, str]:
    """Invite someone into the region in scope; e-mails a one-time link valid for some days."""
    if role not in (Role.PARTICIPANT, Role.COORDINATOR):
        raise AccountError(_m("Only participants and coordinators can be invited."), "role")
    email = normalise_email(email)
    existing = user_by_email(email)
    if existing is not None and existing.role_in(region) is not None and existing.global_role is None:
        raise AccountError(_m("This person is a member of the region already."), "email")
    open_invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )
    if not recipient_accepts(email, INVITATIONS.key, existing):
        raise AccountError(_m("This address has asked not to receive invitations from the hub."), "email")
    if open_invitation is not None:
        open_invitation.revoked_at = utcnow()  # a new invitation replaces the old link
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        region_id=region.id,
        email=email,
        name=name.strip(),
        role=role,
        token_hash=_digest(raw),
        invited_by=invited_by,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    queue_mail(
        email,
        "invitation",
        topic=INVITATIONS.key,
        region=region,
        invitation=invitation,
        link=external_url("accounts.accept_invitation", token=raw),
        inviter=invited_by.name if invited_by else region.organisation,
    )
    return invitation, raw


def find_open_invitation(raw_token: str) -> Invitation | None:
    """The open invitation behind a link; the token is the credential, so the look-up spans regions."""
    with all_regions():
        invitation = db.session.scalar(
            select(Invitation)
            .where(Invitation.token_hash == _digest(raw_token))
            .options(selectinload(Invitation.region))
        )
    return invitation if invitation is not None and invitation.is_open else None


def accept_invitation(raw_token: str, name: str, password: str | None) -> User:
    """Redeem an invitation: create the account (or add the region to an existing one)."""
    invitation = find_open_invitation(raw_token)
    if invitation is None:
        raise AccountError(_m("This invitation link is invalid, used or expired."))
    with all_regions():
        user = user_by_email(invitation.email)
        if user is None:
            if not password:
                raise AccountError(_m("Please choose a password."), "password")
            check_password(password, email=invitation.email, name=name.strip() or invitation.name)
            user = User(
                email=invitation.email, name=name.strip() or invitation.name, password_hash=hash_password(password)
            )
            db.session.add(user)
        if user.role_in(invitation.region) is None or user.global_role is not None:
            grant_role(user, invitation.role, invitation.region)
        invitation.accepted_at = utcnow()
        db.session.flush()  # write the membership while the door is open; the caller commits
    return user


def revoke_invitation(invitation: Invitation) -> None:
    """Withdraw an invitation that was not accepted yet."""
    if invitation.accepted_at is not None:
        raise AccountError(_m("This invitation was accepted already."))
    invitation.revoked_at = invitation.revoked_at or utcnow()


# Password reset -------------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; say nothing either way. A new link voids older ones."""
    user = user_by_email(email)
    if user is None or not user.active:
        return
    raw = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    user.password_reset_hash = _digest(raw)
    user.password_reset_expires_at = utcnow() + timedelta(hours=hours)
    queue_mail(
        user.email,
        "password_reset",
        locale=user.locale,
        user=user,
        link=external_url("accounts.reset_password", token=raw),
        hours=hours,
    )


def user_for_reset_token(token: str) -> User | None:
    """The account a reset link belongs to, while the link is the newest one, unused and not expired."""
    if not token or len(token) > 200:
        return None
    user = db.session.scalar(select(User).where(User.password_reset_hash == _digest(token)))
    if user is None or not user.active or user.password_reset_expires_at is None:
        return None
    return user if user.password_reset_expires_at > utcnow() else None


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link (which is used up by it)."""
    user = user_for_reset_token(token)
    if user is None:
        raise AccountError(_m("This link is invalid, used or expired."))
    set_password(user, password)
    security_log.record("password_reset", user)
    return user


# Personal access tokens -----------------------------------------------------------------------

TOKEN_PREFIX = "cimis_"


def create_access_token(user: User, name: str) -> tuple[AccessToken, str]:
    """Make a token for the API; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(user=user, name=name.strip(), token_hash=_digest(raw), prefix=raw[:12])
    db.session.add(token)
    security_log.record("token_created", user, token=token.name)
    return token, raw


def user_for_access_token(raw: str) -> User | None:
    """The active user behind a valid, unrevoked token (recording its use)."""
    token = db.session.scalar(select(AccessToken).where(AccessToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        db.session.commit()
    return sessions.load_account(token.user_id)


def revoke_access_token(user: User, token_id: int) -> AccessToken:
    """Revoke one of the user's own tokens (anyone else's does not exist for them)."""
    token = db.session.scalar(select(AccessToken).where(AccessToken.id == token_id, AccessToken.user_id == user.id))
    if token is None:
        raise NotFound(_m("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        security_log.record("token_revoked", user, token=token.name)
    return token


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for e-mails and feeds, always on the configured BASE_URL.

    Never built from the request's Host header: a forged Host would otherwise put an attacker's
    address into a genuine e-mail (a poisoned password-reset link).
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
