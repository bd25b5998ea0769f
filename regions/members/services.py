"""A region's members and invitations, as the coordinator manages them."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from hub.accounts.models import Invitation, Membership, User
from hub.accounts.services import AccountError
from hub.core.db import db, utcnow
from hub.core.roles import Role
from hub.core.schemas import ServiceError, _m

NOT_A_MEMBER = _m("Please choose a member of the region.")


def list_members() -> list[Membership]:
    """The region's memberships with their users, by name."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(User.erased_at.is_(None))  # an erased account stays for the figures, not in the list
            .options(selectinload(Membership.user))
            .order_by(User.name)
        )
    )


def still_open():
    """The SQL rule for an invitation that can still be accepted: not accepted, not revoked, not expired."""
    return and_(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())


def open_invitations() -> list[Invitation]:
    """Invitations of the region that can still be accepted."""
    return list(db.session.scalars(select(Invitation).where(still_open()).order_by(Invitation.created_at.desc())))


def require_member(user_id: int | None, field: str = "user_id") -> User:
    """A member of the region in scope that a request names by their account's id; refused with the field
    named when they are not one (another region's people, an erased account, no one)."""
    membership = None
    if user_id is not None:
        membership = db.session.scalar(select(Membership).where(Membership.user_id == user_id))
    if membership is None or membership.user.erased_at is not None:
        raise ServiceError(NOT_A_MEMBER, field)
    return membership.user


def change_role(membership: Membership, role: Role, acting_user: User | None) -> None:
    """Make a member participant or coordinator; a coordinator cannot demote themselves."""
    if role not in (Role.PARTICIPANT, Role.COORDINATOR):
        raise AccountError(_m("Only participant and coordinator are roles within a region."), "role")
    if acting_user is not None and membership.user_id == acting_user.id and role != Role.COORDINATOR:
        raise AccountError(_m("You cannot take your own coordinator role away."), "role")
    membership.role = role


def remove_member(membership: Membership, acting_user: User | None) -> None:
    """Take a person out of the region (their account stays)."""
    if acting_user is not None and membership.user_id == acting_user.id:
        raise AccountError(_m("You cannot remove yourself from the region."))
    db.session.delete(membership)
