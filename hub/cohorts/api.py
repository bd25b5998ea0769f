"""Cohorts in the JSON API: everyone signed in reads them, administrators keep them."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import login_required
from flask_smorest import Blueprint

from hub.cohorts import access, actions, services
from hub.cohorts.schemas import CohortInputSchema, CohortSchema
from hub.core.access import admin_required
from hub.core.actions import Actor
from hub.core.api_updates import Updates
from hub.core.glue import api_action, load

blp = Blueprint(
    "api_cohorts",
    __name__,
    url_prefix="/api/v1/cohorts",
    description="The program's cohorts (periods and funding per match), network-wide",
)
SECURITY = [{"bearerAuth": []}]
UPDATES = Updates(CohortInputSchema, shown=CohortSchema())


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
    @api_action
    def post(self, data):
        """Create a cohort (administrators)."""
        return actions.create_cohort(Actor.current(), **data)


@blp.route("/<int:cohort_id>")
class OneCohort(MethodView):
    @login_required
    @blp.response(200, CohortSchema)
    @blp.doc(security=SECURITY)
    def get(self, cohort_id: int):
        """One cohort."""
        return load(access.readable_cohort, Actor.current(), cohort_id)

    @admin_required
    @blp.arguments(UPDATES.replacement)
    @blp.response(200, CohortSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def put(self, data, cohort_id: int):
        """Replace a cohort (administrators; every field is required); matches keep the budget they were made with."""
        return actions.update_cohort(Actor.current(), cohort_id, data)

    @admin_required
    @blp.arguments(UPDATES.patch)
    @blp.response(200, CohortSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def patch(self, sent, cohort_id: int):
        """Change some of a cohort's fields (administrators); matches keep the budget they were made with."""
        cohort = load(access.readable_cohort, Actor.current(), cohort_id)
        return actions.update_cohort(Actor.current(), cohort_id, UPDATES.patched(cohort, sent))
