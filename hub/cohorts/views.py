"""Cohorts for administrators: the program periods and their funding per match."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from hub.cohorts import access, actions, services
from hub.cohorts.schemas import CohortInputSchema
from hub.core.access import admin_required
from hub.core.actions import Actor
from hub.core.glue import load, page_action

bp = Blueprint("cohorts", __name__, url_prefix="/admin/cohorts", template_folder="templates")


@bp.get("/")
@admin_required
def index():
    """All cohorts."""
    return render_template("cohorts/index.html", cohorts=services.list_cohorts())


def _form(cohort, errors=None):
    return render_template(
        "cohorts/edit.html",
        cohort=cohort,
        errors=errors or {},
        values=request.form if request.method == "POST" else None,
    )


def _save(work, cohort):
    return page_action(
        work,
        schema=CohortInputSchema(),
        refused=lambda errors: _form(cohort, errors),
        message=_("The cohort has been saved."),
        done=url_for(".index"),
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Start a new cohort."""
    if request.method == "GET":
        return _form(None)
    return _save(lambda data: actions.create_cohort(Actor.current(), **data), None)


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(cohort_id: int):
    """Change a cohort; matches made before keep the budget they were given."""
    cohort = load(access.readable_cohort, Actor.current(), cohort_id)
    if request.method == "GET":
        return _form(cohort)
    return _save(lambda data: actions.update_cohort(Actor.current(), cohort_id, data), cohort)
