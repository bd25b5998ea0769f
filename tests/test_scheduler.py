"""The scheduler process (`hub scheduler run`) against a real SMTP server on loopback.

Two schedulers on one database — the mistake APScheduler's maintainers warn of — still send exactly one
reminder per registration; with the SMTP server down nothing is lost, and everything arrives once it is
back. The schedulers are real processes; the jobs run every second here instead of every few minutes.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core.db import db, utcnow
from hub.core.jobs.models import JobRun, apscheduler_jobs
from hub.core.jobs.scheduler import build, sync
from hub.core.mail.models import OutboxMessage
from tests.processes import SMTPServer, free_port, hub_process, stop

pytestmark = [pytest.mark.slow, pytest.mark.processes]

REGION = "erzgebirge"
FAST = "mail.send_outbox=1s,events.reminders=1s,events.waitlist_notices=1s"


def _event_with_registrations(make, people: int):
    event = make.event(REGION, start=utcnow().replace(microsecond=0) + timedelta(hours=10), title="Auftakt Schneeberg")
    persons = [make.participant(REGION, email=f"gast{i}@example.org") for i in range(people)]
    for person in persons:
        make.registration(event, person)
    return event, persons


def _scheduler(app, smtp_port: int, **settings):
    return hub_process(
        app,
        "scheduler",
        "run",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_port,
        MAIL_USE_TLS="false",
        JOB_INTERVALS=FAST,
        **settings,
    )


def _reminders(messages) -> Counter:
    return Counter(m["To"] for m in messages if m["Subject"] == "Erinnerung: Auftakt Schneeberg")


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage)))
        db.session.expunge_all()
        return rows


def test_two_schedulers_on_one_database_send_exactly_one_reminder_per_registration(app, make):
    _, persons = _event_with_registrations(make, 12)
    smtp = SMTPServer().start()
    schedulers = [_scheduler(app, smtp.port), _scheduler(app, smtp.port)]
    try:
        smtp.wait_for(len(persons))
        time.sleep(4)  # several more rounds of both schedulers: nothing more may arrive
    finally:
        results = [stop(process) for process in schedulers]
        smtp.stop()

    for code, output in results:
        assert code == 0, output
    assert _reminders(smtp.received()) == Counter({p.email: 1 for p in persons})
    assert len(smtp.received()) == len(persons)
    with app.app_context():
        runners = {run.runner for run in db.session.scalars(select(JobRun).where(JobRun.job_id == "events.reminders"))}
        running = db.session.scalars(select(JobRun).where(JobRun.outcome == "running")).all()
    assert len(runners) == 2, "both schedulers ran the reminder job"
    assert running == [], "SIGTERM let the running jobs finish"


def test_with_smtp_down_nothing_is_lost_and_everything_arrives_once_it_is_back(app, make):
    _, persons = _event_with_registrations(make, 5)
    port = free_port()
    smtp = SMTPServer(port)
    schedulers = [_scheduler(app, port, MAIL_RETRY_SECONDS=1), _scheduler(app, port, MAIL_RETRY_SECONDS=1)]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            waiting = _outbox(app)
            if len(waiting) == len(persons) and all(m.attempts >= 1 for m in waiting):
                break
            time.sleep(0.2)
        assert len(waiting) == len(persons)
        assert all(m.sent_at is None and m.last_error for m in waiting), "the server is down: tried and kept"

        smtp.start()
        smtp.wait_for(len(persons))
        time.sleep(4)
    finally:
        results = [stop(process) for process in schedulers]
        smtp.stop()

    for code, output in results:
        assert code == 0, output
    assert _reminders(smtp.received()) == Counter({p.email: 1 for p in persons})
    assert all(m.sent_at is not None for m in _outbox(app))


def test_sigterm_stops_the_scheduler_cleanly(app):
    scheduler = _scheduler(app, free_port())
    deadline = time.monotonic() + 60
    with app.app_context():
        while time.monotonic() < deadline and not db.session.scalars(select(JobRun)).first():
            db.session.rollback()
            time.sleep(0.2)
    code, output = stop(scheduler)

    assert code == 0, output
    assert "stopped" in output


def test_sigterm_during_a_slow_send_stops_at_the_next_message_without_an_error(app):
    """A service manager waits a few seconds after SIGTERM: the scheduler must not drain the outbox first."""
    from types import SimpleNamespace

    from hub.core.mail.services import queue_mail

    with app.app_context():
        for n in range(40):
            queue_mail(f"person{n}@example.org", "password_reset", user=SimpleNamespace(name="Ada"), link="x", hours=2)
        db.session.commit()
    smtp = SMTPServer(delay=0.5).start()
    scheduler = _scheduler(app, smtp.port)
    try:
        smtp.wait_for(2)
        asked = time.monotonic()
        code, output = stop(scheduler, timeout=20)
        took = time.monotonic() - asked
    finally:
        smtp.stop()

    assert code == 0, output
    assert "Traceback" not in output and "RuntimeError" not in output and "ERROR" not in output, output
    assert "stopped" in output
    arrived = len(smtp.received())
    assert arrived < 20, "it stopped long before the outbox was drained"
    assert took < 10, output
    rest = [m for m in _outbox(app) if m.sent_at is None]
    assert len(rest) == 40 - arrived and all(m.claim_token is None for m in rest), "the rest is free for others"


def test_a_restart_keeps_each_jobs_next_run_and_a_changed_interval_replaces_it(app):
    with app.app_context():
        first = build(app)
        first.start(paused=True)
        assert sync(first, app)["added"]
        first.shutdown(wait=False)
        before = dict(db.session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time)).all())

        again = build(app)
        again.start(paused=True)
        report = sync(again, app)
        again.shutdown(wait=False)
        after = dict(db.session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time)).all())

    assert report["added"] == [] and set(report["kept"]) == set(before)
    assert after == before

    app.config["JOB_INTERVALS"] = "events.reminders=7m"
    try:
        with app.app_context():
            changed = build(app)
            changed.start(paused=True)
            report = sync(changed, app)
            changed.shutdown(wait=False)
    finally:
        app.config["JOB_INTERVALS"] = ""
    assert report["changed"] == ["events.reminders"]
