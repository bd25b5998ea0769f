"""Who may see a profile in the shared directory, and its contact details: the one home of these rules for the
directory's pages and API and for the features that build on it (contact requests).

A profile is seen by its owner, by the coordination of its region, by the umbrella and administrators,
and by others as its visibility and its person's consent allow (shared.directory.search.visible_to);
any other profile is NotFound, as if it did not exist. Its contact details are seen by the owner, the
region's coordination and administrators always, by every member of the network when the person allows
it, and by anyone a feature grants them to (``grant_contact_details``: contact requests, once accepted).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import select

from hub.accounts.models import User
from hub.core.actions import Actor, NotFound
from hub.core.db import db
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from regions.profiles.models import Profile
from regions.profiles.vocab import ContactVisibility
from shared.directory.search import Viewer, find_visible_profile

GRANTS = "shared.directory.contact_grants"


def visible_profile(actor: Actor, profile_id: int) -> Profile:
    """A profile the actor may see in the directory; NotFound otherwise."""
    profile = find_visible_profile(Viewer.of(actor.user), profile_id)
    if profile is None:
        raise NotFound()
    return profile


def own_profiles(user) -> list[Profile]:
    """The user's own, active profiles in all their regions (as whom they may appear to others)."""
    if user is None or not user.is_authenticated:
        return []
    with all_regions():
        return list(
            db.session.scalars(
                select(Profile).where(Profile.user_id == user.id, Profile.archived_at.is_(None)).order_by(Profile.id)
            )
        )


def may_see_contact_details(viewer: Viewer, profile: Profile) -> bool:
    """Contact details: the owner, the region's coordination and admins always; members when the person
    allows it; anyone else as a feature grants it (an accepted contact request)."""
    if viewer.user_id is None:
        return False
    if profile.user_id == viewer.user_id or profile.region_id in viewer.coordinated_regions:
        return True
    if viewer.sees_all and _is_admin(viewer):
        return True
    if profile.contact_visibility == ContactVisibility.MEMBERS:
        return True
    return any(grants(viewer, profile) for grants in current_app.extensions.get(GRANTS, ()))


def grant_contact_details(app: Flask, grants: Callable[[Viewer, Profile], bool]) -> None:
    """Let a feature show a profile's contact details to more viewers (installed once per app)."""
    found = app.extensions.setdefault(GRANTS, [])
    if grants not in found:
        found.append(grants)


def _is_admin(viewer: Viewer) -> bool:
    user = db.session.get(User, viewer.user_id)
    return user is not None and user.global_role == Role.ADMIN
