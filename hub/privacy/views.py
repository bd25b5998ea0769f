"""A person's own data (export and erasure from the account page) and the legal pages for everyone."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user

from hub.core.access import public
from hub.core.db import db
from hub.core.downloads import download
from hub.core.personal_data import declared_models
from hub.core.schemas import load_form
from hub.privacy import legal, services
from hub.privacy.schemas import OwnErasureSchema

bp = Blueprint("privacy", __name__, template_folder="templates")


# Words for the export's columns that the audit log's vocabulary (hub.audit.vocab.FIELD_LABELS) lacks.
EXPORT_LABELS = {
    "id": _l("No."),
    "action": _l("Action"),
    "active": _l("Active"),
    "actor_id": _l("Done by (account no.)"),
    "at": _l("When"),
    "author_id": _l("Written by (account no.)"),
    "body": _l("Text"),
    "by_user_id": _l("By (account no.)"),
    "changes": _l("Changes"),
    "consent_withdrawn_at": _l("Consent withdrawn on"),
    "creative_id": _l("Creative (no.)"),
    "detail": _l("Details"),
    "device": _l("Device"),
    "email": _l("E-mail address"),
    "entered_by_id": _l("Entered by (account no.)"),
    "erased_at": _l("Erased on"),
    "expires_at": _l("Expires on"),
    "global_role": _l("Role in all regions"),
    "interest": _l("Interest"),
    "ip_address": _l("Network address"),
    "last_login_at": _l("Last login"),
    "last_seen_at": _l("Last seen"),
    "locale": _l("Language"),
    "meeting_id": _l("Meeting (no.)"),
    "method": _l("Method"),
    "name": _l("Name"),
    "organisation_id": _l("Organisation (no.)"),
    "password_reset_expires_at": _l("Password reset link valid until"),
    "pinned": _l("Pinned"),
    "ratee_id": _l("Rated person (no.)"),
    "rater_id": _l("Rated by (no.)"),
    "reasons": _l("Reasons"),
    "region_id": _l("Region (no.)"),
    "registration_id": _l("Registration (no.)"),
    "remember": _l("Stay logged in"),
    "round": _l("Round"),
    "score": _l("Score"),
    "side": _l("Side"),
    "subject_id": _l("Record (no.)"),
    "subject_label": _l("Record"),
    "subject_type": _l("Kind of record"),
    "table": _l("Table"),
    "totp_enabled_at": _l("Two-factor authentication on since"),
    "totp_last_step": _l("Last code used (time step)"),
    "updated_at": _l("Changed on"),
    "version": _l("Version"),
    "via": _l("Via"),
    # Fields of forms (named in a form's error summary).
    "confirmation": _l("Confirmation"),
    "password": _l("Password"),
    "password_confirm": _l("Repeat password"),
    "current_password": _l("Current password"),
    "password_or_code": _l("Password or code"),
    "code": _l("Code"),
    "consent": _l("Consent"),
    "pair_id": _l("Pair"),
    "participant_id": _l("Participant"),
    "limit": _l("Number of suggestions"),
    "mode": _l("Who meets whom"),
    "on": _l("Date"),
    "repeat": _l("Repeat"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "funding_per_match": _l("Funding per match"),
    "planned_expert_events": _l("Planned expert events"),
    "message": _l("Message"),
    "amount": _l("Amount"),
}
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@bp.app_template_global()
def field_label(key: str) -> str:
    """The word for a field or column (the export, the forms' error summary); its name where none is known."""
    from hub.audit.vocab import FIELD_LABELS

    return str(EXPORT_LABELS.get(key) or FIELD_LABELS.get(key, key))


@bp.app_context_processor
def _export_words():
    return {"shown": shown}


def shown(value) -> str:
    """A value of the export as a reader sees it: times in Berlin, lists and mappings spelled out, nothing as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and ISO_TIME.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value), "dd.MM.yyyy, HH:mm")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(v)}" for k, v in value.items())
    return str(value)


def kept_reasons() -> list[tuple[str, str]]:
    """(what, why) for everything erasure keeps or pseudonymises, from the registry."""
    return [(str(d.title), str(d.reason)) for _cls, d in declared_models() if d.title and d.reason]


@bp.get("/account/data")
@login_required
def export_page():
    """All of one's data as a readable page (Art. 15), printable."""
    data = services.export_data(current_user)
    page = render_template("privacy/export.html", data=data, person=current_user)
    return Response(page, headers={"Cache-Control": "no-store"})


@bp.get("/account/data.json")
@login_required
def export_json():
    """All of one's data in one JSON file (Art. 20)."""
    return download(
        services.export_json(current_user), "application/json", services.export_filename(current_user, "json")
    )


@bp.get("/account/data.zip")
@login_required
def export_zip():
    """The JSON file with the files one uploaded, in one ZIP archive."""
    return download(services.export_zip(current_user), "application/zip", services.export_filename(current_user, "zip"))


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def erase():
    """Delete one's own account (Art. 17): password and the typed e-mail address confirm it."""
    errors = {}
    try:
        services.check_erasure(current_user)
    except services.PrivacyError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("accounts.account"))
    if request.method == "POST":
        data, errors = load_form(OwnErasureSchema(), request.form)
        if data:
            try:
                services.confirm_own_erasure(current_user, data["password"], data["confirmation"])
                result = services.erase_person(current_user._get_current_object())
            except services.PrivacyError as exc:
                db.session.rollback()
                errors = {exc.field or "_form": [str(exc.message)]}
            else:
                db.session.commit()
                services.remove_files(result.files)
                logout_user()
                session.clear()
                flash(_("Your account has been deleted."), "success")
                return redirect(url_for("core.index"))
        return render_template("privacy/erase.html", errors=errors, kept=kept_reasons()), 422
    return render_template("privacy/erase.html", errors=errors, kept=kept_reasons())


@bp.get("/privacy")
@public
def privacy_notice():
    """The privacy notice (Datenschutzerklärung)."""
    return _legal("privacy")


@bp.get("/imprint")
@public
def imprint():
    """The imprint (Impressum)."""
    return _legal("imprint")


@bp.get("/accessibility")
@public
def accessibility():
    """The accessibility statement (Erklärung zur Barrierefreiheit)."""
    return _legal("accessibility")


def _legal(page: str):
    try:
        text = legal.load(page)
    except FileNotFoundError:
        abort(404)
    return render_template("privacy/legal.html", text=text, page=page)
