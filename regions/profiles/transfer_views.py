"""The coordination's profile import (upload, preview, confirm) and export (CSV, XLSX)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from hub.core import spreadsheets
from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import page_action
from regions.profiles import actions, transfer

bp = Blueprint("transfer", __name__, url_prefix="/profiles", template_folder="templates")


def _upload_page(message: str | None = None, status: int = 200):
    errors = {"_form": [message]} if message else {}
    return (
        render_template("profiles/import.html", errors=errors, max_rows=transfer.MAX_ROWS, max_terms=transfer.MAX_TAGS),
        status,
    )


def _preview(plan: transfer.ImportPlan, filename: str, token: str | None, status: int = 200):
    return render_template("profiles/import_preview.html", plan=plan, filename=filename, token=token), status


def _refused(errors: dict):
    """The upload form again with the reason (the import's refusals concern the file as a whole)."""
    return _upload_page(next(text for texts in errors.values() for text in texts))


@bp.route("/import", methods=["GET", "POST"])
@coordinator_required
def upload():
    """Upload a CSV or XLSX file of participants and see what an import would do."""
    if request.method == "GET":
        return _upload_page()
    upload = request.files.get("file")
    return page_action(
        lambda data: actions.preview_import(Actor.current(), upload),
        refused=_refused,
        show=lambda preview: _preview(preview.plan, upload.filename, preview.token, 200 if preview.plan.ok else 422),
    )


@bp.post("/import/confirm")
@coordinator_required
def confirm():
    """Import the previewed file: every new row, or nothing if any row has a problem."""
    return page_action(
        lambda data: actions.confirm_import(Actor.current(), request.form.get("token", "")),
        refused=_refused,
        show=_after_confirmation,
    )


def _after_confirmation(imported: actions.Imported):
    """To the profiles, saying what the import made; or the preview again with the rows' problems."""
    if imported.result is None:
        return _preview(imported.plan, request.form.get("filename", ""), None, 422)
    flash(_imported(imported.result), "success")
    return redirect(url_for("region.profiles.index"))


def _imported(result: transfer.ImportResult) -> str:
    """What an import made, in words."""
    message = ngettext("%(num)s profile imported.", "%(num)s profiles imported.", result.created)
    if result.present:
        message += " " + ngettext(
            "%(num)s row was already present and has been skipped.",
            "%(num)s rows were already present and have been skipped.",
            result.present,
        )
    return message


@bp.post("/import/cancel")
@coordinator_required
def cancel():
    """Drop a previewed upload without importing it."""
    return page_action(
        lambda data: actions.cancel_import(Actor.current(), request.form.get("token", "")),
        refused=_refused,
        message=_("The import has been cancelled; nothing was changed."),
        done=url_for(".upload"),
    )


def _download(data: bytes, extension: str):
    today = datetime.now(ZoneInfo(current_app.config.get("TIMEZONE", "Europe/Berlin"))).date().isoformat()
    return spreadsheets.download(data, f"profile-{g.region.slug}-{today}.{extension}")


@bp.get("/export.csv")
@coordinator_required
def export_csv():
    """The region's active profiles as CSV for German Excel."""
    return _download(transfer.export_csv(), "csv")


@bp.get("/export.xlsx")
@coordinator_required
def export_xlsx():
    """The region's active profiles as an Excel workbook."""
    return _download(transfer.export_xlsx(), "xlsx")
