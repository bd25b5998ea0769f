"""What a person is told (in-app notifications), which e-mails they want, and addresses that opted out."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db, utcnow
from hub.core.personal_data import DELETE, Personal

DIGEST_FREQUENCIES = ("weekly", "daily", "never")


class Notification(db.Model):
    """One thing a person is told in the hub, whether or not it also went out by e-mail.

    A person's notifications span regions, so the table is not region-scoped: every read goes through
    hub.notifications.services, which filters by the person.
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_created", "user_id", "created_at"),)
    personal_data = Personal(
        title=_l("Notifications"), columns=("subject", "body"), owners={"user_id": "user"}, erase=DELETE
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class NotificationSettings(db.Model):
    """A person's choice of e-mails: topics they do not want by mail, and how often the digest comes.

    No row means the defaults: every topic by e-mail, the digest weekly.
    """

    __tablename__ = "notification_settings"
    personal_data = Personal(title=_l("E-mail choices"), owners={"user_id": "user"}, erase=DELETE)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    muted_topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    digest: Mapped[str] = mapped_column(String(10), default="weekly")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MailSuppression(db.Model):
    """An address without an account that asked for no more e-mails of a topic (say, invitations)."""

    __tablename__ = "mail_suppression"
    __table_args__ = (UniqueConstraint("email", "topic", name="uq_mail_suppression_email_topic"),)
    personal_data = Personal(
        title=_l("Addresses without e-mails"), columns=("email",), owners={"email": "email"}, erase=DELETE
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    topic: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
