"""Conversations: once a contact request is accepted, the two people write to each other in the hub.

One thread per pair of accounts (``Conversation.pair_key``), however many accepted contact requests join
their profiles; each side has a ``ConversationMember`` row (what they read, whether an e-mail about unread
messages went out, whether they blocked the other). A report about a conversation partner belongs to the
region of the person reported: their coordination sees it there, never the messages.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.db import db, utcnow
from hub.core.mail.topics import register_topic
from hub.core.personal_data import DELETE, Personal, not_personal
from hub.core.tenancy import RegionScoped
from regions.profiles.models import Profile

MESSAGES = register_topic(
    "messages",
    _l("Messages"),
    _l("Someone wrote to you in a conversation (one e-mail per conversation until you have read it)."),
)

REPORTS = register_topic(
    "conversation_reports",
    _l("Reports about conversation partners"),
    _l("A participant of your region was reported by their conversation partner."),
    coordinators_only=True,
)

# The longest message one may send (characters, after stripping).
MESSAGE_MAX_LENGTH = 2000


def pair_key(user_id: int, other_user_id: int) -> str:
    """The one key of a pair of accounts, whichever of them asks."""
    low, high = sorted((user_id, other_user_id))
    return f"{low}:{high}"


class Conversation(db.Model):
    """The one thread of two people. It spans regions, so it is not region-scoped: every query goes through
    shared.conversations.services, which opts out of the wall (all_regions()) and checks the caller."""

    __tablename__ = "conversation"
    personal_data = not_personal(
        "Who writes is in conversation_member; what is written in conversation_message.",
        ordinary=("last_message_at",),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_key: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(index=True)

    members: Mapped[list[ConversationMember]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", passive_deletes=True
    )


class ConversationMember(db.Model):
    """One side of a conversation: the person, the profile the other sees, and their own state of it."""

    __tablename__ = "conversation_member"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id", name="uq_conversation_member"),)
    personal_data = Personal(
        title=_l("Conversations"),
        owners={"user_id": "user", "profile_id": "profile"},
        ordinary=("mail_waiting",),
        erase=DELETE,
        reason=_l("The other person keeps the conversation with their own messages; yours are deleted."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("profile.id", ondelete="SET NULL"))
    # The id of the newest message this person has seen (messages are numbered in order).
    read_upto: Mapped[int] = mapped_column(default=0)
    # An e-mail about unread messages went out and the person has not read the thread since: no second one.
    mail_waiting: Mapped[bool] = mapped_column(default=False)
    # This person blocked the other: no messages either way, no contact requests from the other.
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="members")
    profile: Mapped[Profile | None] = relationship()


class Message(db.Model):
    """One message: plain text, shown escaped with its line breaks."""

    __tablename__ = "conversation_message"
    __table_args__ = (Index("ix_conversation_message_thread", "conversation_id", "id"),)
    personal_data = Personal(
        title=_l("Messages"),
        columns=("body",),
        owners={"sender_user_id": "user"},
        about={"recipient_user_id": "user"},
        about_fields=("body", "created_at"),
        ordinary=("recipient_user_id",),  # the person a received message is about (``about``)
        erase=DELETE,
        reason=_l("Your messages are deleted; those you received stay with the person who wrote them."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    sender_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    recipient_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConversationReport(RegionScoped, db.Model):
    """A person reports their conversation partner; the report belongs to the region of the person reported.

    Its coordination sees who reported whom, the reason and when, and closes it once handled; never the
    conversation's messages."""

    __tablename__ = "conversation_report"
    personal_data = Personal(
        title=_l("Reports about conversation partners"),
        columns=("reason",),
        owners={"reporter_user_id": "user", "reporter_profile_id": "profile"},
        about={"reported_user_id": "user", "reported_profile_id": "profile"},
        about_fields=("created_at", "handled_at"),
        actors=("handled_by_user_id",),
        erase=DELETE,
        reason=_l("A report is the reporter's: it goes with their account."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id", ondelete="SET NULL"))
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reporter_profile_id: Mapped[int | None] = mapped_column(ForeignKey("profile.id", ondelete="SET NULL"))
    reported_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reported_profile_id: Mapped[int | None] = mapped_column(ForeignKey("profile.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    reporter_profile: Mapped[Profile | None] = relationship(foreign_keys=[reporter_profile_id])
    reported_profile: Mapped[Profile | None] = relationship(foreign_keys=[reported_profile_id])
