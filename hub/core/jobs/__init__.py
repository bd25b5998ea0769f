"""Background jobs (issue 12): declared beside their feature, run by ``hub scheduler run``.

- ``registry``: ``@job(...)`` declares a periodic job; ``registered_jobs()`` lists them.
- ``effects``: side effects under a unique key (job, subject, time slot), so nothing happens twice.
- ``runner``: one run inside an app context, recorded in ``job_run``.
- ``scheduler``: APScheduler 3 with its SQLAlchemy job store in the hub's database, as its own process.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import delete, select

from hub.core.db import db, in_transaction, utcnow
from hub.core.jobs import effects
from hub.core.jobs.registry import job, registered_jobs
from hub.core.tenancy import region_scope
from hub.core.tenancy.models import Region


def each_region(*, read_only: bool = False) -> Iterator[Region]:
    """Every active region, with its scope entered for the loop's body: how regional jobs do their work."""
    regions = db.session.scalars(select(Region).where(Region.active).order_by(Region.position, Region.id)).all()
    for region in regions:
        with region_scope(region, read_only=read_only):
            yield region


def delete_older_than(model, moment, days: int, *where) -> int:
    """Retention: delete the rows of ``model`` whose ``moment`` lies more than ``days`` back (and that match
    ``where``), in one statement, and commit. Returns how many went."""
    cutoff = utcnow() - timedelta(days=days)
    statement = delete(model).where(moment < cutoff, *where).execution_options(synchronize_session=False)
    return in_transaction(lambda: db.session.execute(statement).rowcount)


__all__ = ["delete_older_than", "each_region", "effects", "job", "registered_jobs"]
