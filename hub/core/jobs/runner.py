"""Run one job inside an app context, and record the run (when, where, how it ended, what it did)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback

from flask import Flask, current_app, has_app_context

from hub.core.acting import acting_as
from hub.core.db import db, utcnow
from hub.core.jobs.models import JobRun
from hub.core.jobs.registry import get_job
from hub.core.logs import as_job
from hub.core.tenancy import no_region

log = logging.getLogger("hub.core.jobs")

# The scheduler process sets its application here; APScheduler stores only the textual reference
# "hub.core.jobs.runner:run_job" and the job's id, so the job store holds no pickled objects of ours.
_app: Flask | None = None

# Set when the scheduler is asked to stop: long jobs (the outbox) end at their next boundary instead
# of draining everything, and runs that start afterwards do nothing.
_stopping = threading.Event()


def request_stop(stop: bool = True) -> None:
    """Ask running jobs to end at their next boundary (the scheduler got SIGTERM); False: let them run again."""
    if stop:
        _stopping.set()
    else:
        _stopping.clear()


def stop_requested() -> bool:
    """Has this process been asked to stop? Long jobs ask between two units of work."""
    return _stopping.is_set()


def bind(app: Flask) -> None:
    """Let scheduled runs use this application."""
    global _app
    _app = app


def run_job(job_id: str) -> None:
    """The scheduler's entry point: one run of a job, in an app context of its own."""
    if stop_requested():
        return
    app = _app if _app is not None else (current_app._get_current_object() if has_app_context() else None)
    if app is None:
        from hub import create_app

        app = create_app()
        bind(app)
    with app.app_context():
        execute(job_id)


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


@as_job
def execute(job_id: str) -> JobRun:
    """Run a job now and record it. A failure is recorded and logged, never raised to the scheduler.

    The job starts with no region in scope: regional work enters each region explicitly
    (``hub.core.jobs.each_region``), so a job that forgets to fails closed instead of seeing everything.
    """
    spec = get_job(job_id)
    run = JobRun(job_id=spec.id, runner=runner_name(), started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    try:
        with no_region(), acting_as(None, via="system"):
            summary = spec.func() or {}
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, and the scheduler goes on
        db.session.rollback()
        log.exception("job %s failed", spec.id)
        run.outcome = "failed"
        run.error = "".join(traceback.format_exception(exc))[-4000:]
    else:
        run.outcome = "ok"
        run.summary = {k: v for k, v in summary.items() if isinstance(v, int | float | str)}
        if any(run.summary.values()):
            log.info("job %s: %s", spec.id, ", ".join(f"{k} {v}" for k, v in run.summary.items()))
    run.finished_at = utcnow()
    db.session.add(run)
    db.session.commit()
    return run
