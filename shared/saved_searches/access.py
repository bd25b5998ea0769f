"""Who may see and change a saved search: only the person who saved it; anyone else gets NotFound, as if it did
not exist. What a saved search shows is the directory's rule (shared.directory.search.visible_to)."""

from __future__ import annotations

from hub.core.actions import Actor, NotFound
from shared.saved_searches import services
from shared.saved_searches.models import SavedSearch


def own_search(actor: Actor, saved_search_id: int) -> SavedSearch:
    """One of the actor's own saved searches."""
    found = services.search_of(actor.user, saved_search_id) if actor.user is not None else None
    if found is None:
        raise NotFound()
    return found
