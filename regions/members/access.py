"""Who may manage a region's members: its coordination (and administrators), for the region's own
memberships and invitations; another region's are NotFound, as if they did not exist."""

from __future__ import annotations

from hub.accounts.models import Invitation, Membership
from hub.core.actions import Actor, get_or_404


def managed_membership(actor: Actor, membership_id: int) -> Membership:
    actor.require_coordination()
    return get_or_404(Membership, membership_id)


def managed_invitation(actor: Actor, invitation_id: int) -> Invitation:
    actor.require_coordination()
    return get_or_404(Invitation, invitation_id)
