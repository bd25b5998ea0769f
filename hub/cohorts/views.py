"""Cohorts for administrators: the program periods and their funding per match."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub.cohorts import services
from hub.cohorts.schemas import CohortInputSchema
from hub.core.access import admin_required
from hub.core.db import db
from hub.core.schemas import ServiceError, load_form

bp = Blueprint("cohorts", __name__, url_prefix="/admin/cohorts", template_folder="templates")


@bp.get("/")
@admin_required
def index():
    """All cohorts."""
    return render_template("cohorts/index.html", cohorts=services.list_cohorts())


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Start a new cohort."""
    return _edit(None)


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(cohort_id: int):
    """Change a cohort; matches made before keep the budget they were given."""
    return _edit(services.get_cohort(cohort_id) or abort(404))


def _edit(cohort):
    errors = {}
    if request.method == "POST":
        data, errors = load_form(CohortInputSchema(), request.form)
        if data:
            try:
                services.save_cohort(cohort, data)
            except ServiceError as exc:
                errors = exc.errors()
            else:
                db.session.commit()
                flash(_("The cohort has been saved."), "success")
                return redirect(url_for(".index"))
        db.session.rollback()
    return render_template(
        "cohorts/edit.html", cohort=cohort, errors=errors, values=request.form if request.method == "POST" else None
    ), 422 if errors else 200
