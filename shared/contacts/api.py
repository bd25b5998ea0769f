"""Contact requests in the JSON API, with exactly the rules of the pages (shared.contacts.actions)."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user, login_required
from flask_smorest import Blueprint

from hub.core import rate_limits
from hub.core.actions import Actor
from hub.core.glue import api_action, load
from shared.contacts import actions, services
from shared.contacts.schemas import ContactListSchema, ContactRequestOutSchema, ContactRequestSchema
from shared.directory.access import visible_profile

blp = Blueprint("api_contacts", __name__, url_prefix="/api/v1", description="Contact requests between participants")
SECURITY = [{"bearerAuth": []}]


def _visible_profile_first(view):
    """404 for a profile the caller may not see, before the body is even parsed (nothing to learn)."""

    @wraps(view)
    def wrapped(*args, profile_id: int, **kwargs):
        load(visible_profile, Actor.current(), profile_id)
        return view(*args, profile_id=profile_id, **kwargs)

    return wrapped


@blp.post("/directory/profiles/<int:profile_id>/contact-requests")
@login_required
@rate_limits.contact_requests_per_person
@_visible_profile_first
@blp.arguments(ContactRequestSchema)
@blp.response(201, ContactRequestOutSchema)
@blp.doc(security=SECURITY)
@api_action
def request_contact(data, profile_id: int):
    """Ask the owner of a visible profile for contact (every attempt counts towards the person's limit)."""
    return actions.request_contact(Actor.current(), profile_id, **data)


@blp.get("/contact-requests")
@blp.response(200, ContactListSchema)
@blp.doc(security=SECURITY)
@login_required
def contact_requests():
    """The caller's received and sent contact requests."""
    received, sent = services.requests_of(current_user)
    return {"received": received, "sent": sent}


@blp.post("/contact-requests/<int:contact_request_id>/accept")
@login_required
@blp.response(200, ContactRequestOutSchema)
@blp.doc(security=SECURITY)
@api_action
def accept_contact(contact_request_id: int):
    """Accept a contact request addressed to the caller: both then see each other's contact details."""
    return actions.answer(Actor.current(), contact_request_id, True)


@blp.post("/contact-requests/<int:contact_request_id>/decline")
@login_required
@blp.response(200, ContactRequestOutSchema)
@blp.doc(security=SECURITY)
@api_action
def decline_contact(contact_request_id: int):
    """Decline a contact request addressed to the caller."""
    return actions.answer(Actor.current(), contact_request_id, False)
