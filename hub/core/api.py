"""The JSON API at /api/v1: OpenAPI document, self-hosted docs, and the framework's own endpoints (regions,
the current user); every feature brings its own API blueprints (``Feature(api=...)``)."""

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
    """Register the framework's API blueprint and the docs page; the features' follow (hub.core.features)."""
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(blp)
    app.register_blueprint(docs)
