"""The shared directory in the JSON API, with exactly the rules of the pages (contact requests: shared.contacts.api)."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from hub.core.actions import Actor
from hub.core.glue import load
from regions.profiles.schemas import ProfileSchema
from shared.directory import access
from shared.directory.schemas import DirectoryQuerySchema, DirectoryResultSchema
from shared.directory.search import DirectoryQuery, Viewer, search

blp = Blueprint("api_directory", __name__, url_prefix="/api/v1", description="The shared directory")
SECURITY = [{"bearerAuth": []}]


@blp.get("/directory")
@blp.arguments(DirectoryQuerySchema, location="query")
@blp.response(200, DirectoryResultSchema)
@blp.doc(security=SECURITY)
@login_required
def directory(args):
    """Search the profiles of all regions that the caller may see; facets with counts."""
    return search(Viewer.of(current_user), DirectoryQuery(**args))


@blp.get("/directory/profiles/<int:profile_id>")
@blp.response(200, ProfileSchema)
@blp.doc(security=SECURITY)
@login_required
def directory_profile(profile_id: int):
    """One visible profile; contact details only where the caller may see them."""
    profile = load(access.visible_profile, Actor.current(), profile_id)
    audiences = ("contact",) if access.may_see_contact_details(Viewer.of(current_user), profile) else ()
    return jsonify(ProfileSchema.for_audience(*audiences).dump(profile))
