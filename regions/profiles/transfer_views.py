"""The coordination's profile import (upload, preview, confirm) and export (CSV, XLSX)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from hub.core import spreadsheets
from hub.core.access import coordinator_required
from hub.core.db import db
from regions.profiles import transfer

bp = Blueprint("transfer", __name__, url_prefix="/profiles", template_folder="templates")


def _upload_page(message: str | None = None, status: int = 200):
    errors = {"_form": [message]} if message else {}
    return (
        render_template("profiles/import.html", errors=errors, max_rows=transfer.MAX_ROWS, max_terms=transfer.MAX_TAGS),
        status,
    )


def _preview(plan: transfer.ImportPlan, filename: str, token: str | None, status: int = 200):
    return render_template("profiles/import_preview.html", plan=plan, filename=filename, token=token), status


@bp.route("/import", methods=["GET", "POST"])
@coordinator_required
def upload():
    """Upload a CSV or XLSX file of participants and see what an import would do."""
    if request.method == "GET":
        return _upload_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(_("Please choose a CSV file or an Excel workbook (.xlsx)."), 422)
    data = upload.stream.read(transfer.MAX_BYTES + 1)
    try:
        table = transfer.read_table(data, upload.filename)
        plan = transfer.plan_import(table)
    except transfer.TransferError as exc:
        return _upload_page(str(exc.message), 422)
    token = transfer.keep_upload(data, table.kind) if plan.ok and plan.new_rows else None
    return _preview(plan, upload.filename, token, 200 if plan.ok else 422)


@bp.post("/import/confirm")
@coordinator_required
def confirm():
    """Import the previewed file: every new row, or nothing if any row has a problem."""
    token = request.form.get("token", "")
    try:
        table = transfer.claim_upload(token)
    except transfer.TransferError as exc:
        return _upload_page(str(exc.message), _status(exc))
    imported = False
    try:
        plan = transfer.plan_import(table)
        if not plan.ok:
            return _preview(plan, request.form.get("filename", ""), None, 422)
        result = transfer.import_profiles(plan)
        db.session.commit()
        imported = True
    except transfer.TransferError as exc:
        db.session.rollback()
        return _upload_page(str(exc.message), _status(exc))
    finally:
        if not imported:
            transfer.release_upload(token)  # nothing was imported: the claim must not say otherwise
    message = ngettext("%(num)s profile imported.", "%(num)s profiles imported.", result.created)
    if result.present:
        message += " " + ngettext(
            "%(num)s row was already present and has been skipped.",
            "%(num)s rows were already present and have been skipped.",
            result.present,
        )
    flash(message, "success")
    return redirect(url_for("region.profiles.index"))


def _status(exc: transfer.TransferError) -> int:
    return 409 if isinstance(exc, transfer.ImportConflict) else 400


@bp.post("/import/cancel")
@coordinator_required
def cancel():
    """Drop a previewed upload without importing it."""
    try:
        transfer.discard_upload(request.form.get("token", ""))
    except transfer.TransferError as exc:
        return _upload_page(str(exc.message), _status(exc))
    flash(_("The import has been cancelled; nothing was changed."), "success")
    return redirect(url_for(".upload"))


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
