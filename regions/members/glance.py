"""What the members show on the homes: a region's open invitations and the e-mails that did not reach its
people, the members per region."""

from __future__ import annotations

from sqlalchemy import func, or_, select, union

from hub.accounts.models import Invitation, Membership, User
from hub.core.db import db
from hub.core.mail.models import OutboxMessage
from hub.core.tenancy import all_regions
from regions.members.services import still_open


def open_invitation_count() -> int:
    """Invitations of the region in scope that can still be accepted."""
    return db.session.scalar(select(func.count()).select_from(Invitation).where(still_open()))


def failing_mail() -> list[tuple[str, str, int]]:
    """E-mails to the region's people (members and those invited) that failed and are not sent: given up, or
    failing and being retried. One row per address: (address, name, messages), most first.

    The outbox belongs to no region; a message counts for the region whose member or invitee it addresses.
    """
    failing = (
        OutboxMessage.sent_at.is_(None),
        or_(OutboxMessage.given_up_at.is_not(None), OutboxMessage.failing_since.is_not(None)),
    )
    # The people are looked up among the failing addresses (few), not the other way round: the region's members
    # are tens of thousands, and joining all of them was most of a coordinator's home (26 ms at 25,000 members).
    failing_addresses = select(OutboxMessage.recipient).where(*failing)
    people = union(
        select(User.email.label("email"), User.name.label("name"))
        .join(Membership, Membership.user_id == User.id)
        .where(User.email.in_(failing_addresses)),
        select(Invitation.email.label("email"), Invitation.name.label("name")).where(
            Invitation.accepted_at.is_(None), Invitation.email.in_(failing_addresses)
        ),
    ).subquery()
    return list(
        db.session.execute(
            select(OutboxMessage.recipient, func.max(people.c.name), func.count(OutboxMessage.id.distinct()))
            .join(people, people.c.email == OutboxMessage.recipient)
            .where(*failing)
            .group_by(OutboxMessage.recipient)
            .order_by(func.count(OutboxMessage.id.distinct()).desc(), OutboxMessage.recipient)
        )
    )


def members_per_region(region_ids: list[int]) -> dict[int, int]:
    """How many people (memberships) each region has: {region id: count}, for the umbrella."""
    with all_regions(read_only=True):
        rows = db.session.execute(
            select(Membership.region_id, func.count())
            .join(User, User.id == Membership.user_id)
            .where(Membership.region_id.in_(region_ids), User.erased_at.is_(None))
            .group_by(Membership.region_id)
        ).all()
    return dict(rows)
