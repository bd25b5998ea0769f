"""Events and the calendar through the page and through the API: the same cases end the same way and store the same.

The coordination's event tools (regions/events) and everyone's own registration in the shared calendar
(shared/calendar) had their rules around the services written twice, once per adapter. Since the action layer
(regions/events/actions.py, shared/calendar/actions.py) gave every rule one home, these drifts are gone; each
case named here failed before:

- **Only members of the region can be registered by the coordination, and "already registered"**: the page
  and the API each checked membership themselves, the API in English ("not a member of this region",
  "already registered") and naming the whole form (``_schema``) where the page named the person. Now the
  action refuses both in the page's German words, beside ``user_id``, on both ways in.
- **A registration that a twin raced past the checks** (a double click, two coordinators at once): the
  database's unique (event, person) constraint stops the second one. The pages said 422, the API 422 in
  English, and where the constraint fired at commit the calendar answered 500. Decided: 409 on both ways
  in, by the web glue (a conflict with what someone did a moment ago), nothing stored.
- **Answers to the registration questions**: the coordination's page cut an answer over 500 characters and
  stored it, the API refused it; the events API named a missing answer by its key alone, the calendar API
  inside ``answers``. Now both refuse it, named inside ``answers`` (``answer-<key>`` on the forms).
- **A refused check-in or cancellation of someone's registration**: the page flashed the reason and
  redirected as if done, the API answered 422; the API had no way at all for the coordination to cancel
  someone's registration. Now the page shows the list again with the reason (422), and the API has the
  route.
- **Saving an event unchanged**: the page detached a series date from its series and raised its SEQUENCE
  (every subscribed calendar updated it), the API changed nothing. Now a save that changes nothing changes
  nothing, on both.
- **Refusals that concern the whole form** are named ``_form`` in the API as on every page (the calendar API
  said ``_schema``).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.core.db import berlin_today, db
from hub.core.tenancy import all_regions
from tests.conftest import AuthActions
from tests.parity import CONFLICT, FORBIDDEN, NOT_FOUND, Case, UseCase, check_parity, refused

REGION = "erzgebirge"
PAGE = f"/{REGION}/events"
API = f"/api/v1/regions/{REGION}/events"
BERLIN = ZoneInfo("Europe/Berlin")
START = datetime.combine(berlin_today() + timedelta(days=30), time(18), BERLIN).astimezone(UTC)
QUESTIONS = [{"key": "org", "label": "Organisation", "required": True}]


def local(moment: datetime) -> str:
    """A time as the form's date-time field sends it: the wall clock in Berlin."""
    return moment.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def people(make) -> dict:
    """The coordination, two members of the region, someone of another region, the umbrella."""
    return {
        "coordinator": make.coordinator(REGION, name="Koordination"),
        "member": make.participant(REGION, name="Mitglied Anna"),
        "other_member": make.participant(REGION, name="Mitglied Bernd"),
        "outsider": make.participant("lausitz", name="Außen Carla"),
        "umbrella": make.umbrella(name="Dachprojekt"),
    }


def with_event(make, **fields) -> dict:
    """``people`` and a published network event with two places and a required question."""
    world = people(make)
    options = {"capacity": 2, "audience": "network", "questions": QUESTIONS, **fields}
    world["event"] = make.event(REGION, title="Werkstattabend", start=START, **options)
    return world


def stored(app, world) -> dict:
    """Events, registrations and the mail they caused, by names and values."""
    from hub.accounts.models import User
    from hub.core.mail.models import OutboxMessage
    from regions.events.models import Event, Registration

    with app.app_context(), all_regions(read_only=True):
        names = {u.id: u.name for u in db.session.scalars(select(User))}
        by_email = {u.email: u.name for u in db.session.scalars(select(User))}
        events = [
            (
                e.title,
                e.status.value,
                e.starts_at.isoformat(),
                e.capacity,
                e.sequence,
                e.detached,
                (e.registered_count, e.waitlisted_count),
                [(q["key"], q["label"], q.get("required", False)) for q in e.questions or []],
            )
            for e in db.session.scalars(select(Event).order_by(Event.starts_at, Event.title))
        ]
        registrations = sorted(
            (
                r.event.title,
                names[r.user_id],
                r.status.value,
                sorted(r.answers.items()),
                r.checked_in_at is not None,
                names.get(r.registered_by_id),
            )
            for r in db.session.scalars(select(Registration))
        )
        mails = sorted(
            (by_email.get(m.recipient, m.recipient), m.subject) for m in db.session.scalars(select(OutboxMessage))
        )
    return {"events": events, "registrations": registrations, "mails": mails}


