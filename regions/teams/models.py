"""Teams across regions: a person of another region in a match, once both regions' coordinations agree.

A ``MatchGuest`` belongs to the match's region (the funding region, which owns the match and its ledger),
like every other row of the match: a scoped query in that region sees it, a scoped query anywhere else does
not. It names a profile of another region (``guest_region_id``); that profile is read through the door
(``regions.teams.access.guest_profile``). The guest region's side
(its coordination deciding, its person working in the team) reaches the row only through
``regions.teams.access``, which opens the door with ``all_regions()`` and checks the caller itself.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.audit_log import Audited
from hub.core.db import db, utcnow
from hub.core.personal_data import PSEUDONYMISE, Personal
from hub.core.tenancy import RegionScoped
from hub.core.tenancy.models import Region
from hub.core.tenancy.scope import scoped_url_arg
from regions.matches.models import Match
from regions.matches.vocab import MemberRole


class GuestStatus(enum.StrEnum):
    """requested → accepted | declined | withdrawn; accepted → removed. An ended one may be asked again."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"


OPEN = (GuestStatus.REQUESTED, GuestStatus.ACCEPTED)


def _enum(cls):
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class MatchGuest(Audited, RegionScoped, db.Model):
    """A request for (and then the membership of) a person of another region in a match of this region."""

    __tablename__ = "match_guest"
    __table_args__ = (
        UniqueConstraint("match_id", "profile_id", name="uq_match_guest"),
        Index("ix_match_guest_guest_region", "guest_region_id", "status"),
    )
    personal_data = Personal(
        title=_l("Memberships in matches of other regions"),
        columns=("role_note",),
        owners={"profile_id": "profile"},
        actors=("requested_by_id", "decided_by_id", "ended_by_id"),
        erase=PSEUDONYMISE,
        replace={"role_note": ""},
        ordinary=("guest_region_id",),
        reason=_l("Memberships in a match stay under the nameless profile: the funding of a match needs its team."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("cocreation_match.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="RESTRICT"), index=True)
    guest_region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"))
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole))
    role_note: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[GuestStatus] = mapped_column(_enum(GuestStatus), default=GuestStatus.REQUESTED)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None]

    region: Mapped[Region] = relationship(foreign_keys="MatchGuest.region_id")  # the funding region
    match: Mapped[Match] = relationship()
    # No relationship to the profile: it is of another region, and a relationship loaded from a row of this
    # region carries this region's criterion (SQLAlchemy passes it on to lazy loads), so it would be empty.
    # The person is read through the door instead: regions.teams.access.guest_profile().
    guest_region: Mapped[Region] = relationship(foreign_keys="MatchGuest.guest_region_id")

    @property
    def audit_label(self) -> str:
        from regions.teams.access import guest_profile

        profile = guest_profile(self)
        return profile.display_name if profile else f"#{self.profile_id}"

    @property
    def audit_regions(self) -> tuple[int, ...]:
        """Both coordinations decide, so both regions' logs keep every step (the funding region's first)."""
        return (self.region_id, self.guest_region_id)


# In the funding region, a guest row is an object of the region like a match member.
scoped_url_arg("guest_id", MatchGuest)
