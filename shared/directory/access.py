"""Who may see a profile in the shared directory: the one rule for its pages, its API and contact requests.

A profile is seen by its owner, by the coordination of its region, by the umbrella and administrators,
and by others as its visibility and its person's consent allow (shared.directory.search.visible_to);
any other profile is NotFound, as if it did not exist.
"""

from __future__ import annotations

from hub.core.actions import Actor, NotFound
from regions.profiles.models import Profile
from shared.directory.search import Viewer, find_visible_profile


def visible_profile(actor: Actor, profile_id: int) -> Profile:
    """A profile the actor may see in the directory; NotFound otherwise."""
    profile = find_visible_profile(Viewer.of(actor.user), profile_id)
    if profile is None:
        raise NotFound()
    return profile
