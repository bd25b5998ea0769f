"""The scheduler's own records: runs are kept for a while, effect keys long enough to stay unique."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from hub.db import db, in_transaction, utcnow
from hub.jobs.models import JobEffect, JobRun
from hub.jobs.registry import job


@job("jobs.retention", every=timedelta(hours=6), title=_l("Delete old records of job runs"))
def retention() -> dict[str, int]:
    """Delete records of runs after RETENTION_JOB_RUN_DAYS and effect keys after RETENTION_JOB_EFFECT_DAYS.

    An effect key must outlive every slot it guards (a reminder before an event, a weekly digest), so
    its retention is long; the default of 400 days is far beyond the longest slot.
    """
    now = utcnow()
    cfg = current_app.config
    runs = in_transaction(
        lambda: (
            db.session.execute(
                delete(JobRun)
                .where(JobRun.started_at < now - timedelta(days=cfg["RETENTION_JOB_RUN_DAYS"]))
                .execution_options(synchronize_session=False)
            ).rowcount
        )
    )
    keys = in_transaction(
        lambda: (
            db.session.execute(
                delete(JobEffect)
                .where(JobEffect.done_at < now - timedelta(days=cfg["RETENTION_JOB_EFFECT_DAYS"]))
                .execution_options(synchronize_session=False)
            ).rowcount
        )
    )
    return {"runs": runs, "keys": keys}
