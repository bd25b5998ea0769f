"""What the scheduler did: one row per run of a job, one row per side effect a job caused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Float, Index, LargeBinary, String, Table, Text, Unicode, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db, utcnow

RUN_OUTCOMES = ("running", "ok", "failed")


class JobRun(db.Model):
    """One run of a scheduled job: when, where, how it ended, what it did (counts) or why it failed."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_job_started", "job_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(10), default="running")
    # Which process ran it ("host:pid"): two schedulers at once show up here.
    runner: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class JobEffect(db.Model):
    """A side effect a job caused, under its unique key (job, subject, time slot).

    A job writes the key in the same transaction as the effect (an e-mail in the outbox, a notification,
    a deletion). A second scheduler, or the same one after a crash, finds the key and does nothing; an
    effect whose transaction rolled back left no key, so the next run does it.
    """

    __tablename__ = "job_effect"
    __table_args__ = (UniqueConstraint("job", "subject", "slot", name="uq_job_effect_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(120))
    slot: Mapped[str] = mapped_column(String(40))
    done_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# APScheduler's own job store (hub.core.jobs.scheduler), declared here in its exact shape so that the
# migrations make it and the admin page can read each job's next run time without unpickling.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
