"""Everything that changes a person's suggestions and favourites, once for the pages and the API.

Each action takes the acting person and a profile's id, checks through ``shared.meet.access`` that they may
(a profile they see, not their own) and changes only their own marks; none commits (hub.core.glue does).
Hiding and saving twice, or taking back a mark that is not there, changes nothing and is no error.
"""

from __future__ import annotations

from hub.core.actions import Actor
from shared.meet import access, marks
from shared.meet.models import HiddenPerson, SavedPerson


def hide_person(actor: Actor, profile_id: int) -> HiddenPerson:
    """Never suggest this person to the actor again (until undone)."""
    profile = access.someone_else(actor, profile_id)
    return marks.hide(actor.user, profile)


def unhide_person(actor: Actor, profile_id: int) -> None:
    """Suggest this person again."""
    marks.unhide(actor.user, access.marked_or_visible(actor, HiddenPerson, profile_id))


def save_person(actor: Actor, profile_id: int) -> SavedPerson:
    """Save this person as a favourite."""
    profile = access.someone_else(actor, profile_id)
    return marks.save(actor.user, profile)


def unsave_person(actor: Actor, profile_id: int) -> None:
    """Remove this person from the favourites."""
    marks.unsave(actor.user, access.marked_or_visible(actor, SavedPerson, profile_id))
