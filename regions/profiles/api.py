"""Profiles in the JSON API: the coordination's tools and the participant's own profile."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint, abort

from hub.core.access import coordinator_required
from hub.core.api_updates import Updates
from hub.core.db import db
from hub.core.roles import Role
from regions.profiles import services
from regions.profiles.schemas import ProfileInputSchema, ProfileSchema

blp = Blueprint("api_profiles", __name__, url_prefix="/api/v1/regions/<region>", description="Profiles of a region")
FULL = ProfileSchema.for_audience("contact", "owner")
MEMBER_ROLES = (Role.PARTICIPANT, Role.COORDINATOR)
UPDATES = Updates(ProfileInputSchema, shown=FULL)


def _service_error(exc: services.ProfileError):
    abort(422, errors={"json": {exc.field or "_schema": [str(exc.message)]}})


def _update(profile, data: dict):
    """Change what differs from the stored profile."""
    try:
        services.update_profile(profile, UPDATES.changes(profile, data), acting_user=current_user._get_current_object())
    except services.ProfileError as exc:
        _service_error(exc)
    db.session.commit()
    return profile


def _own_profile():
    if g.region_role not in MEMBER_ROLES:
        abort(403)
    return services.own_profile(current_user)


@blp.route("/profiles/")
class Profiles(MethodView):
    @blp.response(200, ProfileSchema.for_audience("contact", "owner", many=True))
    @blp.doc(security=[{"bearerAuth": []}])
    @coordinator_required
    def get(self):
        """The region's active profiles (coordination)."""
        return services.list_profiles()

    @blp.arguments(ProfileInputSchema)
    @blp.response(201, FULL)
    @blp.doc(security=[{"bearerAuth": []}])
    @coordinator_required
    def post(self, data):
        """Create a profile kept by the coordination."""
        try:
            profile = services.create_profile(data, acting_user=current_user._get_current_object())
        except services.ProfileError as exc:
            _service_error(exc)
        db.session.commit()
        return profile


@blp.route("/profiles/<int:profile_id>")
class OneProfile(MethodView):
    @blp.response(200, FULL)
    @blp.doc(security=[{"bearerAuth": []}])
    @coordinator_required
    def get(self, profile_id: int):
        """One profile of the region (coordination)."""
        return services.get_profile(profile_id) or abort(404)

    @blp.arguments(UPDATES.replacement)
    @blp.response(200, FULL)
    @blp.doc(security=[{"bearerAuth": []}])
    @coordinator_required
    def put(self, data, profile_id: int):
        """Replace a profile of the region: every writable field is required."""
        return _update(services.get_profile(profile_id) or abort(404), data)

    @blp.arguments(UPDATES.patch)
    @blp.response(200, FULL)
    @blp.doc(security=[{"bearerAuth": []}])
    @coordinator_required
    def patch(self, sent, profile_id: int):
        """Change some fields of a profile; the fields left out keep their values."""
        profile = services.get_profile(profile_id) or abort(404)
        return _update(profile, UPDATES.patched(profile, sent))


@blp.post("/profiles/<int:profile_id>/archive")
@blp.response(200, FULL)
@blp.doc(security=[{"bearerAuth": []}])
@coordinator_required
def archive_profile(profile_id: int):
    """Archive a profile."""
    profile = services.get_profile(profile_id) or abort(404)
    services.archive(profile)
    db.session.commit()
    return profile


@blp.route("/profile")
class OwnProfile(MethodView):
    @blp.response(200, FULL)
    @blp.doc(security=[{"bearerAuth": []}])
    @login_required
    def get(self):
        """The caller's own profile in this region."""
        return _own_profile() or abort(404, message="no profile yet")

    @blp.arguments(UPDATES.replacement)
    @blp.response(200, FULL)
    @blp.doc(security=[{"bearerAuth": []}])
    @login_required
    def put(self, data):
        """Create or replace the caller's own profile in this region: every writable field is required."""
        profile = _own_profile()
        if profile is not None:
            return _update(profile, data)
        user = current_user._get_current_object()
        try:
            profile = services.create_profile(data, user=user, acting_user=user)
        except services.ProfileError as exc:
            _service_error(exc)
        db.session.commit()
        return profile

    @blp.arguments(UPDATES.patch)
    @blp.response(200, FULL)
    @blp.doc(security=[{"bearerAuth": []}])
    @login_required
    def patch(self, sent):
        """Change some fields of the caller's own profile; the fields left out keep their values."""
        profile = _own_profile() or abort(404, message="no profile yet")
        return _update(profile, UPDATES.patched(profile, sent))
