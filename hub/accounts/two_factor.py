"""The optional second factor: time-based one-time codes (TOTP, RFC 6238) and one-time recovery codes."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

import pyotp
from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from hub.accounts import security_log
from hub.accounts.models import RecoveryCode, User
from hub.accounts.passwords import verify_password
from hub.accounts.services import AccountError
from hub.core.db import db, utcnow
from hub.core.roles import GLOBAL_ROLES
from hub.core.schemas import _m

ISSUER = "CIMIS Hub"
RECOVERY_CODE_COUNT = 10
# Codes of the step before and after the current one are accepted too (clocks of phones drift).
VALID_WINDOW = 1


def required_for(user: User) -> bool:
    """Admins and the umbrella must use a second factor in production."""
    return current_app.config.get("ENV") == "production" and user.global_role in GLOBAL_ROLES


def must_set_up(user: User) -> bool:
    """The account may do nothing else until it has set up its second factor."""
    return required_for(user) and not user.two_factor_enabled


def begin_setup(user: User) -> str:
    """The secret being set up (a new one unless one is waiting for its first code already)."""
    if user.two_factor_enabled:
        raise AccountError(_m("Two-factor authentication is on already."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(user: User) -> str:
    """The provisioning link as a QR code: an SVG data URI, made here (no outside service, no inline style)."""
    import segno  # loaded by the first QR code, not at start-up

    return segno.make(provisioning_uri(user), error="m").svg_data_uri(scale=5, border=2)


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _accept_totp(user: User, code: str) -> bool:
    """Whether the code is valid now and of a later time step than any accepted before (then it is used up)."""
    code = _clean(code)
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = utcnow()
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = totp.timecode(now) + offset
        if secrets.compare_digest(totp.generate_otp(step), code):
            # One conditional UPDATE: of two requests with the same code only one wins.
            won = db.session.execute(
                update(User)
                .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            ).rowcount
            if won:
                set_committed_value(user, "totp_last_step", step)
            return bool(won)
    return False


def _code_hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def _use_recovery_code(user: User, code: str) -> bool:
    cleaned = _clean(code)
    if len(cleaned) != 24:
        return False
    return bool(
        db.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _code_hash(cleaned),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=utcnow())
        ).rowcount
    )


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with ten new ones, returned once and stored hashed."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(15)).decode().lower()  # 120 random bits
        codes.append("-".join(raw[i : i + 4] for i in range(0, len(raw), 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(raw)))
    return codes


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the account has."""
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def enable(user: User, code: str) -> list[str]:
    """Turn the second factor on with a first code from the app; returns the recovery codes (shown once)."""
    if user.two_factor_enabled:
        raise AccountError(_m("Two-factor authentication is on already."))
    if not user.totp_secret:
        raise AccountError(_m("Please start the set-up again."))
    if not _accept_totp(user, code):
        raise AccountError(_m("This code is not valid. Please enter the current code from your app."), "code")
    user.totp_enabled_at = utcnow()
    security_log.record("two_factor_enabled", user)
    return new_recovery_codes(user)


def disable(user: User, password_or_code: str) -> None:
    """Turn the second factor off; needs the password or a current code. Refused where it is required."""
    if not user.two_factor_enabled:
        raise AccountError(_m("Two-factor authentication is off already."))
    if required_for(user):
        raise AccountError(_m("Your role requires two-factor authentication."))
    if not (verify_password(user.password_hash, password_or_code) or _accept_totp(user, password_or_code)):
        raise AccountError(_m("The password or code is wrong."), "password_or_code")
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    security_log.record("two_factor_disabled", user)


def renew_recovery_codes(user: User, password: str) -> list[str]:
    """New recovery codes in place of the old ones, after the password."""
    if not user.two_factor_enabled:
        raise AccountError(_m("Two-factor authentication is off."))
    if not verify_password(user.password_hash, password):
        raise AccountError(_m("The password is wrong."), "password")
    codes = new_recovery_codes(user)
    security_log.record("recovery_codes_renewed", user)
    return codes


def verify(user: User, code: str) -> bool:
    """The second step of a login: a current code (used once) or an unused recovery code."""
    if _accept_totp(user, code):
        return True
    if _use_recovery_code(user, code):
        security_log.record("recovery_code_used", user, left=recovery_codes_left(user))
        return True
    return False


def pending_expired(started_at: float, now: datetime | None = None) -> bool:
    """Whether a half-finished login (password given, code not yet) has run out."""
    now = now or utcnow()
    return now.timestamp() - started_at > current_app.config["TWO_FACTOR_STEP_SECONDS"] or now.timestamp() < started_at
