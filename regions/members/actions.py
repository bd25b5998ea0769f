"""Everything that changes a region's membership, written once for the pages, the API, the CLI and jobs:
invitations, roles, taking someone out of the region, and a member's data on their request.

Each action takes plain values and the acting person, loads what it names through
``regions.members.access`` (who may), applies the rules of ``services``, ``hub.accounts`` and
``hub.privacy`` and raises ``ServiceError`` naming the field. None commits: ``hub.core.glue`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.accounts import services as accounts
from hub.accounts.models import Invitation, Membership
from hub.core.actions import Actor
from hub.core.db import db
from hub.core.roles import Role
from hub.core.schemas import ServiceError, _m
from hub.core.tenancy import current_region_id
from hub.core.tenancy.models import Region
from hub.privacy import services as privacy
from regions.members import access, services

CONFIRM_BY_EMAIL = _m("Please type the person's e-mail address exactly to confirm.")


def invite(actor: Actor, *, email: str, name: str, role: Role) -> Invitation:
    """Invite someone by e-mail into the region as participant or coordinator (a new link replaces an open one)."""
    actor.require_coordination()
    region = db.session.get(Region, current_region_id())
    invitation, _link = accounts.invite(region, email, name, role, actor.user)
    return invitation


def revoke_invitation(actor: Actor, invitation_id: int) -> Invitation:
    """Withdraw an invitation that was not accepted yet."""
    invitation = access.managed_invitation(actor, invitation_id)
    accounts.revoke_invitation(invitation)
    return invitation


def change_role(actor: Actor, membership_id: int, role: Role) -> Membership:
    """Make a member coordinator or participant (a coordinator cannot demote themselves)."""
    membership = access.managed_membership(actor, membership_id)
    services.change_role(membership, role, actor.user)
    return membership


def remove_member(actor: Actor, membership_id: int) -> None:
    """Take a person out of the region; their account stays (nobody removes themselves)."""
    membership = access.managed_membership(actor, membership_id)
    services.remove_member(membership, actor.user)


@dataclass
class MemberData:
    """A member's data of the region as one JSON file, for the coordination to hand over on their request."""

    body: bytes
    filename: str


def export_member_data(actor: Actor, membership_id: int) -> MemberData:
    """A member's data of this region on their request; the export is written in the audit log."""
    membership = access.managed_membership(actor, membership_id)
    person = privacy.person_of_membership(membership)
    body = privacy.export_json(person, region_id=membership.region_id)
    privacy.record_export(person, membership.region_id)
    return MemberData(body, privacy.export_filename(person, "json"))


def erase_member(actor: Actor, membership_id: int, *, confirmation: str) -> privacy.Erasure:
    """Erase a member's account on their request: only someone of this region alone; the e-mail typed confirms.

    The person's stored files are deleted in the same transaction (the result names them).
    """
    membership = access.managed_membership(actor, membership_id)
    person = privacy.person_of_membership(membership)
    if accounts.normalise_email(confirmation) != accounts.normalise_email(person.email):
        raise ServiceError(CONFIRM_BY_EMAIL, "confirmation")
    try:
        privacy.check_erasure_by_coordinator(person, membership.region_id, actor.user)
    except privacy.PrivacyError as exc:
        raise ServiceError(exc.message, "confirmation") from exc
    return privacy.erase_person(person, region_ids=[membership.region_id])
