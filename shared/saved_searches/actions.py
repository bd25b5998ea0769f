"""Everything that changes a saved search, written once for the pages and the API.

Each action takes plain values and the acting person, finds the search through ``access`` (only one's own) and
raises ``ServiceError``; none commits (hub.core.glue does). A person keeps at most ``services.LIMIT`` searches,
each under a name of its own (case does not count); a name taken at the same moment is the database's unique
constraint, which the glue answers as a conflict (409).
"""

from __future__ import annotations

from sqlalchemy import delete

from hub.core.actions import Actor
from hub.core.db import db, utcnow
from hub.core.schemas import ServiceError, _m
from shared.saved_searches import access, services
from shared.saved_searches.models import SavedSearch, SavedSearchHit


def save_search(actor: Actor, *, name: str | None = None, notify: bool = True, **query) -> SavedSearch:
    """Keep the search (its words and filters as the directory's schema loaded them) under a name; without one,
    the name is made from the search. The profiles that fit now are noted: only new ones are announced."""
    user = actor.require_person()
    regions = services.active_regions()
    kept = services.kept_query(query, regions)
    name = (name or "").strip() or services.default_name(kept, regions)
    if services.count_of(user) >= services.LIMIT:
        raise ServiceError(
            _m("You keep {limit} saved searches already, the most there may be. Delete one first.").format(
                limit=services.LIMIT
            )
        )
    if services.name_taken(user, name):
        raise ServiceError(_m("You have a saved search of this name already. Please choose another name."), "name")
    twin = services.same_search(user, kept)
    if twin is not None:
        raise ServiceError(_m("You saved this search already, as „{name}“.").format(name=twin.name))
    search = SavedSearch(user_id=user.id, name=name, query=kept, notify=notify)
    db.session.add(search)
    db.session.flush()
    services.record_baseline(search, user)
    return search


def update_search(actor: Actor, saved_search_id: int, *, name: str | None = None, notify: bool | None = None):
    """Rename a saved search, switch its notice on or off, or both."""
    search = access.own_search(actor, saved_search_id)
    if name is not None:
        name = name.strip()
        if not name:
            raise ServiceError(_m("Please enter a name."), "name")
        if services.name_taken(actor.user, name, but=search.id):
            raise ServiceError(_m("You have a saved search of this name already. Please choose another name."), "name")
        search.name = name
    if notify is not None:
        if notify and not search.notify:
            # The notice counts from now on: what fits now, and came while it was off, is no news.
            search.checked_at = utcnow()
            services.record_baseline(search, actor.user)
        search.notify = notify
    return search


def delete_search(actor: Actor, saved_search_id: int) -> None:
    """Delete a saved search (and what it noted)."""
    search = access.own_search(actor, saved_search_id)
    db.session.execute(delete(SavedSearchHit).where(SavedSearchHit.saved_search_id == search.id))
    db.session.delete(search)
