"""The scheduler process: APScheduler 3 with a persistent SQLAlchemy job store in the hub's database.

APScheduler's maintainers say one job store must not be shared by several schedulers; the hub lives
with a second one started by mistake instead of forbidding it: every job is idempotent (hub.core.jobs.effects,
the outbox's claims), so two schedulers at once do everything once. The scheduler never runs inside a
web worker: only ``hub scheduler run`` starts it.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from datetime import UTC, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from hub.core.db import db, utcnow
from hub.core.jobs import runner
from hub.core.jobs.registry import interval_of, registered_jobs

log = logging.getLogger("hub.core.jobs")

JOB_TABLE = "apscheduler_jobs"
TARGET = "hub.core.jobs.runner:run_job"


class _Executor(ThreadPoolExecutor):
    """APScheduler's thread pool, which takes no new run once the scheduler is stopping.

    The scheduler's thread may have decided to submit a due run just before ``pause()``; it then waits
    for the job store's lock while ``shutdown(wait=True)`` lets the running jobs finish, and would hand
    the run to a pool that is already shut ("cannot schedule new futures after shutdown"). Dropped
    here instead: the job's next run sweeps what this one would have done.
    """

    def submit_job(self, job, run_times):
        if runner.stop_requested():
            log.debug("scheduler stopping: run of %s dropped", job.id)
            return
        super().submit_job(job, run_times)


def build(app: Flask) -> BackgroundScheduler:
    """A scheduler on the app's database (call inside an app context)."""
    store = SQLAlchemyJobStore(engine=db.engine, tablename=JOB_TABLE)
    return BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": _Executor(app.config["SCHEDULER_THREADS"])},
        # A run missed while the scheduler was down happens once when it is back, however late: every
        # job sweeps what is due, so one late run catches up on everything.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )


def trigger_for(every: timedelta) -> IntervalTrigger:
    return IntervalTrigger(seconds=int(every.total_seconds()), timezone=UTC)


def sync(scheduler: BackgroundScheduler, app: Flask) -> dict[str, list[str]]:
    """Make the job store hold exactly the jobs in code: add new ones, update changed intervals, remove
    old ones. A job whose interval is unchanged keeps its next run time across restarts."""
    report: dict[str, list[str]] = {"added": [], "changed": [], "removed": [], "kept": []}
    wanted = {spec.id: trigger_for(interval_of(spec, app.config)) for spec in registered_jobs().values()}
    for stored in scheduler.get_jobs():
        if stored.id not in wanted:
            with contextlib.suppress(JobLookupError):  # another scheduler removed it a moment ago
                scheduler.remove_job(stored.id)
            report["removed"].append(stored.id)
    for job_id, trigger in wanted.items():
        stored = scheduler.get_job(job_id)
        if stored is not None and str(stored.trigger) == str(trigger) and stored.func_ref == TARGET:
            report["kept"].append(job_id)
            continue
        scheduler.add_job(
            TARGET,
            trigger=trigger,
            args=[job_id],
            id=job_id,
            name=job_id,
            replace_existing=True,
            next_run_time=utcnow(),
        )
        report["changed" if stored is not None else "added"].append(job_id)
    return report


def run_forever(app: Flask, *, stop: threading.Event | None = None) -> None:
    """Run the scheduler until SIGTERM or SIGINT; running jobs end at their next boundary (the outbox after
    the message it is sending), so the process ends within seconds, as a service manager expects."""
    stop = stop or threading.Event()

    def _stop(signum, frame):
        log.info("scheduler: %s received, stopping after the running jobs", signal.Signals(signum).name)
        runner.request_stop()
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)
    runner.bind(app)
    runner.request_stop(False)
    with app.app_context():
        scheduler = build(app)
        scheduler.start(paused=True)
        report = sync(scheduler, app)
        db.session.remove()
    scheduler.resume()
    log.info(
        "scheduler %s running %d jobs (%s)",
        runner.runner_name(),
        len(registered_jobs()),
        "; ".join(f"{k}: {', '.join(v)}" for k, v in report.items() if v),
    )
    try:
        while not stop.wait(1):
            pass
    finally:
        runner.request_stop()
        # Paused first, the scheduler submits no run to the executor while it shuts down (it would
        # refuse with "cannot schedule new futures after shutdown").
        scheduler.pause()
        scheduler.shutdown(wait=True)
        log.info("scheduler %s stopped", runner.runner_name())
