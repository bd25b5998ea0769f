"""Profiles in the JSON API: the coordination's tools and the participant's own profile.

The coordination keeps every profile of its region (list, create, read, change, archive, make active
again); a member of the region keeps their own at ``/profile``. The rules are the pages' own
(regions/profiles/access.py and actions.py).
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.api_updates import Updates
from hub.core.glue import api_action, load
from regions.profiles import access, actions, services
from regions.profiles.schemas import ProfileFilterSchema, ProfileInputSchema, ProfileSchema

blp = Blueprint("api_profiles", __name__, url_prefix="/api/v1/regions/<region>", description="Profiles of a region")
SECURITY = [{"bearerAuth": []}]
FULL = ProfileSchema.for_audience("contact", "owner")
UPDATES = Updates(ProfileInputSchema, shown=FULL)


def _managed(profile_id: int):
    return load(access.managed_profile, Actor.current(), profile_id)


@blp.route("/profiles/")
class Profiles(MethodView):
    @coordinator_required
    @blp.arguments(ProfileFilterSchema, location="query")
    @blp.response(200, ProfileSchema.for_audience("contact", "owner", many=True))
    @blp.doc(security=SECURITY)
    def get(self, query):
        """The region's profiles (coordination): the active ones, or with `archived=true` the archived ones;
        `q` searches name and e-mail address."""
        return services.list_profiles(archived=query["archived"], q=query["q"])

    @coordinator_required
    @blp.arguments(ProfileInputSchema)
    @blp.response(201, FULL)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data):
        """Create a profile kept by the coordination."""
        return actions.create_profile(Actor.current(), data)


@blp.route("/profiles/<int:profile_id>")
class OneProfile(MethodView):
    @coordinator_required
    @blp.response(200, FULL)
    @blp.doc(security=SECURITY)
    def get(self, profile_id: int):
        """One profile of the region (coordination)."""
        return load(access.readable_profile, Actor.current(), profile_id)

    @coordinator_required
    @blp.arguments(UPDATES.replacement)
    @blp.response(200, FULL)
    @blp.doc(security=SECURITY)
    @api_action
    def put(self, data, profile_id: int):
        """Replace a profile of the region: every writable field is required."""
        changes = UPDATES.changes(_managed(profile_id), data)
        return actions.update_profile(Actor.current(), profile_id, changes)

    @coordinator_required
    @blp.arguments(UPDATES.patch)
    @blp.response(200, FULL)
    @blp.doc(security=SECURITY)
    @api_action
    def patch(self, sent, profile_id: int):
        """Change some fields of a profile; the fields left out keep their values."""
        profile = _managed(profile_id)
        changes = UPDATES.changes(profile, UPDATES.patched(profile, sent))
        return actions.update_profile(Actor.current(), profile_id, changes)


@blp.post("/profiles/<int:profile_id>/archive")
@coordinator_required
@blp.response(200, FULL)
@blp.doc(security=SECURITY)
@api_action
def archive_profile(profile_id: int):
    """Archive a profile: it leaves the directory and the lists."""
    return actions.archive_profile(Actor.current(), profile_id)


@blp.post("/profiles/<int:profile_id>/unarchive")
@coordinator_required
@blp.response(200, FULL)
@blp.doc(security=SECURITY)
@api_action
def unarchive_profile(profile_id: int):
    """Bring an archived profile back into the directory and the lists."""
    return actions.unarchive_profile(Actor.current(), profile_id)


@blp.route("/profile")
class OwnProfile(MethodView):
    @access.holders_only
    @blp.response(200, FULL)
    @blp.doc(security=SECURITY)
    def get(self):
        """The caller's own profile in this region (404 before they made one)."""
        return load(access.existing_own_profile, Actor.current())

    @access.holders_only
    @blp.arguments(UPDATES.replacement)
    @blp.response(200, FULL)
    @blp.doc(security=SECURITY)
    @api_action
    def put(self, data):
        """Create or replace the caller's own profile in this region: every writable field is required."""
        profile = access.own_profile(Actor.current())
        return actions.save_own_profile(Actor.current(), UPDATES.changes(profile, data) if profile else data)

    @access.holders_only
    @blp.arguments(UPDATES.patch)
    @blp.response(200, FULL)
    @blp.doc(security=SECURITY)
    @api_action
    def patch(self, sent):
        """Change some fields of the caller's own profile; the fields left out keep their values."""
        profile = access.existing_own_profile(Actor.current())
        changes = UPDATES.changes(profile, UPDATES.patched(profile, sent))
        return actions.save_own_profile(Actor.current(), changes)
