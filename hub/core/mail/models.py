"""The mail outbox: every e-mail is a row first, and leaves only when SMTP took it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db, utcnow
from hub.core.personal_data import DELETE, Personal


class OutboxMessage(db.Model):
    """One e-mail waiting for, or done with, delivery."""

    __tablename__ = "outbox_message"
    personal_data = Personal(
        title=_l("E-mails to you"),
        columns=("recipient", "subject", "body"),
        owners={"recipient": "email"},
        erase=DELETE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # A unique key makes a queued side effect idempotent (job, subject, time slot).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The first failed attempt of the current run of failures, and when the hub stopped trying
    # (MAIL_GIVE_UP_HOURS later): see hub.core.mail.services.backoff.
    failing_since: Mapped[datetime | None]
    given_up_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    # The kind of e-mail (hub.notifications.topics); None for essential mail such as a password reset.
    topic: Mapped[str | None] = mapped_column(String(30))
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # A sender's lease: while it runs, no other sender takes the message (hub.core.mail.services.claim_due).
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None]

    @property
    def status(self) -> str:
        """queued, sending (a sender holds it), retrying, failed (given up) or sent."""
        if self.sent_at is not None:
            return "sent"
        if self.given_up_at is not None:
            return "failed"
        if self.claimed_until is not None and self.claimed_until > utcnow():
            return "sending"
        return "retrying" if self.attempts else "queued"
