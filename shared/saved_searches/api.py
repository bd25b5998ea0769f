"""Saved searches in the JSON API, with exactly the rules of the pages (shared.saved_searches.actions)."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user, login_required
from flask_smorest import Blueprint

from hub.core.access import personal
from hub.core.actions import Actor
from hub.core.glue import api_action, load
from shared.directory.schemas import DirectoryResultSchema
from shared.directory.search import Viewer, search
from shared.saved_searches import access, actions, services
from shared.saved_searches.schemas import (
    ResultPageSchema,
    SavedSearchInputSchema,
    SavedSearchListSchema,
    SavedSearchSchema,
    SavedSearchUpdateSchema,
)

blp = Blueprint(
    "api_saved_searches",
    __name__,
    url_prefix="/api/v1/directory/saved-searches",
    description="Saved searches of the directory, with a notice when new profiles fit",
)
SECURITY = [{"bearerAuth": []}]


def _own_first(view):
    """404 for a saved search that is not the caller's, before the body is even parsed (nothing to learn)."""

    @wraps(view)
    def wrapped(*args, saved_search_id: int, **kwargs):
        load(access.own_search, Actor.current(), saved_search_id)
        return view(*args, saved_search_id=saved_search_id, **kwargs)

    return wrapped


@blp.get("")
@blp.response(200, SavedSearchListSchema)
@blp.doc(security=SECURITY)
@login_required
def saved_searches():
    """The caller's saved searches, by name, and how many one may keep."""
    return {"limit": services.LIMIT, "saved_searches": services.searches_of(current_user)}


@blp.post("")
@login_required
@personal
@blp.arguments(SavedSearchInputSchema)
@blp.response(201, SavedSearchSchema)
@blp.alt_response(409, description="A saved search of this name was saved at the same moment")
@blp.doc(security=SECURITY)
@api_action
def save_search(data):
    """Save a directory search (``q`` and the directory's filters) under a name, made from the search when
    left out; ``notify`` (default true): a notice when new profiles fit. An unknown filter is refused."""
    return actions.save_search(Actor.current(), **data)


@blp.get("/<int:saved_search_id>")
@blp.response(200, SavedSearchSchema)
@blp.doc(security=SECURITY)
@login_required
def saved_search(saved_search_id: int):
    """One of the caller's saved searches."""
    return load(access.own_search, Actor.current(), saved_search_id)


@blp.patch("/<int:saved_search_id>")
@login_required
@personal
@_own_first
@blp.arguments(SavedSearchUpdateSchema)
@blp.response(200, SavedSearchSchema)
@blp.alt_response(409, description="A saved search of this name was saved at the same moment")
@blp.doc(security=SECURITY)
@api_action
def update_saved_search(data, saved_search_id: int):
    """Rename a saved search (``name``), switch its notice on or off (``notify``), or both."""
    return actions.update_search(Actor.current(), saved_search_id, **data)


@blp.delete("/<int:saved_search_id>")
@login_required
@personal
@blp.response(204)
@blp.doc(security=SECURITY)
@api_action
def delete_saved_search(saved_search_id: int):
    """Delete a saved search."""
    actions.delete_search(Actor.current(), saved_search_id)


@blp.get("/<int:saved_search_id>/results")
@blp.arguments(ResultPageSchema, location="query")
@blp.response(200, DirectoryResultSchema)
@blp.doc(security=SECURITY)
@login_required
def saved_search_results(args, saved_search_id: int):
    """Run a saved search: the directory's answer for its words and filters, as the caller may see it now."""
    found = load(access.own_search, Actor.current(), saved_search_id)
    return search(Viewer.of(current_user), services.query_of(found, **args))
