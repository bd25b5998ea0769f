"""The JSON API at /api/v1: OpenAPI document, self-hosted docs, and the hub's own endpoints."""

from __future__ import annotations

from flask import Blueprint, render_template, send_from_directory
from flask_login import current_user, login_required
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import fields
from swagger_ui_bundle import swagger_ui_path

from hub.core.access import public
from hub.core.schemas import BaseSchema
from hub.core.tenancy.registry import active_regions

blp = ApiBlueprint("api_core", __name__, url_prefix="/api/v1", description="Regions and the current user")
docs = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")


class RegionSchema(BaseSchema):
    slug = fields.String(dump_only=True, metadata={"example": "erzgebirge"})
    name = fields.String(dump_only=True)
    organisation = fields.String(dump_only=True)
    supporters = fields.List(fields.String(), dump_only=True)
    contact_email = fields.String(dump_only=True)
    town = fields.String(dump_only=True)
    accent_color = fields.String(dump_only=True)


class MembershipSchema(BaseSchema):
    region = fields.Function(lambda m: m.region.slug, dump_only=True)
    role = fields.Function(lambda m: m.role.value, dump_only=True)


class MeSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    locale = fields.String(dump_only=True, allow_none=True)
    global_role = fields.Function(lambda u: u.global_role.value if u.global_role else None, dump_only=True)
    memberships = fields.List(fields.Nested(MembershipSchema), dump_only=True)


@blp.get("/regions")
@blp.response(200, RegionSchema(many=True))
@public
def list_regions():
    """The regional networks of the hub."""
    return active_regions()


@blp.get("/me")
@blp.response(200, MeSchema)
@blp.doc(security=[{"bearerAuth": []}])
@login_required
def me():
    """The authenticated user with their roles per region."""
    return current_user._get_current_object()


@docs.get("/")
@public
def docs_page():
    """Self-hosted API documentation (Swagger UI, no CDN)."""
    return render_template("api/docs.html")


@docs.get("/assets/<path:filename>")
@public
def docs_asset(filename: str):
    """Swagger UI's files, served from the swagger-ui-bundle package."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


def register(api, app) -> None:
    """Register every API blueprint of the hub and its features, and the docs page."""
    from hub.audit.api import blp as audit_blp
    from hub.cohorts.api import blp as cohorts_blp
    from hub.notifications.api import blp as notifications_blp
    from hub.privacy.api import blp as privacy_blp
    from regions.events.api import blp as events_blp
    from regions.matches.api import blp as matches_blp
    from regions.matches.api import suggestions_blp as match_suggestions_blp
    from regions.members.api import blp as members_blp
    from regions.profiles.api import blp as profiles_blp
    from regions.speeddating.api import blp as speeddating_blp
    from shared.calendar.api import blp as calendar_blp
    from shared.contacts.api import blp as contacts_blp
    from shared.directory.api import blp as directory_blp
    from shared.reports.api import blp as kpis_blp

    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(blp)
    api.register_blueprint(members_blp)
    api.register_blueprint(profiles_blp)
    api.register_blueprint(events_blp)
    api.register_blueprint(directory_blp)
    api.register_blueprint(contacts_blp)
    api.register_blueprint(calendar_blp)
    api.register_blueprint(cohorts_blp)
    api.register_blueprint(audit_blp)
    api.register_blueprint(speeddating_blp)
    api.register_blueprint(match_suggestions_blp)
    api.register_blueprint(matches_blp)
    api.register_blueprint(kpis_blp)
    api.register_blueprint(notifications_blp)
    api.register_blueprint(privacy_blp)
    app.register_blueprint(docs)
