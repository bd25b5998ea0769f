"""Cohorts in the JSON API: everyone signed in reads them, administrators keep them."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import login_required
from flask_smorest import Blueprint, abort

from hub.cohorts import services
from hub.cohorts.schemas import CohortInputSchema, CohortSchema
from hub.core.access import admin_required
from hub.core.api_updates import Updates
from hub.core.db import db
from hub.core.schemas import ServiceError

blp = Blueprint(
    "api_cohorts",
    __name__,
    url_prefix="/api/v1/cohorts",
    description="The program's cohorts (periods and funding per match), network-wide",
)
SECURITY = [{"bearerAuth": []}]
UPDATES = Updates(CohortInputSchema, shown=CohortSchema())


def _save(cohort, data):
    try:
        cohort = services.save_cohort(cohort, data)
    except ServiceError as exc:
        db.session.rollback()
        abort(422, errors={"json": exc.errors()})
    db.session.commit()
    return cohort


@blp.route("/")
class Cohorts(MethodView):
    @login_required
    @blp.response(200, CohortSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self):
        """All cohorts, the newest first."""
        return services.list_cohorts()

    @admin_required
    @blp.arguments(CohortInputSchema)
    @blp.response(201, CohortSchema)
    @blp.doc(security=SECURITY)
    def post(self, data):
        """Create a cohort (administrators)."""
        return _save(None, data)


@blp.route("/<int:cohort_id>")
class OneCohort(MethodView):
    @login_required
    @blp.response(200, CohortSchema)
    @blp.doc(security=SECURITY)
    def get(self, cohort_id: int):
        """One cohort."""
        return services.get_cohort(cohort_id) or abort(404)

    @admin_required
    @blp.arguments(UPDATES.replacement)
    @blp.response(200, CohortSchema)
    @blp.doc(security=SECURITY)
    def put(self, data, cohort_id: int):
        """Replace a cohort (administrators; every field is required); matches keep the budget they were made with."""
        cohort = services.get_cohort(cohort_id) or abort(404)
        return _save(cohort, data)

    @admin_required
    @blp.arguments(UPDATES.patch)
    @blp.response(200, CohortSchema)
    @blp.doc(security=SECURITY)
    def patch(self, sent, cohort_id: int):
        """Change some of a cohort's fields (administrators); matches keep the budget they were made with."""
        cohort = services.get_cohort(cohort_id) or abort(404)
        return _save(cohort, UPDATES.patched(cohort, sent))
