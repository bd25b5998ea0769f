"""A person's own data (export and erasure from the account page) and the legal pages for everyone."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from hub.core.access import public
from hub.core.actions import Actor
from hub.core.downloads import download
from hub.core.glue import load, page_action
from hub.core.personal_data import declared_models
from hub.privacy import actions, legal, services
from hub.privacy.display import field_label, shown
from hub.privacy.schemas import OwnErasureSchema

bp = Blueprint("privacy", __name__, template_folder="templates")
bp.add_app_template_global(field_label, "field_label")
bp.add_app_template_global(shown, "shown")


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


def _erase_page(errors=None):
    return render_template("privacy/erase.html", errors=errors or {}, kept=kept_reasons())


def _erased(result: services.Erasure) -> str:
    """After the commit (which took the person's files with it): their login in this browser ends too."""
    logout_user()
    session.clear()
    flash(_("Your account has been deleted."), "success")
    return url_for("core.index")


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def erase():
    """Delete one's own account (Art. 17): password and the typed e-mail address confirm it."""
    refusal = services.erasure_refusal(current_user)
    if refusal is not None:
        flash(str(refusal), "error")
        return redirect(url_for("accounts.account"))
    if request.method == "GET":
        return _erase_page()
    return page_action(
        lambda data: actions.erase_own_account(Actor.current(), data["password"], data["confirmation"]),
        schema=OwnErasureSchema(),
        refused=_erase_page,
        done=_erased,
    )


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
    return render_template("privacy/legal.html", text=load(legal.published, page), page=page)
