"""Contact requests' pages: one's received and sent requests with their answers, and the coordination's numbers.

Asking is done on a profile's page in the directory (shared.directory.views.contact), through the same
action (shared.contacts.actions).
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import page_action
from hub.core.tenancy.registry import active_regions
from shared.contacts import actions, services

contacts_bp = Blueprint("contacts", __name__, url_prefix="/contacts", template_folder="templates")


@contacts_bp.get("/")
@login_required
def contact_list():
    """The contact requests one received and sent."""
    received, sent = services.requests_of(current_user)
    return render_template("contacts/contacts.html", received=received, sent=sent)


@contacts_bp.post("/<int:contact_request_id>/accept")
@login_required
def accept(contact_request_id: int):
    """Accept a contact request: both see each other's contact details."""
    return _answer(contact_request_id, True, _("Contact accepted: you now see each other's contact details."))


@contacts_bp.post("/<int:contact_request_id>/decline")
@login_required
def decline(contact_request_id: int):
    """Decline a contact request."""
    return _answer(contact_request_id, False, _("Contact request declined."))


def _answer(contact_request_id: int, accept: bool, message: str):
    back = url_for(".contact_list")
    return page_action(
        lambda data: actions.answer(Actor.current(), contact_request_id, accept),
        refused=back,
        message=message,
        done=back,
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
