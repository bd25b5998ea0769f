"""What the admin page shows: each job with its last and next run, recent failures, the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from hub.core.db import db, utcnow
from hub.core.jobs.models import JobRun, apscheduler_jobs
from hub.core.jobs.registry import JobSpec, interval_of, registered_jobs
from hub.core.mail.models import OutboxMessage


@dataclass
class JobStatus:
    spec: JobSpec
    every: timedelta
    last: JobRun | None
    last_failure: JobRun | None
    next_run_at: datetime | None
    runs_today: int
    failures_today: int


def job_statuses() -> list[JobStatus]:
    """Every job in code with its last run, its last failure, its next run and the last day's counts."""
    since = utcnow() - timedelta(days=1)
    last_ids = dict(db.session.execute(select(JobRun.job_id, func.max(JobRun.id)).group_by(JobRun.job_id)).all())
    failure_ids = dict(
        db.session.execute(
            select(JobRun.job_id, func.max(JobRun.id)).where(JobRun.outcome == "failed").group_by(JobRun.job_id)
        ).all()
    )
    wanted = [i for i in (*last_ids.values(), *failure_ids.values()) if i is not None]
    runs = {run.id: run for run in db.session.scalars(select(JobRun).where(JobRun.id.in_(wanted)))} if wanted else {}
    counts: dict[str, list[int]] = {}
    for job_id, outcome, n in db.session.execute(
        select(JobRun.job_id, JobRun.outcome, func.count())
        .where(JobRun.started_at >= since)
        .group_by(JobRun.job_id, JobRun.outcome)
    ):
        totals = counts.setdefault(job_id, [0, 0])
        totals[0] += n
        totals[1] += n if outcome == "failed" else 0
    next_runs = {
        job_id: datetime.fromtimestamp(ts, UTC) if ts is not None else None
        for job_id, ts in db.session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time))
    }
    return [
        JobStatus(
            spec=spec,
            every=interval_of(spec, current_app.config),
            last=runs.get(last_ids.get(spec.id)),
            last_failure=runs.get(failure_ids.get(spec.id)),
            next_run_at=next_runs.get(spec.id),
            runs_today=counts.get(spec.id, [0, 0])[0],
            failures_today=counts.get(spec.id, [0, 0])[1],
        )
        for spec in registered_jobs().values()
    ]


def scheduler_seems_down(statuses: list[JobStatus]) -> bool:
    """No job started within three of its intervals: nobody runs ``hub scheduler run``."""
    now = utcnow()
    return not any(s.last is not None and s.last.started_at > now - 3 * s.every for s in statuses)


def recent_failures(limit: int = 20) -> list[JobRun]:
    return list(
        db.session.scalars(select(JobRun).where(JobRun.outcome == "failed").order_by(JobRun.id.desc()).limit(limit))
    )


def outbox_summary() -> dict[str, int]:
    """How many messages wait, are being sent, wait for a retry, gave up, and went out in the last day."""
    now = utcnow()
    unsent = OutboxMessage.sent_at.is_(None)
    trying = OutboxMessage.given_up_at.is_(None)

    def count(*where) -> int:
        return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*where))

    return {
        "failed": count(unsent, OutboxMessage.given_up_at.is_not(None)),
        "retrying": count(unsent, trying, OutboxMessage.attempts > 0),
        "queued": count(unsent, trying, OutboxMessage.attempts == 0),
        "sending": count(unsent, OutboxMessage.claimed_until > now),
        "sent_today": count(OutboxMessage.sent_at >= now - timedelta(days=1)),
    }


def failed_messages(limit: int = 50) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.given_up_at.is_not(None),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )
