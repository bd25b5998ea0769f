"""Whom a person may hide or save: a profile they see in the directory that is not their own (the directory's
rule, shared.directory.access). Taking a mark back works also for a profile no longer visible, as long as the
person marked it: anything else answers NotFound, as if it did not exist."""

from __future__ import annotations

from hub.core.actions import Actor, NotFound
from hub.core.schemas import ServiceError, _m
from regions.profiles.models import Profile
from shared.directory.access import visible_profile
from shared.meet import marks


def someone_else(actor: Actor, profile_id: int) -> Profile:
    """A profile the actor sees and that is not theirs."""
    user = actor.require_person()
    profile = visible_profile(actor, profile_id)
    if profile.user_id == user.id:
        raise ServiceError(_m("This is your own profile."))
    return profile


def marked_or_visible(actor: Actor, model, profile_id: int) -> int:
    """The id of a profile the actor marked (hid, saved), or sees: what they may take a mark back from."""
    user = actor.require_person()
    if not marks.is_marked(model, user, profile_id):
        visible_profile(actor, profile_id)
    return profile_id


__all__ = ["NotFound", "marked_or_visible", "someone_else"]
