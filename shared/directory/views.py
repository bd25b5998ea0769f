"""The shared directory: search the profiles of all regions, see a profile (and its picture).

A profile's page also offers to ask for contact: the form's answer is the contacts' page
(shared.contacts.views.ask), which shows this page again with the form's errors.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from hub.core import storage
from hub.core.access import login_reason
from hub.core.actions import Actor
from hub.core.glue import load
from hub.core.schemas import load_form
from hub.core.security_headers import sandboxed
from regions.profiles import pictures
from shared.directory import access
from shared.directory.schemas import DirectoryQuerySchema
from shared.directory.search import DirectoryQuery, Viewer, find_visible_profile, search

bp = Blueprint("directory", __name__, url_prefix="/directory", template_folder="templates")

FOR_MEMBERS = _l(
    "The directory is for members of the network: log in to find creatives and organisations of all four "
    "regions. No account yet? Request access to a regional network below."
)


@bp.app_template_global()
def contact_details_shown(profile) -> bool:
    """For a profile's page: whether the viewer sees its e-mail address and phone."""
    return access.may_see_contact_details(Viewer.of(current_user), profile)


@bp.app_template_global()
def profile_shown(profile) -> bool:
    """For pages that name a person (a match's team): whether the viewer may open their profile and picture."""
    return find_visible_profile(Viewer.of(current_user), profile.id) is not None


@bp.app_template_global()
def viewers_own_profiles() -> list:
    """For a profile's page: the viewer's own profiles, as whom they may ask for contact."""
    return access.own_profiles(current_user)


@bp.get("/")
@login_reason(FOR_MEMBERS)
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
@login_reason(FOR_MEMBERS)
@login_required
def profile(profile_id: int):
    """One profile as the viewer may see it, with the contact form where they may ask."""
    return render_template("directory/profile.html", profile=_visible_or_404(profile_id), errors={}, form={})


@bp.get("/profiles/<int:profile_id>/picture")
@login_required
def picture(profile_id: int):
    """The profile's picture, for those who may see the profile."""
    found = _visible_or_404(profile_id)
    if not found.picture:
        abort(404)
    response = storage.send(pictures.picture_key(found.picture), mimetype="image/jpeg", max_age=3600)
    if response is None:
        abort(404)
    return sandboxed(response)
