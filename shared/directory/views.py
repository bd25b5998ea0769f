"""The shared directory: search the profiles of all regions, see a profile, ask for contact."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core import rate_limits
from hub.core.access import coordinator_required
from hub.core.db import db
from hub.core.schemas import load_form
from hub.core.security_headers import sandboxed
from hub.core.tenancy.registry import active_regions
from regions.profiles import pictures
from shared.contacts import services as contacts
from shared.directory.schemas import ContactRequestSchema, DirectoryQuerySchema
from shared.directory.search import DirectoryQuery, Viewer, find_visible_profile, search

bp = Blueprint("directory", __name__, url_prefix="/directory", template_folder="templates")


@bp.get("/")
@login_required
def index():
    """Search the participants of all regions."""
    data, errors = load_form(DirectoryQuerySchema(), request.args)
    query = DirectoryQuery(**(data or {}))
    result = search(Viewer.of(current_user), query)
    return render_template("directory/index.html", result=result, query=query, errors=errors)


def _visible_or_404(profile_id: int):
    profile = find_visible_profile(Viewer.of(current_user), profile_id)
    if profile is None:
        abort(404)
    return profile


@bp.get("/profiles/<int:profile_id>")
@login_required
def profile(profile_id: int):
    """One profile as the viewer may see it."""
    return _profile_page(_visible_or_404(profile_id))


def _profile_page(found, errors=None, form=None, status=200):
    """The profile page, with the contact form (and its errors) where the viewer may ask."""
    return render_template(
        "directory/profile.html",
        profile=found,
        show_contact=contacts.may_see_contact_details(Viewer.of(current_user), found),
        own_profiles=contacts.own_profiles(current_user),
        errors=errors or {},
        form=form or {},
    ), status


@bp.get("/profiles/<int:profile_id>/picture")
@login_required
def picture(profile_id: int):
    """The profile's picture, for those who may see the profile."""
    found = _visible_or_404(profile_id)
    if not found.picture:
        abort(404)
    return sandboxed(send_from_directory(pictures.picture_dir(), found.picture, mimetype="image/jpeg", max_age=3600))


@bp.post("/profiles/<int:profile_id>/contact")
@login_required
@rate_limits.contact_requests_per_person
def contact(profile_id: int):
    """Ask the profile's owner for contact."""
    found = _visible_or_404(profile_id)
    data, errors = load_form(ContactRequestSchema(), request.form)
    if data:
        try:
            contacts.request_contact(
                current_user._get_current_object(), found.id, data["message"], data.get("sender_profile_id")
            )
        except contacts.ContactError as exc:
            errors = {exc.field or "_form": [str(exc.message)]}
        else:
            db.session.commit()
            flash(_("Your contact request has been sent."), "success")
            return redirect(url_for(".profile", profile_id=found.id))
    db.session.rollback()
    return _profile_page(found, errors, request.form, 422)


contacts_bp = Blueprint("contacts", __name__, url_prefix="/contacts", template_folder="templates")


@contacts_bp.get("/")
@login_required
def contact_list():
    """The contact requests one received and sent."""
    received, sent = contacts.requests_of(current_user)
    return render_template("directory/contacts.html", received=received, sent=sent)


@contacts_bp.post("/<int:contact_request_id>/accept")
@login_required
def accept(contact_request_id: int):
    """Accept a contact request: both see each other's contact details."""
    return _decide(contact_request_id, True)


@contacts_bp.post("/<int:contact_request_id>/decline")
@login_required
def decline(contact_request_id: int):
    """Decline a contact request."""
    return _decide(contact_request_id, False)


def _decide(contact_request_id: int, accept: bool):
    if contacts.get_request_for(current_user, contact_request_id) is None:
        abort(404)
    try:
        contacts.decide(current_user._get_current_object(), contact_request_id, accept)
    except contacts.ContactError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for(".contact_list"))
    db.session.commit()
    flash(
        _("Contact accepted: you now see each other's contact details.") if accept else _("Contact request declined."),
        "success",
    )
    return redirect(url_for(".contact_list"))


region_contacts_bp = Blueprint(
    "region_contacts", __name__, url_prefix="/<region>/contacts", template_folder="templates"
)


@region_contacts_bp.get("/")
@coordinator_required
def region_contacts():
    """How many contacts the region's participants have across region borders (numbers, never messages)."""
    counts = contacts.cross_region_counts(g.region.id)
    others = [r for r in active_regions() if r.id != g.region.id]
    return render_template("directory/region_contacts.html", counts=counts, others=others)
