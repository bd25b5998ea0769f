"""Housekeeping: the scheduler's own records (runs are kept for a while, effect keys long enough to stay unique),
and the database's planner statistics."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from hub.core.db import analyze, db
from hub.core.jobs import delete_older_than, job
from hub.core.jobs.models import JobEffect, JobRun


@job("jobs.retention", every=timedelta(hours=6), title=_l("Delete old records of job runs"))
def retention() -> dict[str, int]:
    """Delete records of runs after RETENTION_JOB_RUN_DAYS and effect keys after RETENTION_JOB_EFFECT_DAYS.

    An effect key must outlive every slot it guards (a reminder before an event, a weekly digest), so
    its retention is long; the default of 400 days is far beyond the longest slot.
    """
    cfg = current_app.config
    runs = delete_older_than(JobRun, JobRun.started_at, cfg["RETENTION_JOB_RUN_DAYS"])
    keys = delete_older_than(JobEffect, JobEffect.done_at, cfg["RETENTION_JOB_EFFECT_DAYS"])
    return {"runs": runs, "keys": keys}


@job("db.statistics", every=timedelta(days=1), title=_l("Refresh the database's planner statistics"))
def statistics() -> dict[str, int]:
    """SQLite keeps planner statistics only when asked (``ANALYZE``): without them it guesses, and as a network
    grows a filter can walk the wrong index — the directory's sector within a region took 81 ms instead of 23 ms
    at 100,000 profiles (docs/BENCHMARKS.md). Once a day, then, like ``hub setup`` and ``hub db analyze``.
    PostgreSQL's autovacuum keeps its statistics itself; there the job does nothing."""
    if db.engine.dialect.name != "sqlite":
        return {"analyzed": 0}
    analyze()
    return {"analyzed": 1}
