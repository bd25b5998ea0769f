"""Background jobs: each one sweeps what is due, tells people once, and records what it did.

The jobs are called the way the scheduler calls them (``hub.core.jobs.runner.execute``), inside an app
context; the clock is whatever the test says it is (time-machine), never the day the suite runs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text

from hub.accounts.models import Invitation, User
from hub.accounts.services import grant_role
from hub.core.db import db, utcnow
from hub.core.jobs import effects, registered_jobs
from hub.core.jobs.models import JobEffect, JobRun
from hub.core.jobs.registry import job, parse_intervals
from hub.core.jobs.runner import execute
from hub.core.mail.models import OutboxMessage
from hub.core.roles import Role
from hub.core.tenancy import TenancyError, all_regions
from hub.core.tenancy.models import Region
from hub.notifications.models import Notification
from hub.notifications.services import choose
from regions.profiles.models import Profile
from shared.contacts.models import ContactRequest, ContactStatus

REGION = "erzgebirge"


def _run(app, job_id: str) -> JobRun:
    with app.app_context():
        run = execute(job_id)
        db.session.expunge(run)
        return run


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def _notifications(app, user=None) -> list[Notification]:
    with app.app_context():
        query = select(Notification).order_by(Notification.id)
        if user is not None:
            query = query.where(Notification.user_id == user.id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def _subjects(app, recipient: str) -> list[str]:
    return [m.subject for m in _outbox(app) if m.recipient == recipient]


def _clear_outbox(app) -> None:
    with app.app_context():
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.execute(Notification.__table__.delete())
        db.session.commit()


def _soon(hours: float) -> datetime:
    return utcnow().replace(microsecond=0) + timedelta(hours=hours)


# -- the machinery ----------------------------------------------------------------------------------


def test_every_job_is_declared_beside_its_feature_with_a_title():
    jobs = registered_jobs()
    assert {
        "mail.send_outbox",
        "events.reminders",
        "events.waitlist_notices",
        "digest.coordinators",
        "matches.milestone_reminders",
        "speeddating.rating_reminders",
        "speeddating.rating_deadline",
        "accounts.expired_invitations",
        "accounts.retention",
        "contacts.retention",
        "meet.refresh",
        "meet.notices",
    } <= set(jobs)
    for spec in jobs.values():
        assert spec.func.__module__.endswith((".jobs", ".housekeeping")), spec.id
        assert str(spec.title) and spec.description


def test_a_run_is_recorded_with_its_counts(app, make):
    person = make.participant(REGION)
    event = make.event(REGION, start=_soon(20))
    make.registration(event, person)

    run = _run(app, "events.reminders")

    assert run.outcome == "ok"
    assert run.summary == {"reminded": 1}
    assert run.finished_at >= run.started_at
    assert ":" in run.runner  # host:pid, so that two schedulers can be told apart


def test_a_failing_job_is_recorded_and_rolled_back(app, make):
    @job("tests.failing", every=timedelta(minutes=1), title="fails")
    def failing():
        """Writes, then fails."""
        db.session.add(Invitation(email="x@example.org", role="participant", token_hash="x", expires_at=utcnow()))
        raise RuntimeError("boom")

    run = _run(app, "tests.failing")

    assert run.outcome == "failed"
    assert "RuntimeError: boom" in run.error
    with app.app_context(), all_regions():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_a_job_starts_with_no_region_so_forgetting_the_scope_fails_closed(app, make):
    @job("tests.unscoped", every=timedelta(minutes=1), title="unscoped")
    def unscoped():
        """Reads profiles without entering a region."""
        db.session.scalars(select(Profile)).all()

    run = _run(app, "tests.unscoped")

    assert run.outcome == "failed"
    assert TenancyError.__name__ in run.error


def test_an_effect_key_is_taken_once(ctx):
    assert effects.claim("tests.job", "subject:1", "2030-01-01") is True
    assert effects.claim("tests.job", "subject:1", "2030-01-01") is False
    assert effects.claim("tests.job", "subject:1", "2030-01-08") is True
    db.session.commit()
    assert effects.done("tests.job", [("subject:1", "2030-01-01"), ("subject:2", "2030-01-01")]) == {
        ("subject:1", "2030-01-01")
    }


def test_a_rolled_back_effect_leaves_no_key_so_the_next_run_does_it(ctx):
    assert effects.claim("tests.job", "subject:1", "slot")
    db.session.rollback()  # the unit of work failed: e-mail and key are gone together
    assert effects.claim("tests.job", "subject:1", "slot")


def test_intervals_can_be_set_per_job_and_bad_ones_are_refused():
    assert parse_intervals("mail.send_outbox=30s, events.reminders=5m,digest.coordinators=2h") == {
        "mail.send_outbox": timedelta(seconds=30),
        "events.reminders": timedelta(minutes=5),
        "digest.coordinators": timedelta(hours=2),
    }
    with pytest.raises(ValueError, match="mail.send_outbox=soon"):
        parse_intervals("mail.send_outbox=soon")


# -- event reminders and waiting lists --------------------------------------------------------------


def test_registered_people_are_reminded_once_within_the_lead_time(app, make):
    near, far = make.event(REGION, start=_soon(30), title="Fachabend KI"), make.event(REGION, start=_soon(60))
    ada, bob = make.participant(REGION, name="Ada"), make.participant(REGION, name="Bob")
    make.registration(near, ada)
    make.registration(far, bob)
    _clear_outbox(app)

    assert _run(app, "events.reminders").summary == {"reminded": 1}
    assert _run(app, "events.reminders").summary == {"reminded": 0}  # a second scheduler, or a restart

    assert _subjects(app, ada.email) == ["Erinnerung: Fachabend KI"]
    assert _subjects(app, bob.email) == []
    [notice] = _notifications(app, ada)
    assert notice.subject == "Erinnerung: Fachabend KI" and notice.link.endswith(f"/calendar/events/{near.id}")


def test_a_moved_event_reminds_again_for_its_new_date(app, make):
    event = make.event(REGION, start=_soon(30))
    ada = make.participant(REGION)
    make.registration(event, ada)
    _run(app, "events.reminders")
    with make.inside(REGION):
        from regions.events import services as events

        moved = events.get_event(event.id)
        moved.starts_at, moved.ends_at = moved.starts_at + timedelta(hours=3), moved.ends_at + timedelta(hours=3)
        db.session.commit()

    assert _run(app, "events.reminders").summary == {"reminded": 1}
    assert len(_subjects(app, ada.email)) == 2  # the first reminder, and the reminder of the new date


def test_cancelled_registrations_and_cancelled_events_get_no_reminder(app, make):
    event, other = make.event(REGION, start=_soon(10)), make.event(REGION, start=_soon(10))
    ada, bob = make.participant(REGION), make.participant(REGION)
    registration = make.registration(event, ada)
    make.registration(other, bob)
    with make.inside(REGION):
        from regions.events import services as events
        from regions.events.models import Registration

        events.cancel_registration(db.session.get(Registration, registration.id))
        events.cancel_event(events.get_event(other.id))
        db.session.commit()
    _clear_outbox(app)

    assert _run(app, "events.reminders").summary == {"reminded": 0}


def test_someone_who_switched_reminders_off_is_told_in_the_hub_only(app, make):
    event = make.event(REGION, start=_soon(10))
    ada = make.participant(REGION)
    make.registration(event, ada)
    with app.app_context():
        choose(db.session.get(User, ada.id), emailed={"registrations", "waitlist"})
        db.session.commit()
    _clear_outbox(app)

    _run(app, "events.reminders")

    assert _subjects(app, ada.email) == []
    assert len(_notifications(app, ada)) == 1


def test_people_still_waiting_hear_their_place_and_later_that_no_place_became_free(app, make):
    start = _soon(30)
    event = make.event(REGION, start=start, capacity=1, title="Werkstattgespräch")
    first, second, third = (make.participant(REGION, name=n) for n in ("Eins", "Zwei", "Drei"))
    for person in (first, second, third):
        make.registration(event, person)
    _clear_outbox(app)

    assert _run(app, "events.waitlist_notices").summary == {"still_waiting": 2, "no_place": 0}
    [(second_body)] = [m.body for m in _outbox(app) if m.recipient == second.email]
    [(third_body)] = [m.body for m in _outbox(app) if m.recipient == third.email]
    assert "Nummer 1 auf der Warteliste" in second_body
    assert "Nummer 2 auf der Warteliste" in third_body
    assert _subjects(app, first.email) == []

    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert _run(app, "events.waitlist_notices").summary == {"still_waiting": 0, "no_place": 2}
        assert _run(app, "events.waitlist_notices").summary == {"still_waiting": 0, "no_place": 0}
    assert _subjects(app, second.email)[-1] == "Kein Platz frei geworden: Werkstattgespräch"


# -- milestones --------------------------------------------------------------------------------------


def test_match_teams_are_reminded_before_a_milestone_and_once_it_is_overdue(app, make):
    match = make.match(REGION, creatives=1, organisations=1)
    with make.inside(REGION):
        from regions.matches import services as matches

        cohort_end = matches.get_match(match.id).cohort.ends_on
    due_on = cohort_end - timedelta(days=10)
    make.milestone(match, title="Onboarding-Leitfaden", due_on=due_on)
    make.milestone(match, title="Schon erledigt", due_on=due_on, done_on=due_on - timedelta(days=1))
    people = [m.email for m in match.members]
    _clear_outbox(app)

    with time_machine.travel(datetime.combine(due_on - timedelta(days=20), datetime.min.time(), UTC), tick=False):
        assert _run(app, "matches.milestone_reminders").summary == {"due_soon": 0, "overdue": 0}
    with time_machine.travel(datetime.combine(due_on - timedelta(days=3), datetime.min.time(), UTC), tick=False):
        assert _run(app, "matches.milestone_reminders").summary == {"due_soon": 2, "overdue": 0}
        assert _run(app, "matches.milestone_reminders").summary == {"due_soon": 0, "overdue": 0}
    with time_machine.travel(datetime.combine(due_on + timedelta(days=2), datetime.min.time(), UTC), tick=False):
        assert _run(app, "matches.milestone_reminders").summary == {"due_soon": 0, "overdue": 2}
        assert _run(app, "matches.milestone_reminders").summary == {"due_soon": 0, "overdue": 0}

    for email in people:
        due, overdue = _subjects(app, email)
        assert due.startswith("Meilenstein fällig am ") and due.endswith(": Onboarding-Leitfaden")
        assert overdue == "Meilenstein überfällig: Onboarding-Leitfaden"


# -- speed-dating ratings ---------------------------------------------------------------------------


def test_people_who_have_not_rated_everyone_are_reminded_before_the_deadline(app, make):
    session = make.session(REGION, creatives=2, organisations=1, tables=1)
    with make.inside(REGION):
        from regions.speeddating import services as speeddating

        the_session = speeddating.get_session(session.id)
        ends_at = the_session.ends_at
        the_session.rating_deadline = ends_at + timedelta(days=2)
        db.session.commit()
    rater, rated = session.creatives[0], session.organisations[0]
    with time_machine.travel(ends_at + timedelta(minutes=5), tick=False):
        make.rating(session, rater, rated, "gladly")
    _clear_outbox(app)

    with time_machine.travel(ends_at + timedelta(hours=1), tick=False):
        assert _run(app, "speeddating.rating_reminders").summary == {"reminded": 0}  # deadline still far
    with time_machine.travel(ends_at + timedelta(days=1, hours=2), tick=False):
        assert _run(app, "speeddating.rating_reminders").summary == {"reminded": 2}
        assert _run(app, "speeddating.rating_reminders").summary == {"reminded": 0}

    reminded = {m.recipient for m in _outbox(app)}
    assert reminded == {session.creatives[1].email, session.organisations[0].email}


def test_the_coordination_hears_once_when_the_rating_deadline_has_passed(app, make):
    coordinator = make.coordinator(REGION, name="Koordination")
    session = make.session(REGION, creatives=1, organisations=1, tables=1)
    with make.inside(REGION):
        from regions.speeddating import services as speeddating

        the_session = speeddating.get_session(session.id)
        deadline = the_session.ends_at + timedelta(days=1)
        the_session.rating_deadline = deadline
        db.session.commit()
    _clear_outbox(app)

    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        assert _run(app, "speeddating.rating_deadline").summary == {"told": 0}
    with time_machine.travel(deadline + timedelta(hours=1), tick=False):
        assert _run(app, "speeddating.rating_deadline").summary["told"] >= 1
        assert _run(app, "speeddating.rating_deadline").summary == {"told": 0}

    [subject] = _subjects(app, coordinator.email)
    assert subject.startswith("Bewertungen abgeschlossen")
    assert "0 von 2" in [m.body for m in _outbox(app) if m.recipient == coordinator.email][0]


# -- the coordinators' digest -----------------------------------------------------------------------


def _monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def test_coordinators_get_a_weekly_digest_on_monday_morning_once(app, make):
    coordinator = make.coordinator(REGION, name="Koordination")
    make.coordinator("meissen", name="Koordination Meißen")
    last_week = _monday_after(utcnow().date()) - timedelta(days=5)  # a Wednesday
    with time_machine.travel(datetime.combine(last_week, datetime.min.time(), UTC) + timedelta(hours=10), tick=False):
        make.profile(REGION, name="Neue Werkstatt")
    monday = _monday_after(last_week)
    early = datetime.combine(monday, datetime.min.time(), UTC) + timedelta(hours=4)  # 05:00 in Berlin
    _clear_outbox(app)

    with time_machine.travel(early, tick=False):
        assert _run(app, "digest.coordinators").summary == {"sent": 0}  # the week before had nothing
    with time_machine.travel(early + timedelta(hours=3), tick=False):  # 08:00 in Berlin
        assert _run(app, "digest.coordinators").summary == {"sent": 1}
        assert _run(app, "digest.coordinators").summary == {"sent": 0}
    with time_machine.travel(early + timedelta(days=2), tick=False):  # still the same week: nothing new
        assert _run(app, "digest.coordinators").summary == {"sent": 0}

    [digest] = [m for m in _outbox(app) if m.recipient == coordinator.email]
    assert digest.subject.startswith("Netzwerk Erzgebirge")
    assert "Neue Profile: 1" in digest.body and "Neue Werkstatt" in digest.body
    assert "Meißen" not in digest.body


def test_a_coordinator_can_ask_for_a_daily_digest_or_none(app, make):
    daily, never = make.coordinator(REGION, name="Täglich"), make.coordinator(REGION, name="Nie")
    with app.app_context():
        choose(db.session.get(User, daily.id), digest="daily")
        choose(db.session.get(User, never.id), digest="never")
        db.session.commit()
    yesterday = utcnow().date() + timedelta(days=30)
    with time_machine.travel(datetime.combine(yesterday, datetime.min.time(), UTC) + timedelta(hours=12), tick=False):
        make.profile(REGION, name="Gestern neu")
    _clear_outbox(app)

    with time_machine.travel(
        datetime.combine(yesterday + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=9)
    ):
        _run(app, "digest.coordinators")

    assert len(_subjects(app, daily.email)) == 1
    assert _subjects(app, never.email) == []


# -- invitations, retention -------------------------------------------------------------------------


def test_the_inviter_hears_once_that_an_invitation_ran_out_unused(app, make, client, auth):
    coordinator = make.coordinator(REGION)
    auth.login(coordinator)
    client.post(
        f"/{REGION}/members/invitations", data={"email": "neu@example.org", "name": "Neu", "role": "participant"}
    )
    with app.app_context(), all_regions():
        invitation = db.session.scalar(select(Invitation).where(Invitation.email == "neu@example.org"))
        expires_at = invitation.expires_at
    _clear_outbox(app)

    with time_machine.travel(expires_at + timedelta(hours=2), tick=False):
        assert _run(app, "accounts.expired_invitations").summary == {"told": 1}
        assert _run(app, "accounts.expired_invitations").summary == {"told": 0}

    [subject] = _subjects(app, coordinator.email)
    assert "neu@example.org" in subject


def test_retention_deletes_declined_contact_requests_and_unused_accounts_after_their_time(app, make):
    asker, addressee = make.participant(REGION), make.participant("meissen")
    sender = make.profile(REGION, user=asker, visibility="network")
    sender.owner = asker
    recipient = make.profile("meissen", user=addressee, visibility="network")
    recipient.owner = addressee
    declined = make.contact_request(sender, recipient)
    with app.app_context(), all_regions():
        request = db.session.get(ContactRequest, declined.id)
        request.status, request.decided_at = ContactStatus.DECLINED, utcnow()
        unused = User(email="nie-benutzt@example.org", name="Nie benutzt")
        member = User(email="ohne-passwort@example.org", name="Ohne Passwort, aber Mitglied")
        db.session.add_all([unused, member])
        grant_role(member, Role.PARTICIPANT, db.session.scalar(select(Region).where(Region.slug == REGION)))
        db.session.commit()
        unused_id, member_id = unused.id, member.id

    assert _run(app, "contacts.retention").summary == {"deleted": 0}
    assert _run(app, "accounts.retention").summary["accounts"] == 0
    days = max(app.config["RETENTION_DECLINED_CONTACT_DAYS"], app.config["RETENTION_UNCONFIRMED_ACCOUNT_DAYS"])
    with time_machine.travel(utcnow() + timedelta(days=days + 1), tick=False):
        assert _run(app, "contacts.retention").summary == {"deleted": 1}
        assert _run(app, "accounts.retention").summary["accounts"] == 1

    with app.app_context(), all_regions():
        assert db.session.get(ContactRequest, declined.id) is None
        assert db.session.get(User, unused_id) is None
        assert db.session.get(User, asker.id) is not None  # accounts in use are kept
        assert db.session.get(User, member_id) is not None  # and accounts in a region, whatever their state


def test_retention_periods_are_configurable(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_JOB_RUN_DAYS", 1)
    _run(app, "events.reminders")
    with time_machine.travel(utcnow() + timedelta(days=2), tick=False):
        assert _run(app, "jobs.retention").summary["runs"] >= 1
    with app.app_context():
        assert {r.job_id for r in db.session.scalars(select(JobRun))} == {"jobs.retention"}
        assert db.session.scalar(select(func.count()).select_from(JobEffect)) == 0


def test_the_daily_statistics_job_gives_sqlite_its_planner_statistics(app):
    """SQLite plans without statistics until ANALYZE; db.statistics refreshes them once a day (PostgreSQL's
    autovacuum does it there, and the job leaves it alone)."""
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        if sqlite:
            db.session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
            db.session.commit()
    run = _run(app, "db.statistics")
    assert run.summary == {"analyzed": 1 if sqlite else 0}
    if sqlite:
        with app.app_context():
            tables = set(db.session.scalars(text("SELECT tbl FROM sqlite_stat1")))
        assert {"region", "alembic_version"} <= tables


# -- the admin page -----------------------------------------------------------------------------------


def test_the_admin_page_shows_each_job_with_last_and_next_run_failures_and_the_outbox(app, make, client, auth):
    from hub.core.jobs.scheduler import build, sync

    @job("tests.broken", every=timedelta(minutes=5), title="Kaputte Aufgabe")
    def broken():
        """Always fails."""
        raise RuntimeError("SMTP-Konfiguration fehlt")

    _run(app, "events.reminders")
    _run(app, "tests.broken")
    with app.app_context():
        scheduler = build(app)
        scheduler.start(paused=True)
        sync(scheduler, app)
        scheduler.shutdown(wait=False)
        failed = OutboxMessage(
            recipient="weg@example.org", subject="Nie angekommen", body="-", attempts=99, given_up_at=utcnow()
        )
        db.session.add(failed)
        db.session.commit()
    admin = make.admin()
    auth.login(admin)

    page = client.get("/admin/jobs").get_data(as_text=True)

    assert "Angemeldete an ihre Veranstaltungen erinnern" in page and "<code>events.reminders</code>" in page
    assert "alle 15 Minuten" in page
    assert "noch nicht geplant" not in page.split("events.reminders")[1].split("</tr>")[0]  # its next run is shown
    assert "SMTP-Konfiguration fehlt" in page  # the failure with its error
    assert "Nie angekommen" in page and "weg@example.org" in page

    assert client.post("/admin/jobs/outbox/retry").status_code == 302
    with app.app_context():
        attempts = select(OutboxMessage.attempts).where(OutboxMessage.recipient == "weg@example.org")
        assert db.session.scalar(attempts) == 0


@pytest.mark.parametrize("role", ["coordinator", "participant", "umbrella"])
def test_only_admins_see_the_jobs(app, make, client, auth, role):
    person = make.umbrella() if role == "umbrella" else make.user(role, REGION)
    auth.login(person)

    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/outbox/retry").status_code == 403
