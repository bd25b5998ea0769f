"""Side effects under a unique key, so that two schedulers, or a restart, never do one twice.

Use inside the unit of work that causes the effect::

    if effects.claim("events.reminders", f"registration:{r.id}", slot):
        notify(...)          # the e-mail and the in-app notice
    db.session.commit()     # key and effect commit together, or neither does

The key goes in with ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike): no exception,
no savepoint. When another scheduler holds the same key in an open transaction, PostgreSQL makes this
INSERT wait for it, then does nothing if it committed; SQLite lets one writer at a time anyway. A
rolled-back unit leaves no key behind, so the next run does the effect: never twice, never missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.core.db import db, utcnow
from hub.core.jobs.models import JobEffect


def slot_of(moment: datetime) -> str:
    """A time slot as text: the moment in UTC to the second (an event's start, a deadline)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def claim(job: str, subject: str, slot: str) -> bool:
    """Record the key of an effect about to happen; False if it happened (or is happening) already."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(JobEffect)
        .values(job=job, subject=subject, slot=slot, done_at=utcnow())
        .on_conflict_do_nothing(index_elements=["job", "subject", "slot"])
        .returning(JobEffect.id)
    )
    return db.session.execute(statement).scalar() is not None


def done(job: str, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (subject, slot) keys of a job are done already: one look-up per 500 keys.

    A sweep leaves those out before it starts, so that a quiet run costs a few reads, not a savepoint
    per subject. The claim() in the unit of work stays the guarantee.
    """
    keys = list(dict.fromkeys(keys))
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(
            db.session.execute(
                select(JobEffect.subject, JobEffect.slot).where(
                    JobEffect.job == job, tuple_(JobEffect.subject, JobEffect.slot).in_(chunk)
                )
            )
        )
    return found
