"""Who may see and keep cohorts: everyone signed in reads them, administrators keep them."""

from __future__ import annotations

from hub.cohorts.models import Cohort
from hub.core.actions import Actor, get_or_404


def readable_cohort(actor: Actor, cohort_id: int) -> Cohort:
    """A cohort (network-wide, no wall): NotFound when there is none."""
    return get_or_404(Cohort, cohort_id)


def managed_cohort(actor: Actor, cohort_id: int) -> Cohort:
    """A cohort an administrator changes; Forbidden for everyone else."""
    cohort = readable_cohort(actor, cohort_id)
    actor.require_admin()
    return cohort
