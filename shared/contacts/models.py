"""Contact requests between participants, usually across regions."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.db import db, utcnow
from hub.core.mail.topics import register_topic
from hub.core.personal_data import PSEUDONYMISE, Personal
from regions.profiles.models import Profile

CONTACTS = register_topic(
    "contacts",
    _l("Contact requests"),
    _l("Someone asks you for contact through the directory, or accepted your request."),
)


class ContactStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ContactRequest(db.Model):
    """One participant asks another for contact; the addressee accepts or declines.

    It belongs to two regions at once, so it is not region-scoped: every query of it goes through
    shared.contacts.services, which opts out of the wall with all_regions() and checks the caller.
    """

    __tablename__ = "contact_request"
    __table_args__ = (UniqueConstraint("sender_profile_id", "recipient_profile_id", name="uq_contact_request_pair"),)
    personal_data = Personal(
        title=_l("Contact requests"),
        columns=("message",),
        owners={"sender_profile_id": "profile", "recipient_profile_id": "profile"},
        erase=PSEUDONYMISE,
        replace={"message": ""},
        ordinary=("recipient_region_id",),
        reason=_l("Contact requests stay without their message: the reports count contacts between regions."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), index=True)
    recipient_profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), index=True)
    sender_region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    recipient_region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ContactStatus] = mapped_column(
        Enum(ContactStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=ContactStatus.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    sender: Mapped[Profile] = relationship(foreign_keys=[sender_profile_id])
    recipient: Mapped[Profile] = relationship(foreign_keys=[recipient_profile_id])

    @property
    def crosses_regions(self) -> bool:
        return self.sender_region_id != self.recipient_region_id
