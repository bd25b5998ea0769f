"""The shared directory: search the profiles of all regions, see a profile, ask for contact.

Asking for contact is the contacts feature's action (shared.contacts.actions); its form lives on the
profile page, so the page's answer to it is here. The contact requests' own pages are shared.contacts.views.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core import rate_limits
from hub.core.actions import Actor
from hub.core.glue import load, page_action
from hub.core.schemas import load_form
from hub.core.security_headers import sandboxed
from regions.profiles import pictures
from shared.contacts import actions as contact_actions
from shared.contacts import services as contacts
from shared.contacts.schemas import ContactRequestSchema
from shared.directory import access
from shared.directory.schemas import DirectoryQuerySchema
from shared.directory.search import DirectoryQuery, Viewer, search

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
    return load(access.visible_profile, Actor.current(), profile_id)


@bp.get("/profiles/<int:profile_id>")
@login_required
def profile(profile_id: int):
    """One profile as the viewer may see it."""
    return _profile_page(_visible_or_404(profile_id))


def _profile_page(found, errors=None, form=None):
    """The profile page, with the contact form (and its errors) where the viewer may ask."""
    return render_template(
        "directory/profile.html",
        profile=found,
        show_contact=contacts.may_see_contact_details(Viewer.of(current_user), found),
        own_profiles=contacts.own_profiles(current_user),
        errors=errors or {},
        form=form or {},
    )


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
    return page_action(
        lambda data: contact_actions.request_contact(Actor.current(), profile_id, **data),
        schema=ContactRequestSchema(),
        refused=lambda errors: _profile_page(found, errors, request.form),
        message=_("Your contact request has been sent."),
        done=url_for(".profile", profile_id=profile_id),
    )
