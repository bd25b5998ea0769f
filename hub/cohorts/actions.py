"""Every change of a cohort, written once for the admin pages, the API and the CLI. None commits (hub.core.glue)."""

from __future__ import annotations

from hub.cohorts import access, services
from hub.cohorts.models import Cohort
from hub.core.actions import Actor


def create_cohort(actor: Actor, **fields) -> Cohort:
    """Start a cohort: its period, its funding per match, its planned expert events (administrators)."""
    actor.require_admin()
    return services.save_cohort(None, fields)


def update_cohort(actor: Actor, cohort_id: int, fields: dict) -> Cohort:
    """Change a cohort with every field given; matches made before keep the budget they were given."""
    cohort = access.managed_cohort(actor, cohort_id)
    return services.save_cohort(cohort, fields)
