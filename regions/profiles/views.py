"""Profiles inside a region: the participant's own profile and the coordination's profile tools."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core.access import coordinator_required
from hub.core.db import db
from hub.core.roles import Role
from hub.core.schemas import load_buttons, load_form
from hub.privacy.legal import consent_version
from regions.profiles import pictures, services, vocab
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


def _save(profile, *, user=None):
    """Validate the submitted form and create or update; returns (profile, errors)."""
    remove_picture = load_buttons(PictureChoiceSchema(), request.form)["remove_picture"]
    data, errors = load_form(ProfileInputSchema(), request.form)
    upload = request.files.get("picture")
    new_picture = None
    if data and upload and upload.filename:
        try:
            new_picture = pictures.store_picture(upload.stream)
        except pictures.PictureError as exc:
            errors = {"picture": [str(exc.args[0])]}
            data = None
    if not data:
        return None, errors
    acting = current_user._get_current_object()
    try:
        if profile is None:
            profile = services.create_profile(data, user=user, acting_user=acting)
        else:
            services.update_profile(profile, data, acting_user=acting)
    except services.ProfileError as exc:
        pictures.remove_picture(new_picture)
        return None, {exc.field or "_form": [str(exc.message)]}
    if new_picture:
        pictures.remove_picture(profile.picture)
        profile.picture = new_picture
    elif remove_picture:
        pictures.remove_picture(profile.picture)
        profile.picture = None
    return profile, {}


def _form(template, profile, errors, status=200, **context):
    values = request.form if request.method == "POST" else None
    return render_template(template, profile=profile, errors=errors, values=values, **context), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def own():
    """The participant's own profile in this region: create it or change it."""
    if g.region_role not in (Role.PARTICIPANT, Role.COORDINATOR):
        abort(403)  # profiles belong to members; the umbrella and admins hold none
    profile = services.own_profile(current_user)
    if request.method == "POST":
        saved, errors = _save(profile, user=current_user._get_current_object())
        if saved:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for(".own"))
        db.session.rollback()
        return _form("profiles/own.html", profile, errors, 422)
    return _form("profiles/own.html", profile, {})


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
    if request.method == "POST":
        saved, errors = _save(None)
        if saved:
            db.session.commit()
            flash(_("The profile has been created."), "success")
            return redirect(url_for(".index"))
        db.session.rollback()
        return _form("profiles/edit.html", None, errors, 422)
    return _form("profiles/edit.html", None, {})


@bp.route("/profiles/<int:profile_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(profile_id: int):
    """Change any profile of the region."""
    profile = services.get_profile(profile_id) or abort(404)
    if request.method == "POST":
        saved, errors = _save(profile)
        if saved:
            db.session.commit()
            flash(_("The profile has been saved."), "success")
            return redirect(url_for(".index"))
        db.session.rollback()
        return _form("profiles/edit.html", profile, errors, 422)
    return _form("profiles/edit.html", profile, {}, history=services.consent_history(profile))


@bp.post("/profiles/<int:profile_id>/archive")
@coordinator_required
def archive(profile_id: int):
    """Archive a profile: it leaves the directory and the lists."""
    profile = services.get_profile(profile_id) or abort(404)
    services.archive(profile)
    db.session.commit()
    flash(_("The profile has been archived."), "success")
    return redirect(url_for(".index"))


@bp.post("/profiles/<int:profile_id>/unarchive")
@coordinator_required
def unarchive(profile_id: int):
    """Bring an archived profile back."""
    profile = services.get_profile(profile_id) or abort(404)
    services.unarchive(profile)
    db.session.commit()
    flash(_("The profile is active again."), "success")
    return redirect(url_for(".index", archived=1))