def the(name: str):
    return lambda world: world[name].id


@pytest.fixture
def de(app):
    """The German text of a message, as pages and the API show it."""
    from flask_babel import force_locale, gettext

    def translate(msgid: str, **params) -> str:
        with app.test_request_context(), force_locale("de"):
            return gettext(msgid, **params)

    return translate


# -- the coordination's events -----------------------------------------------------------------------

EVENT = {
    "title": "Fachabend Design",
    "type": "expert",
    "starts_at": local(START),
    "ends_at": local(START + timedelta(hours=2)),
    "timezone": "Europe/Berlin",
    "audience": "network",
    "capacity": 30,
    "status": "published",
}

CREATE_AN_EVENT = UseCase(
    world=people, page=lambda world, values: f"{PAGE}/new", api=lambda world, values: f"{API}/", snapshot=stored
)


@pytest.mark.parametrize(
    "case",
    [
        Case("made by the coordination", "coordinator", EVENT),
        Case("a weekly series of three", "coordinator", {**EVENT, "repeat": "weekly", "repeat_count": 3}),
        Case("a series needs an end", "coordinator", {**EVENT, "repeat": "weekly"}, refused("repeat_count")),
        Case("an endless repeat rule", "coordinator", {**EVENT, "rrule": "FREQ=MONTHLY"}, refused("rrule")),
        Case(
            "the end before the start",
            "coordinator",
            {**EVENT, "ends_at": local(START - timedelta(hours=1))},
            refused("ends_at"),
        ),
        Case("a title is required", "coordinator", {**EVENT, "title": ""}, refused("title")),
        Case("a draft to publish later", "coordinator", {**EVENT, "status": "draft"}),
        Case("a new event cannot be cancelled", "coordinator", {**EVENT, "status": "cancelled"}, refused("status")),
        Case("a participant may not", "member", EVENT, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_creating_an_event(app, regions, client, case):
    check_parity(app, regions, client, CREATE_AN_EVENT, case)


def with_a_series(make) -> dict:
    """``people`` and a weekly series of three evenings, five places each, the first with two registered."""
    world = people(make)
    world["event"] = make.event(
        REGION, title="Peer Learning", start=START, capacity=5, audience="region", rrule="FREQ=WEEKLY;COUNT=3"
    )
    for name in ("member", "other_member"):
        make.registration(world["event"], world[name])
    return world


# The edit form as it comes back filled in: every field, as stored.
AS_STORED = {
    "title": "Peer Learning",
    "type": "network_meeting",
    "starts_at": local(START),
    "ends_at": local(START + timedelta(hours=2)),
    "timezone": "Europe/Berlin",
    "audience": "region",
    "capacity": 5,
    "status": "published",
}

CHANGE_AN_EVENT = UseCase(
    world=with_a_series,
    page=lambda world, values: f"{PAGE}/{world['event'].id}/edit",
    api=lambda world, values: f"{API}/{world['event'].id}",
    snapshot=stored,
    api_method="PATCH",
)


@pytest.mark.parametrize(
    "case",
    [
        Case("the coordination renames one evening", "coordinator", {**AS_STORED, "title": "Peer Learning spezial"}),
        Case("a save that changes nothing keeps the evening in its series", "coordinator", AS_STORED),
        Case(
            "the whole series moves an hour later",
            "coordinator",
            {
                **AS_STORED,
                "starts_at": local(START + timedelta(hours=1)),
                "ends_at": local(START + timedelta(hours=3)),
                "whole_series": True,
            },
        ),
        Case("fewer places than registered", "coordinator", {**AS_STORED, "capacity": 1}, refused("capacity")),
        Case("a participant may not", "member", AS_STORED, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_changing_an_event(app, regions, client, case):
    check_parity(app, regions, client, CHANGE_AN_EVENT, case)


CANCEL_AN_EVENT = UseCase(
    world=lambda make: {**with_a_series(make)},
    page=lambda world, values: f"{PAGE}/{values.pop('event_id', world['event'].id)}/cancel",
    api=lambda world, values: f"{API}/{values.pop('event_id', world['event'].id)}/cancel",
    snapshot=stored,
)


@pytest.mark.parametrize(
    "case",
    [
        Case("the coordination cancels, the registered people are told", "coordinator"),
        Case("a participant may not", "member", expect=FORBIDDEN),
        Case("an event that does not exist", "coordinator", {"event_id": 99999}, NOT_FOUND),
    ],
    ids=lambda case: case.name,
)
def test_cancelling_an_event(app, regions, client, case):
    check_parity(app, regions, client, CANCEL_AN_EVENT, case)


# -- the coordination registers someone ---------------------------------------------------------------


def answers_on_the_form(values: dict) -> dict:
    """The registration forms name each answer ``answer-<key>``; the API sends them inside ``answers``."""
    form = {k: v for k, v in values.items() if k != "answers"}
    form.update({f"answer-{key}": answer for key, answer in values.get("answers", {}).items()})
    return form


def answer_field(name: str) -> str:
    return "answers" if name.startswith("answer-") else name


def with_event_and_a_registration(make) -> dict:
    world = with_event(make)
    make.registration(world["event"], world["other_member"], {"org": "Werkstatt Bernd"})
    return world


REGISTER_SOMEONE = UseCase(
    world=with_event_and_a_registration,
    page=lambda world, values: f"{PAGE}/{world['event'].id}/registrations",
    api=lambda world, values: f"{API}/{world['event'].id}/registrations",
    snapshot=stored,
    form=lambda world, values: answers_on_the_form(values),
    page_field=answer_field,
)
SOMEONE = {"user_id": the("member"), "answers": {"org": "Atelier Anna"}}


@pytest.mark.parametrize(
    "case",
    [
        Case("a member of the region", "coordinator", SOMEONE),
        Case("someone of another region", "coordinator", {**SOMEONE, "user_id": the("outsider")}, refused("user_id")),
        Case("nobody by that id", "coordinator", {**SOMEONE, "user_id": 99999}, refused("user_id")),
        Case(
            "someone registered already",
            "coordinator",
            {**SOMEONE, "user_id": the("other_member")},
            refused("user_id"),
        ),
        Case("the required answer missing", "coordinator", {"user_id": the("member")}, refused("answers")),
        Case(
            "an answer over 500 characters",
            "coordinator",
            {"user_id": the("member"), "answers": {"org": "x" * 501}},
            refused("answers"),
        ),
        Case("a participant may not", "member", SOMEONE, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_the_coordination_registers_someone(app, regions, client, case):
    check_parity(app, regions, client, REGISTER_SOMEONE, case)


def test_the_coordination_cannot_register_for_a_draft(app, regions, client):
    use = UseCase(**{**REGISTER_SOMEONE.__dict__, "world": lambda make: with_event(make, status="draft")})
    check_parity(app, regions, client, use, Case("a draft", "coordinator", SOMEONE, refused("_form")))


@pytest.fixture
def a_twin_raced_past_the_checks(monkeypatch):
    """Every registration's check for an earlier one sees none, as a twin request does that checked a moment
    before the first one committed: the database's unique (event, person) constraint has to stop it."""
    from regions.events import services

    monkeypatch.setattr(services, "registration_of", lambda event, user: None)


def test_registering_someone_whom_a_twin_registered_a_moment_ago_is_a_conflict(
    app, regions, client, a_twin_raced_past_the_checks
):
    twin = Case("registered a moment ago", "coordinator", {**SOMEONE, "user_id": the("other_member")}, CONFLICT)
    check_parity(app, regions, client, REGISTER_SOMEONE, twin)


@pytest.mark.parametrize(
    "values,message",
    [
        ({**SOMEONE, "user_id": the("outsider")}, "Please choose a member of the region."),
        ({**SOMEONE, "user_id": the("other_member")}, "This person is registered already."),
    ],
    ids=["not a member", "registered already"],
)
def test_the_page_and_the_api_refuse_someone_in_the_same_words(app, make, client, de, values, message):
    world = with_event_and_a_registration(make)
    values = {k: (v(world) if callable(v) else v) for k, v in values.items()}
    AuthActions(client).login(world["coordinator"])
    page = client.post(f"{PAGE}/{world['event'].id}/registrations", data=answers_on_the_form(values))
    client.post("/logout")
    token = make.access_token(world["coordinator"]).extra
    api = client.post(
        f"{API}/{world['event'].id}/registrations", json=values, headers={"Authorization": f"Bearer {token}"}
    )
    assert (page.status_code, api.status_code) == (422, 422)
    assert de(message) in page.get_data(as_text=True)
    assert api.get_json()["errors"]["json"] == {"user_id": [de(message)]}


# -- the coordination checks in and cancels -----------------------------------------------------------


def with_a_full_event(make) -> dict:
    """``with_event``: its two places taken (by the members), a third person waiting."""
    world = with_event(make)
    world["third"] = make.participant(REGION, name="Mitglied Clara")
    world["registered"] = make.registration(world["event"], world["member"], {"org": "A"})
    make.registration(world["event"], world["other_member"], {"org": "B"})
    world["waiting"] = make.registration(world["event"], world["third"], {"org": "C"})
    return world


CHECK_IN = UseCase(
    world=with_a_full_event,
    page=lambda world, values: f"{PAGE}/registrations/{values.pop('registration')}/check-in",
    api=lambda world, values: f"{API}/registrations/{values.pop('registration')}/check-in",
    snapshot=stored,
)


def registration(name: str):
    """The registration's id: it names the URL (the use case takes it out of the body)."""
    return lambda world: world[name].id


@pytest.mark.parametrize(
    "case",
    [
        Case(
            "someone registered is there", "coordinator", {"registration": registration("registered"), "present": True}
        ),
        Case(
            "someone on the waiting list cannot be",
            "coordinator",
            {"registration": registration("waiting"), "present": True},
            refused("_form"),
        ),
        Case("a participant may not", "member", {"registration": registration("registered")}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_checking_someone_in(app, regions, client, case):
    check_parity(app, regions, client, CHECK_IN, case)


def with_a_cancelled_registration(make) -> dict:
    """``with_a_full_event`` and a fourth person who waited and cancelled."""
    from regions.events import services
    from regions.events.models import Registration

    world = with_a_full_event(make)
    world["cancelled"] = make.registration(world["event"], make.participant(REGION, name="Mitglied Dora"), {"org": "D"})
    with make.inside(REGION):
        services.cancel_registration(db.session.get(Registration, world["cancelled"].id))
        db.session.commit()
    return world


CANCEL_SOMEONES_REGISTRATION = UseCase(
    world=with_a_cancelled_registration,
    page=lambda world, values: f"{PAGE}/registrations/{values.pop('registration')}/cancel",
    api=lambda world, values: f"{API}/registrations/{values.pop('registration')}/cancel",
    snapshot=stored,
)


@pytest.mark.parametrize(
    "case",
    [
        Case("the first one waiting moves up", "coordinator", {"registration": registration("registered")}),
        Case("cancelled already", "coordinator", {"registration": registration("cancelled")}, refused("_form")),
        Case("a participant may not", "member", {"registration": registration("registered")}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_cancelling_someones_registration(app, regions, client, case):
    check_parity(app, regions, client, CANCEL_SOMEONES_REGISTRATION, case)


# -- everyone's own registration in the calendar ------------------------------------------------------

REGISTER_ONESELF = UseCase(
    world=with_event_and_a_registration,
    page=lambda world, values: f"/calendar/events/{values.pop('event_id', world['event'].id)}/register",
    api=lambda world, values: f"/api/v1/calendar/events/{values.pop('event_id', world['event'].id)}/registration",
    snapshot=stored,
    form=lambda world, values: answers_on_the_form(values),
    page_field=answer_field,
)
MINE = {"answers": {"org": "Atelier"}}


@pytest.mark.parametrize(
    "case",
    [
        Case("a member of the region", "member", MINE),
        Case("a member of another region (a network event)", "outsider", MINE),
        Case("the required answer missing", "member", {}, refused("answers")),
        Case("an answer over 500 characters", "member", {"answers": {"org": "x" * 501}}, refused("answers")),
        Case("registered already", "other_member", MINE, refused("_form")),
        Case("the umbrella reads but does not register", "umbrella", MINE, FORBIDDEN),
        Case("an event that does not exist", "member", {**MINE, "event_id": 99999}, NOT_FOUND),
    ],
    ids=lambda case: case.name,
)
def test_registering_oneself(app, regions, client, case):
    check_parity(app, regions, client, REGISTER_ONESELF, case)


def test_registering_oneself_for_an_event_of_the_region_only_is_not_found_elsewhere(app, regions, client):
    use = UseCase(**{**REGISTER_ONESELF.__dict__, "world": lambda make: with_event(make, audience="region")})
    check_parity(app, regions, client, use, Case("another region's event", "outsider", MINE, NOT_FOUND))


def test_registering_oneself_twice_at_the_same_moment_is_a_conflict(app, regions, client, a_twin_raced_past_the_checks):
    check_parity(app, regions, client, REGISTER_ONESELF, Case("a double click", "other_member", MINE, CONFLICT))


CANCEL_ONESELF = UseCase(
    world=with_a_full_event,
    page=lambda world, values: f"/calendar/events/{world['event'].id}/cancel",
    api=lambda world, values: f"/api/v1/calendar/events/{world['event'].id}/registration",
    snapshot=stored,
    api_method="DELETE",
)


@pytest.mark.parametrize(
    "case",
    [
        Case("one's place goes to the first one waiting", "member"),
        Case("one's place on the waiting list", "third"),
        Case("not registered", "outsider", expect=refused("_form")),
    ],
    ids=lambda case: case.name,
)
def test_cancelling_ones_own_registration(app, regions, client, case):
    check_parity(app, regions, client, CANCEL_ONESELF, case)


# -- the database refuses the registration at commit ---------------------------------------------------


@pytest.fixture
def refused_at_commit(monkeypatch):
    """The database refuses a new registration only at commit, as if its twin had committed a moment before."""
    from sqlalchemy import event

    from hub.core.db import TenantSession
    from regions.events.models import Registration

    def note_new_registrations(session, flush_context, instances):
        registering = has_request_context() and "regist" in (request.endpoint or "").lower()  # not the setting up
        if registering and any(isinstance(o, Registration) for o in session.new):
            session.info["new registration"] = True

    original = TenantSession.commit

    def commit(session):
        if session.info.pop("new registration", False):
            session.rollback()
            raise IntegrityError("INSERT INTO registration", {}, Exception("UNIQUE constraint failed"))
        return original(session)

    monkeypatch.setattr(TenantSession, "commit", commit)
    event.listen(TenantSession, "before_flush", note_new_registrations)
    yield
    event.remove(TenantSession, "before_flush", note_new_registrations)


@pytest.mark.parametrize(
    "use,case",
    [
        (REGISTER_SOMEONE, Case("the coordination registers someone", "coordinator", SOMEONE, CONFLICT)),
        (REGISTER_ONESELF, Case("a person registers", "member", MINE, CONFLICT)),
    ],
    ids=["the coordination", "the calendar"],
)
def test_a_registration_the_database_refuses_at_commit_is_a_conflict(
    app, regions, client, refused_at_commit, use, case
):
    check_parity(app, regions, client, use, case)
