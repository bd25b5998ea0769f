"""A visitor's request for access to one region, until the coordination answers it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import Invitation, User
from hub.core.audit_log import Audited
from hub.core.db import db, utcnow
from hub.core.personal_data import DELETE, Personal
from hub.core.tenancy import RegionScoped
from hub.core.tenancy.scope import scoped_url_arg
from regions.access_requests.vocab import AccessStatus


class AccessRequest(Audited, RegionScoped, db.Model):
    """Someone without access asks the region's coordination for it; accepting it sends an invitation.

    ``open_key`` holds the address while the request is open and is emptied when it is answered: the unique
    constraint on (region, open_key) keeps one open request per address and region, also against a double click.
    """

    __tablename__ = "access_request"
    __table_args__ = (UniqueConstraint("region_id", "open_key", name="uq_access_request_open"),)
    __audit_exclude__ = frozenset({"open_key"})
    personal_data = Personal(
        title=_l("Requests for access"),
        columns=("name", "email", "organisation", "message", "decline_reason"),
        owners={"email": "email"},
        actors=("decided_by_id",),
        erase=DELETE,
        audit_hidden=("email", "message", "decline_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    # The privacy notice's version the person agreed to when asking.
    consent_version: Mapped[str] = mapped_column(String(20))
    # The language the person wrote in: their e-mails (the confirmation, a decline) speak it.
    locale: Mapped[str] = mapped_column(String(5), default="de")
    status: Mapped[AccessStatus] = mapped_column(
        Enum(AccessStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=AccessStatus.OPEN,
    )
    open_key: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"))

    decided_by: Mapped[User | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == AccessStatus.OPEN

    @property
    def audit_label(self) -> str:
        return self.name


scoped_url_arg("access_request_id", AccessRequest)
