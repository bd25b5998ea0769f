"""Profiles inside a region: the participant's own profile and the coordination's profile tools."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import Confirmation, load, page_action
from hub.core.schemas import load_buttons
from hub.privacy.legal import consent_version
from regions.profiles import access, actions, services, vocab
from regions.profiles.schemas import PictureChoiceSchema, ProfileInputSchema

bp = Blueprint("profiles", __name__, template_folder="templates")


@bp.app_context_processor
def _vocabularies():
    return {
        "KIND_LABELS": vocab.KIND_LABELS,
        "SUBMARKETS": vocab.SUBMARKETS,
        "LANGUAGES": vocab.LANGUAGES,
        "VISIBILITY_LABELS": vocab.VISIBILITY_LABELS,
        "CONTACT_VISIBILITY_LABELS": vocab.CONTACT_VISIBILITY_LABELS,
        "CONSENT_TEXT": vocab.CONSENT_TEXT,
        "CONSENT_VERSION": consent_version(),
    }


def _form(template, profile, errors, **context):
    values = request.form if request.method == "POST" else None
    return render_template(template, profile=profile, errors=errors, values=values, **context)


def _picture() -> dict:
    """The form's picture: a new upload, or the box to take the current one away."""
    remove = load_buttons(PictureChoiceSchema(), request.form)["remove_picture"]
    return {"picture": request.files.get("picture"), "remove_picture": remove}


@bp.route("/profile", methods=["GET", "POST"])
@access.holders_only
def own():
    """The participant's own profile in this region: create it or change it."""
    profile = load(access.own_profile, Actor.current())
    if request.method == "GET":
        return _form("profiles/own.html", profile, {})
    picture = _picture()
    return page_action(
        lambda data: actions.save_own_profile(Actor.current(), data, **picture),
        schema=ProfileInputSchema(),
        refused=lambda errors: _form("profiles/own.html", profile, errors),
        message=_("Your profile has been saved."),
        done=url_for(".own"),
    )


@bp.get("/profiles/")
@coordinator_required
def index():
    """The region's profiles, for the coordination."""
    archived = request.args.get("archived") == "1"
    q = request.args.get("q", "")[:100]
    return render_template(
        "profiles/index.html",
        profiles=services.list_profiles(archived=archived, q=q),
        archived=archived,
        q=q,
        withdrawn=services.count_withdrawn(),
    )


@bp.route("/profiles/new", methods=["GET", "POST"])
@coordinator_required
def new():
    """A profile kept by the coordination (also for people without an account)."""
    if request.method == "GET":
        return _form("profiles/edit.html", None, {})
    picture = _picture()["picture"]
    return page_action(
        lambda data: actions.create_profile(Actor.current(), data, picture=picture),
        schema=ProfileInputSchema(),
        refused=lambda errors: _form("profiles/edit.html", None, errors),
        message=_("The profile has been created."),
        done=url_for(".index"),
    )


@bp.route("/profiles/<int:profile_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(profile_id: int):
    """Change any profile of the region."""
    profile = load(access.readable_profile, Actor.current(), profile_id)
    if request.method == "GET":
        return _form("profiles/edit.html", profile, {}, history=services.consent_history(profile))
    picture = _picture()
    return page_action(
        lambda data: actions.update_profile(Actor.current(), profile_id, data, **picture),
        schema=ProfileInputSchema(),
        refused=lambda errors: _form("profiles/edit.html", profile, errors),
        message=_("The profile has been saved."),
        done=url_for(".index"),
    )


@bp.post("/profiles/<int:profile_id>/archive")
@coordinator_required
def archive(profile_id: int):
    """Archive a profile: it leaves the directory and the lists."""
    profile = load(access.managed_profile, Actor.current(), profile_id)
    return page_action(
        lambda data: actions.archive_profile(Actor.current(), profile_id),
        refused=url_for(".index"),
        message=_("The profile has been archived."),
        done=url_for(".index"),
        confirm=None  # archived already: nothing changes
        if profile.archived_at
        else Confirmation(
            _("Archive the profile “%(name)s”?", name=profile.display_name),
            _(
                "It leaves the directory, the lists and the choices of matches and speed-dating. You can bring it "
                "back from the archived profiles."
            ),
            _("Yes, archive"),
        ),
    )


@bp.post("/profiles/<int:profile_id>/unarchive")
@coordinator_required
def unarchive(profile_id: int):
    """Bring an archived profile back."""
    return page_action(
        lambda data: actions.unarchive_profile(Actor.current(), profile_id),
        refused=url_for(".index", archived=1),
        message=_("The profile is active again."),
        done=url_for(".index", archived=1),
    )
