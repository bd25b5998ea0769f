"""Contact requests' pages: asking on a profile's page in the directory, one's received and sent requests with
their answers, and the coordination's numbers per other region."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core import rate_limits
from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import Confirmation, load, page_action
from hub.core.tenancy.registry import active_regions
from shared.contacts import access, actions, services
from shared.contacts.models import ContactStatus
from shared.contacts.schemas import ContactRequestSchema
from shared.directory.access import visible_profile

# The form to ask sits on a profile's page of the directory, so it answers at the profile's address.
contacts_bp = Blueprint("contacts", __name__, template_folder="templates")


@contacts_bp.app_template_global()
def contact_request_between(profile):
    """For a profile's page: the viewer's accepted or open contact request with this profile, or None (then the
    page offers to ask; an open one says so instead)."""
    if not current_user.is_authenticated or profile.user_id == current_user.id:
        return None
    return services.request_between(current_user, profile)


@contacts_bp.post("/directory/profiles/<int:profile_id>/contact")
@login_required
@rate_limits.contact_requests_per_person
def ask(profile_id: int):
    """Ask the owner of a profile one sees for contact (every attempt counts towards one's limit)."""
    found = load(visible_profile, Actor.current(), profile_id)
    return page_action(
        lambda data: actions.request_contact(Actor.current(), profile_id, **data),
        schema=ContactRequestSchema(),
        refused=lambda errors: render_template(
            "directory/profile.html", profile=found, errors=errors, form=request.form
        ),
        message=_("Your contact request has been sent."),
        done=url_for("directory.profile", profile_id=profile_id),
    )


def _profile_page(profile, errors: dict):
    """The directory's page of the profile again, with the form's errors and what was typed."""
    return render_template("directory/profile.html", profile=profile, errors=errors, form=request.form)


@contacts_bp.get("/contacts/")
@login_required
def contact_list():
    """The contact requests one received and sent."""
    received, sent = services.requests_of(current_user)
    return render_template("contacts/contacts.html", received=received, sent=sent)


@contacts_bp.post("/contacts/<int:contact_request_id>/accept")
@login_required
def accept(contact_request_id: int):
    """Accept a contact request: both see each other's contact details."""
    return _answer(contact_request_id, True, _("Contact accepted: you now see each other's contact details."))


@contacts_bp.post("/contacts/<int:contact_request_id>/decline")
@login_required
def decline(contact_request_id: int):
    """Decline a contact request."""
    return _answer(contact_request_id, False, _("Contact request declined."), confirm=_decline_question)


def _decline_question(contact_request_id: int) -> Confirmation | None:
    contact = load(access.own_request, Actor.current(), contact_request_id)
    if contact.status != ContactStatus.PENDING or contact.recipient.user_id != current_user.id:
        return None  # not for this person to answer (any more): the action says why
    return Confirmation(
        _("Decline the contact request of %(name)s?", name=contact.sender.display_name),
        _("This is your answer for good: you cannot accept the request later."),
        _("Yes, decline"),
    )


def _answer(contact_request_id: int, accept: bool, message: str, confirm=None):
    back = url_for(".contact_list")
    return page_action(
        lambda data: actions.answer(Actor.current(), contact_request_id, accept),
        refused=back,
        message=message,
        done=back,
        confirm=(lambda data: confirm(contact_request_id)) if confirm else None,
    )


region_contacts_bp = Blueprint(
    "region_contacts", __name__, url_prefix="/<region>/contacts", template_folder="templates"
)


@region_contacts_bp.get("/")
@coordinator_required
def region_contacts():
    """How many contacts the region's participants have across region borders (numbers, never messages)."""
    counts = services.cross_region_counts(g.region.id)
    others = [r for r in active_regions() if r.id != g.region.id]
    return render_template("contacts/region_contacts.html", counts=counts, others=others)
