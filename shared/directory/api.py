"""The directory and contact requests in the JSON API, with exactly the rules of the pages."""

from __future__ import annotations

from functools import wraps

from flask import current_app, jsonify
from flask_login import current_user, login_required
from flask_smorest import Blueprint, abort
from marshmallow import fields

from hub.core import rate_limits
from hub.core.db import db
from hub.core.schemas import BaseSchema
from regions.profiles.schemas import ProfileSchema
from shared.contacts import services as contacts
from shared.directory.schemas import ContactRequestSchema, DirectoryQuerySchema
from shared.directory.search import DirectoryQuery, Viewer, find_visible_profile, search

blp = Blueprint("api_directory", __name__, url_prefix="/api/v1", description="The shared directory and contacts")
SECURITY = [{"bearerAuth": []}]


class FacetValueSchema(BaseSchema):
    value = fields.String()
    label = fields.String()
    count = fields.Integer()
    selected = fields.Boolean()


class DirectoryResultSchema(BaseSchema):
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()
    results = fields.List(fields.Nested(ProfileSchema.for_audience()), attribute="profiles")
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))


class ContactRequestOutSchema(BaseSchema):
    id = fields.Integer()
    status = fields.Function(lambda c: c.status.value)
    message = fields.String()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    sender = fields.Nested(ProfileSchema.for_audience())
    recipient = fields.Nested(ProfileSchema.for_audience())


class ContactListSchema(BaseSchema):
    received = fields.List(fields.Nested(ContactRequestOutSchema))
    sent = fields.List(fields.Nested(ContactRequestOutSchema))


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
    viewer = Viewer.of(current_user)
    profile = find_visible_profile(viewer, profile_id) or abort(404)
    audiences = ("contact",) if contacts.may_see_contact_details(viewer, profile) else ()
    return jsonify(ProfileSchema.for_audience(*audiences).dump(profile))


def _visible_profile_first(view):
    """404 for a profile the caller may not see, before the body is even parsed (nothing to learn)."""

    @wraps(view)
    def wrapped(*args, profile_id: int, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if find_visible_profile(Viewer.of(current_user), profile_id) is None:
            abort(404)
        return view(*args, profile_id=profile_id, **kwargs)

    return wrapped


@blp.post("/directory/profiles/<int:profile_id>/contact-requests")
@_visible_profile_first
@blp.arguments(ContactRequestSchema)
@blp.response(201, ContactRequestOutSchema)
@blp.doc(security=SECURITY)
@login_required
@rate_limits.contact_requests_per_person
def request_contact(data, profile_id: int):
    """Ask the owner of a visible profile for contact."""
    try:
        contact = contacts.request_contact(
            current_user._get_current_object(), profile_id, data["message"], data.get("sender_profile_id")
        )
    except contacts.ContactError as exc:
        abort(422, errors={"json": {exc.field or "_schema": [str(exc.message)]}})
    db.session.commit()
    return contact


@blp.get("/contact-requests")
@blp.response(200, ContactListSchema)
@blp.doc(security=SECURITY)
@login_required
def contact_requests():
    """The caller's received and sent contact requests."""
    received, sent = contacts.requests_of(current_user)
    return {"received": received, "sent": sent}


def _decide(contact_request_id: int, accept: bool):
    if contacts.get_request_for(current_user, contact_request_id) is None:
        abort(404)
    try:
        contact = contacts.decide(current_user._get_current_object(), contact_request_id, accept)
    except contacts.ContactError as exc:
        abort(422, errors={"json": {"_schema": [str(exc.message)]}})
    db.session.commit()
    return contact


@blp.post("/contact-requests/<int:contact_request_id>/accept")
@blp.response(200, ContactRequestOutSchema)
@blp.doc(security=SECURITY)
@login_required
def accept_contact(contact_request_id: int):
    """Accept a contact request addressed to the caller."""
    return _decide(contact_request_id, True)


@blp.post("/contact-requests/<int:contact_request_id>/decline")
@blp.response(200, ContactRequestOutSchema)
@blp.doc(security=SECURITY)
@login_required
def decline_contact(contact_request_id: int):
    """Decline a contact request addressed to the caller."""
    return _decide(contact_request_id, False)
