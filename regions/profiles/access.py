"""Who may see and change a profile: the one home of the profiles' access rules.

A member of the region (participant or coordinator) keeps their own profile there; the umbrella and
administrators hold none. The coordination (an administrator too) keeps every profile of its region,
also those of people without an account, and the umbrella reads them. Another region's profile is
NotFound, as if it did not exist. Pages, API and actions all load a profile through here.
"""

from __future__ import annotations

from hub.core.access import region_role_required
from hub.core.actions import Actor, Forbidden, NotFound, get_or_404
from hub.core.roles import Role
from hub.core.schemas import _m
from regions.profiles import services
from regions.profiles.models import Profile

HOLDERS = (Role.PARTICIPANT, Role.COORDINATOR)
# The routes of one's own profile: refused before the body is read for everyone who holds none (admins too).
holders_only = region_role_required(*HOLDERS, admins=False)


def holds_profiles(actor: Actor) -> bool:
    """Whether the actor keeps a profile of their own in the region."""
    return actor.user is not None and actor.role in HOLDERS


def own_profile(actor: Actor) -> Profile | None:
    """The actor's own profile in the region, None before they made one; Forbidden for those who hold none."""
    if not holds_profiles(actor):
        raise Forbidden()
    return services.own_profile(actor.user)


def existing_own_profile(actor: Actor) -> Profile:
    profile = own_profile(actor)
    if profile is None:
        raise NotFound(_m("You have no profile in this region yet."))
    return profile


def readable_profile(actor: Actor, profile_id: int) -> Profile:
    """A profile of the region for the coordination and the umbrella (the directory shows it to others)."""
    if not actor.reviews:
        raise Forbidden()
    return get_or_404(Profile, profile_id)


def managed_profile(actor: Actor, profile_id: int) -> Profile:
    """A profile of the region the actor may change: the coordination only."""
    actor.require_coordination()
    return get_or_404(Profile, profile_id)
