"""People to meet and favourites in the JSON API, with exactly the rules of the pages (shared.meet.actions)."""

from __future__ import annotations

from flask_login import current_user, login_required
from flask_smorest import Blueprint

from hub.core.actions import Actor
from hub.core.glue import api_action
from shared.directory.search import Viewer
from shared.meet import actions, marks, services
from shared.meet.schemas import MarkedPageSchema, MarkSchema, PageQuerySchema, PeoplePageSchema

blp = Blueprint(
    "api_meet", __name__, url_prefix="/api/v1", description="People to meet across the regions, and favourites"
)
SECURITY = [{"bearerAuth": []}]
NOT_FOUND = {"description": "No such profile, or not visible to you."}


def _page(found) -> dict:
    return {"items": found.items, "page": found.page, "pages": found.pages, "total": found.total}


def _marked(found) -> dict:
    return {**_page(found), "items": [{"profile": p, "at": at} for p, at in found.items]}


@blp.get("/people-to-meet")
@login_required
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, PeoplePageSchema)
@blp.doc(security=SECURITY)
def people_to_meet(args):
    """The people of all regions that fit the caller's offers and needs, best first, each with its reasons."""
    services.ensure(Viewer.of(current_user))
    return _page(services.page_of(Viewer.of(current_user), args["page"]))


@blp.get("/people-to-meet/hidden")
@login_required
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, MarkedPageSchema)
@blp.doc(security=SECURITY)
def hidden_people(args):
    """The people the caller hid from their suggestions, newest first."""
    return _marked(marks.hidden_people(Viewer.of(current_user), args["page"]))


@blp.put("/people-to-meet/hidden/<int:profile_id>")
@login_required
@blp.response(200, MarkSchema)
@blp.alt_response(404, description=NOT_FOUND["description"])
@blp.doc(security=SECURITY)
@api_action
def hide_person(profile_id: int):
    """Never suggest this person to the caller again (until undone)."""
    actions.hide_person(Actor.current(), profile_id)
    return {"profile_id": profile_id, "marked": True}


@blp.delete("/people-to-meet/hidden/<int:profile_id>")
@login_required
@blp.response(200, MarkSchema)
@blp.alt_response(404, description=NOT_FOUND["description"])
@blp.doc(security=SECURITY)
@api_action
def unhide_person(profile_id: int):
    """Suggest this person again."""
    actions.unhide_person(Actor.current(), profile_id)
    return {"profile_id": profile_id, "marked": False}


@blp.get("/favourites")
@login_required
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, MarkedPageSchema)
@blp.doc(security=SECURITY)
def favourites(args):
    """The people the caller saved that they may still see, newest first."""
    return _marked(marks.saved_people(Viewer.of(current_user), args["page"]))


@blp.put("/favourites/<int:profile_id>")
@login_required
@blp.response(200, MarkSchema)
@blp.alt_response(404, description=NOT_FOUND["description"])
@blp.doc(security=SECURITY)
@api_action
def save_person(profile_id: int):
    """Save a person the caller sees as a favourite."""
    actions.save_person(Actor.current(), profile_id)
    return {"profile_id": profile_id, "marked": True}


@blp.delete("/favourites/<int:profile_id>")
@login_required
@blp.response(200, MarkSchema)
@blp.alt_response(404, description=NOT_FOUND["description"])
@blp.doc(security=SECURITY)
@api_action
def unsave_person(profile_id: int):
    """Remove a person from the caller's favourites."""
    actions.unsave_person(Actor.current(), profile_id)
    return {"profile_id": profile_id, "marked": False}
