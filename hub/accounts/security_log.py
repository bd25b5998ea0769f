"""Security events of accounts (logins, failed logins, logouts, passwords, sessions, second factor, API tokens).

They belong to an account, not to a region, so they have their own table beside the regions' audit log:
admins read them all on /umbrella/security, every person their own on /account. ``user_id`` is a plain
number without a foreign key, so that the history stays when an account is deleted; a failed login keeps
the address that was tried (never the password).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db, utcnow
from hub.core.pages import Page, paginate
from hub.core.personal_data import PSEUDONYMISE, Personal

KINDS = {
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in"),
    "logout": _l("Signed out"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset through an e-mailed link"),
    "session_ended": _l("Session ended"),
    "signed_out_everywhere": _l("Signed out everywhere"),
    "two_factor_enabled": _l("Two-factor authentication turned on"),
    "two_factor_disabled": _l("Two-factor authentication turned off"),
    "recovery_code_used": _l("Recovery code used"),
    "recovery_codes_renewed": _l("New recovery codes made"),
    "token_created": _l("API token created"),
    "token_revoked": _l("API token revoked"),
}
# The facts an event may carry, and the coded values among them, in the reader's language.
DETAIL_LABELS = {
    "reason": _l("Reason"),
    "session": _l("Session ended on"),
    "sessions": _l("Sessions ended"),
    "token": _l("Token"),
    "left": _l("Recovery codes left"),
}
REASONS = {"password": _l("wrong password"), "code": _l("wrong code")}
PAGE_SIZE = 50


class SecurityEvent(db.Model):
    """One security event of an account: what, when, for whom, by whom, from which address and browser."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_event_user_at", "user_id", "at"),)
    personal_data = Personal(
        title=_l("Security events"),
        columns=("at", "kind", "email", "ip_address", "device", "detail"),
        owners={"user_id": "user"},
        actors=("actor_id",),
        erase=PSEUDONYMISE,
        replace={"email": "", "ip_address": "", "device": "", "detail": lambda event: {}},
        reason=_l(
            "The record of sign-ins and account changes stays for its retention period without address, "
            "device or network address, so that attacks on the hub can still be traced."
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # The account concerned (None when a failed sign-in named no known address) and who acted, if not it.
    user_id: Mapped[int | None]
    actor_id: Mapped[int | None]
    email: Mapped[str] = mapped_column(String(254), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    device: Mapped[str] = mapped_column(String(80), default="")
    # Small facts of the event: the session's device, the token's name, why a sign-in failed.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def facts(self) -> list[tuple[str, str]]:
        """The event's details as (label, value), in the reader's language."""
        return [
            (str(DETAIL_LABELS.get(key, key)), str(REASONS.get(value, value)) if key == "reason" else value)
            for key, value in (self.detail or {}).items()
        ]


def record(kind: str, user=None, *, email: str = "", actor=None, **detail) -> SecurityEvent:
    """Add a security event to the session (it commits with the change it describes)."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event {kind!r}")
    ip_address, device = _client()
    event = SecurityEvent(
        kind=kind,
        user_id=getattr(user, "id", user),
        actor_id=getattr(actor, "id", actor),
        email=(email or getattr(user, "email", "") or "")[:254],
        ip_address=ip_address,
        device=device,
        detail={key: str(value)[:200] for key, value in detail.items()},
    )
    db.session.add(event)
    return event


def _client() -> tuple[str, str]:
    """The address and browser of the request, if there is one (like the audit log's actor)."""
    from flask import has_request_context, request

    if not has_request_context():
        return "", ""
    from hub.accounts.sessions import device_label

    return (request.remote_addr or "")[:45], device_label(request.headers.get("User-Agent", ""))


def events_of(user, limit: int = 10) -> list[SecurityEvent]:
    """The newest security events of one account."""
    return list(
        db.session.scalars(
            select(SecurityEvent)
            .where(SecurityEvent.user_id == user.id)
            .order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
            .limit(limit)
        )
    )


def browse(kind: str | None = None, email: str | None = None, page: int = 1) -> Page:
    """Security events of every account, newest first, optionally of one kind or address."""
    query = select(SecurityEvent)
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    if email:
        query = query.where(SecurityEvent.email == email.strip().lower())
    return paginate(query.order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc()), page=page, per_page=PAGE_SIZE)
