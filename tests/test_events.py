"""Events of a region: the coordination's tools, series across DST, capacity and the waiting list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hub.accounts.models import User
from hub.core.db import db
from hub.core.mail.models import OutboxMessage
from hub.core.tenancy import all_regions, region_scope
from hub.notifications.models import Notification
from regions.events import services
from regions.events.models import Event, Registration
from regions.events.vocab import RegistrationStatus
from tests.concurrency import Pause, in_background, in_processes
from tests.factories import PASSWORD
from tests.pages import field_error, said, shown


def _event(app, event_id) -> Event:
    with app.app_context(), all_regions():
        event = db.session.get(Event, event_id)
        db.session.expunge(event)
        return event


def _events(app, **where) -> list[Event]:
    with app.app_context(), all_regions():
        rows = db.session.scalars(select(Event).filter_by(**where).order_by(Event.starts_at)).all()
        db.session.expunge_all()
        return rows


def _statuses(app, event_id) -> dict[str, int]:
    with app.app_context(), all_regions():
        rows = db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        ).all()
    return {RegistrationStatus(s).value: n for s, n in rows}


FORM = {
    "title": "Fachveranstaltung Digitalisierung",
    "type": "expert",
    "starts_at": "2026-03-29T10:00",
    "ends_at": "2026-03-29T12:30",
    "timezone": "Europe/Berlin",
    "audience": "network",
    "capacity": "30",
    "status": "published",
    "venue": "Kulturhaus",
    "address": "Markt 1, 08289 Schneeberg",
}


@pytest.fixture
def coordinator(make, auth):
    person = make.coordinator("erzgebirge")
    auth.login(person)
    return person


def test_coordinator_creates_an_event_in_berlin_time(app, client, coordinator):
    response = client.post("/erzgebirge/events/new", data=FORM)
    assert response.status_code == 302
    [event] = _events(app)
    # 29 March 2026 is the day summer time starts: 10:00 in Berlin is 08:00 UTC.
    assert event.starts_at == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 3, 29, 10, 30, tzinfo=UTC)
    assert event.capacity == 30 and event.audience.value == "network"
    page = client.get(f"/erzgebirge/events/{event.id}/registrations").get_data(as_text=True)
    assert "Fachveranstaltung Digitalisierung" in page and "10:00" in page


def test_a_monthly_series_keeps_its_local_time_across_daylight_saving(app, client, coordinator):
    data = {
        **FORM,
        "starts_at": "2026-02-10T18:00",
        "ends_at": "2026-02-10T20:00",
        "repeat": "monthly",
        "repeat_count": "4",
    }
    assert client.post("/erzgebirge/events/new", data=data).status_code == 302
    events = _events(app)
    assert [e.starts_at.astimezone(services.ZoneInfo("Europe/Berlin")).strftime("%m-%d %H:%M") for e in events] == [
        "02-10 18:00",
        "03-10 18:00",
        "04-10 18:00",
        "05-10 18:00",
    ]
    assert [e.starts_at.hour for e in events] == [17, 17, 16, 16]  # UTC moves, the wall clock does not
    assert len({e.series_id for e in events}) == 1 and len({e.uid for e in events}) == 4


def test_an_endless_repeat_rule_is_refused(app, ctx, regions):
    with region_scope(regions["erzgebirge"].id):
        start = datetime(2026, 5, 1, 8, tzinfo=UTC)
        with pytest.raises(services.EventError):
            services.create_event(
                {"title": "Peer Learning"}, starts_at=start, ends_at=start + timedelta(hours=1), rrule="FREQ=MONTHLY"
            )
        with pytest.raises(services.EventError):
            services.create_event(
                {"title": "Peer Learning"},
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                rrule="FREQ=DAILY;COUNT=1000",
            )
    db.session.rollback()


def test_one_occurrence_can_be_changed_or_cancelled_on_its_own(app, make, regions):
    first = make.event(
        "erzgebirge", title="Peer Learning", start=datetime(2026, 6, 2, 15, tzinfo=UTC), rrule="FREQ=WEEKLY;COUNT=3"
    )
    with app.app_context(), region_scope(regions["erzgebirge"].id):
        events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
        services.update_event(
            events[1],
            {"title": "Peer Learning (verschoben)"},
            starts_at=events[1].starts_at + timedelta(hours=1),
            ends_at=events[1].ends_at + timedelta(hours=1),
        )
        services.cancel_event(events[2])
        db.session.commit()
        services.update_event(events[0], {"title": "Peer Learning neu"}, whole_series=True)
        db.session.commit()
    titles = [(e.title, e.status.value, e.detached) for e in _events(app)]
    assert titles == [
        ("Peer Learning neu", "published", False),
        ("Peer Learning (verschoben)", "published", True),
        ("Peer Learning", "cancelled", True),
    ]
    assert first.id == _events(app)[0].id


@pytest.mark.parametrize(
    "field,value,message_field",
    [
        ("ends_at", "2026-03-29T09:00", "ends_at"),
        ("starts_at", "29.03.2026 10:00", "starts_at"),
        ("title", "", "title"),
        ("capacity", "0", "capacity"),
        ("audience", "everyone", "audience"),
        ("timezone", "Mars/Olympus", "timezone"),
        ("online_url", "javascript:alert(1)", "online_url"),
    ],
)
def test_bad_event_input_is_explained_beside_the_field_and_changes_nothing(
    app, client, coordinator, field, value, message_field
):
    response = client.post("/erzgebirge/events/new", data={**FORM, field: value})
    assert response.status_code == 422
    assert f'id="e-{message_field}"' in response.get_data(as_text=True)
    assert _events(app) == []


def _status_choices(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="status" value="([a-z]+)"', page)


def test_a_new_event_is_offered_draft_or_published_and_an_existing_one_also_cancelled(client, coordinator, make):
    assert _status_choices(client.get("/erzgebirge/events/new").get_data(as_text=True)) == ["draft", "published"]
    event = make.event("erzgebirge")
    page = client.get(f"/erzgebirge/events/{event.id}/edit").get_data(as_text=True)
    assert _status_choices(page) == ["draft", "published", "cancelled"]


def test_a_new_event_cannot_start_cancelled(app, client, coordinator):
    response = client.post("/erzgebirge/events/new", data={**FORM, "status": "cancelled"})
    assert response.status_code == 422
    message = shown(app, "A new event is a draft or published; only an existing event can be cancelled.")
    assert field_error(response.get_data(as_text=True), "status") == message
    assert _events(app) == []


def test_the_events_and_registrations_become_labelled_cards_on_phones(app, client, coordinator, make):
    """Stacked tables: every value cell names its column; a row's buttons sit in their own group, named
    after the person, and never in a cell of values."""
    event = make.event("erzgebirge", title="Werkstattabend", capacity=1)
    make.registration(event, make.participant("erzgebirge", name="Anna Atelier"))
    make.registration(event, make.participant("erzgebirge", name="Bernd Bühne"))
    for url in ("/erzgebirge/events/", f"/erzgebirge/events/{event.id}/registrations"):
        page = client.get(url).get_data(as_text=True)
        table = page[page.index('<table class="stack') : page.index("</table>")]
        cells = re.findall(r"<td( [^>]*)?>", table)
        assert cells and all('data-label="' in c or 'class="row-actions"' in c for c in cells), url
    page = client.get(f"/erzgebirge/events/{event.id}/registrations").get_data(as_text=True)
    actions = re.findall(r'<td class="row-actions">\s*<div class="actions">(.*?)</div>\s*</td>', page, re.S)
    assert len(actions) == 2
    assert 'visually-hidden">: Anna Atelier</span>' in actions[0]
    assert 'visually-hidden">: Bernd Bühne</span>' in actions[1]


def test_capacity_cannot_drop_below_the_registrations(app, client, coordinator, make):
    event = make.event("erzgebirge", capacity=5)
    for _ in range(3):
        make.registration(event, make.participant("erzgebirge"))
    local = _event(app, event.id).starts_at.astimezone(services.ZoneInfo("Europe/Berlin"))
    data = {
        **FORM,
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "2",
    }
    response = client.post(f"/erzgebirge/events/{event.id}/edit", data=data)
    assert response.status_code == 422
    assert 'id="e-capacity"' in response.get_data(as_text=True)
    assert _event(app, event.id).capacity == 5


def test_full_event_fills_the_waiting_list_and_a_freed_place_moves_the_first_up(app, make):
    event = make.event("erzgebirge", capacity=2)
    people = [make.participant("erzgebirge") for _ in range(4)]
    made = [make.registration(event, p) for p in people]
    assert [m.extra for m in made] == ["registered", "registered", "waitlisted", "waitlisted"]
    with app.app_context(), region_scope(make.regions["erzgebirge"].id):
        services.cancel_registration(db.session.get(Registration, made[0].id))
        db.session.commit()
    assert _statuses(app, event.id) == {"registered": 2, "waitlisted": 1, "cancelled": 1}
    with app.app_context(), all_regions():
        moved = db.session.get(Registration, made[2].id)
        assert moved.status == RegistrationStatus.REGISTERED
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == people[2].email)).all()
        assert len(mails) == 1
    ev = _event(app, event.id)
    assert (ev.registered_count, ev.waitlisted_count) == (2, 1)


def test_raising_the_capacity_moves_waiting_people_up(app, make):
    event = make.event("erzgebirge", capacity=1)
    made = [make.registration(event, make.participant("erzgebirge")) for _ in range(3)]
    with app.app_context(), region_scope(make.regions["erzgebirge"].id):
        ev = db.session.get(Event, event.id)
        services.update_event(ev, {"capacity": 3})
        db.session.commit()
    assert _statuses(app, event.id) == {"registered": 3}
    assert len(made) == 3


@pytest.mark.parametrize(
    "setup,message",
    [
        ("cancelled", "This event has been cancelled."),
        ("draft", "This event is not open for registration yet."),
        ("deadline", "The registration deadline has passed."),
        ("twice", "You are registered already."),
    ],
)
def test_registrations_that_cannot_be_made_are_refused(app, make, setup, message):
    past_deadline = datetime.now(UTC) - timedelta(hours=1)
    event = make.event(
        "erzgebirge",
        status="draft" if setup == "draft" else "published",
        registration_deadline=past_deadline if setup == "deadline" else None,
    )
    person = make.participant("erzgebirge")
    if setup == "twice":
        make.registration(event, person)
    with app.app_context(), app.test_request_context(), region_scope(make.regions["erzgebirge"].id):
        from hub.accounts.models import User

        ev = db.session.get(Event, event.id)
        if setup == "cancelled":
            services.cancel_event(ev)
            db.session.commit()
        with pytest.raises(services.EventError) as refused:
            services.register(ev, db.session.get(User, person.id))
        assert refused.value.message == message  # the msgid; the user sees it translated
        db.session.rollback()
    assert _statuses(app, event.id).get("registered", 0) == (1 if setup == "twice" else 0)


def test_required_questions_must_be_answered(app, make):
    event = make.event("erzgebirge", questions=[{"key": "q1", "label": "Organisation?", "required": True}])
    with pytest.raises(services.EventError):
        make.registration(event, make.participant("erzgebirge"), {"q1": "  "})
    made = make.registration(event, make.participant("erzgebirge"), {"q1": "Alte Brauerei"})
    with app.app_context(), all_regions():
        assert db.session.get(Registration, made.id).answers == {"q1": "Alte Brauerei"}


def test_coordinator_registers_a_member_and_checks_them_in(app, client, coordinator, make):
    event = make.event("erzgebirge", questions=[{"key": "q1", "label": "Essen?", "required": False}])
    member = make.participant("erzgebirge", name="Prozessberatung Muster")
    response = client.post(
        f"/erzgebirge/events/{event.id}/registrations", data={"user_id": member.id, "answer-q1": "vegan"}
    )
    assert response.status_code == 302
    with app.app_context(), all_regions():
        registration = db.session.scalar(select(Registration).where(Registration.event_id == event.id))
        assert registration.registered_by_id == coordinator.id and registration.answers == {"q1": "vegan"}
    assert (
        client.post(f"/erzgebirge/events/registrations/{registration.id}/check-in", data={"present": "1"}).status_code
        == 302
    )
    with app.app_context(), all_regions():
        assert db.session.get(Registration, registration.id).checked_in_at is not None


def test_coordinator_cannot_register_someone_from_another_region(app, client, coordinator, make):
    event = make.event("erzgebirge")
    outsider = make.participant("lausitz")
    response = client.post(f"/erzgebirge/events/{event.id}/registrations", data={"user_id": outsider.id})
    assert response.status_code == 422
    assert _statuses(app, event.id) == {}


def test_registrations_export_opens_in_german_excel(app, client, coordinator, make):
    import csv
    import io

    from openpyxl import load_workbook

    event = make.event("erzgebirge", questions=[{"key": "q1", "label": "Organisation", "required": False}])
    make.registration(event, make.participant("erzgebirge", name="Jürgen Größe"), {"q1": "=SUMME(A1)"})
    raw = client.get(f"/erzgebirge/events/{event.id}/registrations.csv").data
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Name" and rows[1][0] == "Jürgen Größe" and rows[1][-1] == "'=SUMME(A1)"
    book = load_workbook(io.BytesIO(client.get(f"/erzgebirge/events/{event.id}/registrations.xlsx").data))
    sheet = book.active
    assert sheet.cell(2, 1).value == "Jürgen Größe" and sheet.cell(2, 6).value == "=SUMME(A1)"
    assert sheet.cell(2, 6).data_type == "s"


def test_cancelling_an_event_tells_the_registered_people(app, client, coordinator, make):
    event = make.event("erzgebirge")
    attendee = make.participant("erzgebirge")
    make.registration(event, attendee)
    assert client.post(f"/erzgebirge/events/{event.id}/cancel").status_code == 302
    ev = _event(app, event.id)
    assert ev.status.value == "cancelled" and ev.sequence == 1
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == attendee.email)
            )
            == 1
        )


def _edit_form(app, event_id, **changes) -> dict:
    """The edit form as the page fills it in for the event, with some fields changed."""
    event = _event(app, event_id)
    local = event.starts_at.astimezone(services.ZoneInfo("Europe/Berlin"))
    end = event.ends_at.astimezone(services.ZoneInfo("Europe/Berlin"))
    form = {
        **FORM,
        "title": event.title,
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "audience": event.audience.value,
        "capacity": str(event.capacity or ""),
        "status": event.status.value,
        "venue": event.venue,
        "address": event.address,
    }
    return {**form, **changes}


def test_saving_the_edit_form_keeps_the_questions_keys_and_which_are_required(app, client, coordinator, make):
    """The answers refer to a question's key; the form's text shows the labels, required ones with a *."""
    event = make.event("erzgebirge", questions=[{"key": "org", "label": "Organisation", "required": True}])
    make.registration(event, make.participant("erzgebirge", name="Anna Atelier"), {"org": "Atelier Blau"})
    page = client.get(f"/erzgebirge/events/{event.id}/edit").get_data(as_text=True)
    assert ">Organisation *</textarea>" in page
    form = _edit_form(app, event.id, questions_text="Essenswunsch\nOrganisation *")
    assert client.post(f"/erzgebirge/events/{event.id}/edit", data=form).status_code == 302
    assert _event(app, event.id).questions == [
        {"key": "q1", "label": "Essenswunsch", "required": False},
        {"key": "org", "label": "Organisation", "required": True},
    ]
    export = client.get(f"/erzgebirge/events/{event.id}/registrations.csv").data.decode("utf-8-sig")
    assert "Atelier Blau" in export


def test_cancelling_by_the_status_field_tells_the_registered_people_as_the_button_does(app, client, coordinator, make):
    event = make.event("erzgebirge")
    attendee = make.participant("erzgebirge")
    make.registration(event, attendee)
    form = _edit_form(app, event.id, status="cancelled")
    assert client.post(f"/erzgebirge/events/{event.id}/edit", data=form).status_code == 302
    assert _event(app, event.id).status.value == "cancelled"
    with app.app_context():
        recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients == [attendee.email]


def test_participants_have_no_event_tools(client, auth, make):
    auth.login(make.participant("erzgebirge"))
    assert client.get("/erzgebirge/events/").status_code == 403
    assert client.post("/erzgebirge/events/new", data=FORM).status_code == 403


# -- capacity under concurrency --------------------------------------------------------------------


def _register_many(database_url: str, event_id: int, region_id: int, user_ids: list[int], barrier) -> list[str]:
    """One worker process: its own app and connections, registering its users as fast as it can."""
    from hub import create_app
    from hub.accounts.models import User
    from hub.core.db import in_transaction
    from tests.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    outcomes = []
    with app.app_context(), app.test_request_context():
        barrier.wait(timeout=30)  # a worker that failed to start breaks the barrier instead of hanging
        for user_id in user_ids:
            with region_scope(region_id):

                def work(user_id=user_id):
                    return services.register(db.session.get(Event, event_id), db.session.get(User, user_id)).status

                outcomes.append(in_transaction(work).value)
        db.engine.dispose()
    return outcomes


@pytest.mark.slow
@pytest.mark.processes
def test_capacity_holds_under_200_simultaneous_registrations_from_several_processes(app, make):
    event = make.event("erzgebirge", capacity=50)
    people = [make.participant("erzgebirge", password=PASSWORD) for _ in range(200)]
    workers = 4
    ids = [p.id for p in people]
    database, region_id = app.config["SQLALCHEMY_DATABASE_URI"], make.regions["erzgebirge"].id
    results = in_processes(_register_many, [(database, event.id, region_id, ids[i::workers]) for i in range(workers)])
    outcomes = [o for chunk in results for o in chunk]
    assert outcomes.count("registered") == 50 and outcomes.count("waitlisted") == 150
    assert _statuses(app, event.id) == {"registered": 50, "waitlisted": 150}
    ev = _event(app, event.id)
    assert (ev.registered_count, ev.waitlisted_count) == (50, 150)


def _cancel_many(database_url: str, region_id: int, registration_ids: list[int], barrier) -> list[str]:
    """One worker process: its own app and connections, cancelling its registrations as fast as it can."""
    from hub import create_app
    from hub.core.db import in_transaction
    from tests.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    outcomes = []
    with app.app_context(), app.test_request_context():
        barrier.wait(timeout=30)
        for registration_id in registration_ids:
            with region_scope(region_id):
                try:
                    in_transaction(
                        lambda i=registration_id: services.cancel_registration(db.session.get(Registration, i))
                    )
                    outcomes.append("cancelled")
                except services.EventError:
                    db.session.rollback()
                    outcomes.append("refused")
        db.engine.dispose()
    return outcomes


@pytest.mark.slow
@pytest.mark.processes
def test_cancellations_from_several_processes_while_places_free_up_all_win_and_the_queue_moves_in_order(app, make):
    """10 places, 30 waiting; 8 holders and 16 of those waiting cancel at once, from four processes."""
    event = make.event("erzgebirge", capacity=10)
    made = [make.registration(event, make.participant("erzgebirge", password=PASSWORD)) for _ in range(40)]
    holders, waiting = made[:10], made[10:]
    leaving_holders, leaving_waiting = holders[:8], [*waiting[:2], *waiting[2::2]]  # the first two waiting, too
    cancelling = leaving_holders + leaving_waiting
    # Holders and waiting people take turns, so each freed place moves up someone who may be cancelling too.
    order = [r.id for pair in zip(leaving_holders, leaving_waiting[:8], strict=True) for r in pair]
    order += [r.id for r in leaving_waiting[8:]]
    workers = 4
    database, region_id = app.config["SQLALCHEMY_DATABASE_URI"], make.regions["erzgebirge"].id
    results = in_processes(_cancel_many, [(database, region_id, order[i::workers]) for i in range(workers)])
    assert [o for chunk in results for o in chunk] == ["cancelled"] * len(cancelling), "no cancellation refused"
    with app.app_context(), all_regions():
        statuses = {r.id: r.status.value for r in db.session.scalars(select(Registration))}
    staying = [r.id for r in made if r not in cancelling]
    assert all(statuses[r.id] == "cancelled" for r in cancelling)
    # Whoever stays: the two holders, then the waiting list in its order fills the free places.
    assert [statuses[i] for i in staying] == ["registered"] * 10 + ["waitlisted"] * 6
    ev = _event(app, event.id)
    assert (ev.registered_count, ev.waitlisted_count) == (10, 6)
    # "A place is free for you" reaches exactly those who moved up and kept the place: someone promoted
    # while cancelling their waiting-list place is not told of a place they no longer hold.
    moved_up = [r.id for r in waiting if r not in cancelling and statuses[r.id] == "registered"]
    with app.app_context(), all_regions():
        moved_up_people = set(db.session.scalars(select(Registration.user_id).where(Registration.id.in_(moved_up))))
    assert len(moved_up_people) == 8 and _promotion_notices(app, event) == moved_up_people


def _promotion_notices(app, event) -> set[int]:
    """Who is told "a place is free for you" (unsent or sent e-mail, in-app notice): the ids of their accounts."""
    subject = said(app, "A place is free for you: %(title)s", title=event.name)
    with app.app_context(), all_regions():
        mailed = set(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.subject == subject)))
        users = {u.email: u.id for u in db.session.scalars(select(User))}
        noticed = set(db.session.scalars(select(Notification.user_id).where(Notification.subject == subject)))
    assert {users[email] for email in mailed} == noticed
    return noticed


def _browser(app, person):
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("who", ["the person", "the coordination"])
def test_a_waiting_person_who_cancels_as_their_place_frees_up_ends_up_cancelled(app, make, monkeypatch, who):
    """The cancellation wins over the promotion; the freed place goes to the next one waiting."""
    event = make.event("erzgebirge", capacity=1)
    holder, waiting, next_in_line = (make.participant("erzgebirge", password=PASSWORD) for _ in range(3))
    made = {p.id: make.registration(event, p) for p in (holder, waiting, next_in_line)}
    assert [m.extra for m in made.values()] == ["registered", "waitlisted", "waitlisted"]
    canceller = _browser(app, waiting if who == "the person" else make.coordinator("erzgebirge"))
    url = (
        f"/calendar/events/{event.id}/cancel"
        if who == "the person"
        else f"/erzgebirge/events/registrations/{made[waiting.id].id}/cancel"
    )
    # The waiting person's cancellation has read their registration ("waiting") when the holder gives
    # the place back, which moves the first one waiting up.
    pause = Pause(monkeypatch, services, "cancel_registration")
    cancelling = in_background(lambda: canceller.post(url, follow_redirects=True))
    pause.wait_until_reached()
    assert _browser(app, holder).post(f"/calendar/events/{event.id}/cancel").status_code == 302
    pause.resume()

    answer = cancelling()
    assert answer.status_code == 200, answer.get_data(as_text=True)
    with app.app_context(), all_regions():
        statuses = {r.user_id: r.status.value for r in db.session.scalars(select(Registration))}
        mails = db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject)).all()
    assert statuses == {holder.id: "cancelled", waiting.id: "cancelled", next_in_line.id: "registered"}
    assert (next_in_line.email, said(app, "A place is free for you: %(title)s", title=event.name)) in mails
    ev = _event(app, event.id)
    assert (ev.registered_count, ev.waitlisted_count) == (1, 0)


def test_a_waiting_person_promoted_while_cancelling_is_not_told_of_the_place(app, make, monkeypatch):
    """The holder gives the place back after the waiting person clicked "cancel" but before that request
    got to their registration: the promotion commits, then the cancellation. The notice of the place is
    taken back with it; the next one waiting gets the place and the notice."""
    from shared.calendar import services as calendar

    event = make.event("erzgebirge", capacity=1)
    holder, waiting, next_in_line = (make.participant("erzgebirge", password=PASSWORD) for _ in range(3))
    for person in (holder, waiting, next_in_line):
        make.registration(event, person)
    pause = Pause(monkeypatch, calendar, "_locked_registration")
    cancelling = in_background(
        lambda: _browser(app, waiting).post(f"/calendar/events/{event.id}/cancel", follow_redirects=True)
    )
    pause.wait_until_reached()
    assert _browser(app, holder).post(f"/calendar/events/{event.id}/cancel").status_code == 302
    with app.app_context(), all_regions():
        promoted = db.session.scalar(select(Registration).where(Registration.user_id == waiting.id))
        assert promoted.status == RegistrationStatus.REGISTERED, "the place went to the waiting person first"
    pause.resume()

    assert cancelling().status_code == 200
    with app.app_context(), all_regions():
        statuses = {r.user_id: r.status.value for r in db.session.scalars(select(Registration))}
    assert statuses == {holder.id: "cancelled", waiting.id: "cancelled", next_in_line.id: "registered"}
    assert _promotion_notices(app, event) == {next_in_line.id}


def test_cancelling_twice_changes_the_counters_once(app, make):
    event = make.event("erzgebirge", capacity=2)
    made = make.registration(event, make.participant("erzgebirge"))
    with app.app_context(), region_scope(make.regions["erzgebirge"].id):
        stale = db.session.get(Registration, made.id)
        db.session.expunge(stale)  # a second request that read "registered" before the first cancelled
        services.cancel_registration(db.session.get(Registration, made.id))
        db.session.commit()
        fresh = db.session.merge(stale, load=False)
        with pytest.raises(services.EventError):
            services.cancel_registration(fresh)
        db.session.rollback()
    ev = _event(app, event.id)
    assert (ev.registered_count, ev.waitlisted_count) == (0, 0)


def test_nobody_moves_up_into_a_cancelled_event(app, make):
    event = make.event("erzgebirge", capacity=1)
    first = make.registration(event, make.participant("erzgebirge"))
    waiting = make.registration(event, make.participant("erzgebirge"))
    with app.app_context(), region_scope(make.regions["erzgebirge"].id):
        services.cancel_event(services.get_event(event.id))
        services.cancel_registration(db.session.get(Registration, first.id))
        db.session.commit()
        assert db.session.get(Registration, waiting.id).status == RegistrationStatus.WAITLISTED
