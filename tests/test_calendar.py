"""The shared calendar: every event a person may see across regions, the event page, self-registration,
and the same in the JSON API."""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hub.core.db import db
from hub.core.glue import CONFLICT_MESSAGE
from hub.core.tenancy import all_regions, region_scope
from regions.events.vocab import Audience, EventStatus, EventType
from tests.factories import PASSWORD
from tests.pages import CONFIRMED
from tests.statements import counted

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year, month, day, hour=0, minute=0) -> datetime:
    """A wall-clock time in Berlin as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def soon(days=10, hour=18) -> datetime:
    """A moment some days ahead, so that registration is open."""
    day = datetime.now(BERLIN).date() + timedelta(days=days)
    return berlin(day.year, day.month, day.day, hour)


@pytest.fixture
def de(app):
    """The German text of a message, as pages and e-mails show it (the English msgid until translated)."""
    from flask_babel import force_locale, gettext

    def translate(msgid: str, **params) -> str:
        with app.test_request_context(), force_locale("de"):
            return gettext(msgid, **params)

    return translate


@pytest.fixture
def make_event(app, regions):
    """make_event("erzgebirge", "Title", starts_at=..., audience=..., ...) → the event's id."""

    def create(
        region: str,
        title: str,
        *,
        starts_at: datetime | None = None,
        hours: float = 2,
        ends_at: datetime | None = None,
        type: EventType = EventType.NETWORK_MEETING,
        audience: Audience = Audience.NETWORK,
        status: EventStatus = EventStatus.PUBLISHED,
        capacity: int | None = None,
        questions: list[dict] | None = None,
        **extra,
    ) -> int:
        from regions.events import services

        start = starts_at or soon()
        data = {
            "title": title,
            "type": type,
            "audience": audience,
            "status": status,
            "capacity": capacity,
            "questions": questions or [],
            **extra,
        }
        with app.app_context(), app.test_request_context(), region_scope(regions[region].id):
            event = services.create_event(data, starts_at=start, ends_at=ends_at or start + timedelta(hours=hours))
            db.session.commit()
            return event.id

    return create


def month_page(client, month="2026-03", **args):
    response = client.get("/calendar/", query_string={"month": month, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def event_state(app, event_id):
    """What registering changes: the event's counters, everyone's registrations, the outbox."""
    from hub.core.mail.models import OutboxMessage
    from regions.events.models import Event, Registration

    with app.app_context(), all_regions():
        event = db.session.get(Event, event_id)
        rows = db.session.execute(
            select(Registration.user_id, Registration.status).where(Registration.event_id == event_id)
        ).all()
        outbox = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return {
            "registered": event.registered_count,
            "waitlisted": event.waitlisted_count,
            "registrations": sorted((u, s.value) for u, s in rows),
            "mails": [(m.recipient, m.subject) for m in outbox],
        }


def register(client, event_id, **answers):
    return client.post(f"/calendar/events/{event_id}/register", data={f"answer-{k}": v for k, v in answers.items()})


# -- the month grid ---------------------------------------------------------------------------------


@pytest.fixture
def spread(make_event):
    """Events of March 2026 in every region, with every audience and state."""
    march = lambda day, hour=18: berlin(2026, 3, day, hour)  # noqa: E731
    return {
        "network_erz": make_event("erzgebirge", "Netzwerktreffen Schneeberg", starts_at=march(4)),
        "public_mei": make_event("meissen", "Offene Werkstatt Meißen", starts_at=march(11), audience=Audience.PUBLIC),
        "region_lau": make_event("lausitz", "Stammtisch Lausitz intern", starts_at=march(12), audience=Audience.REGION),
        "region_dre": make_event("dresden", "Dresdner Runde intern", starts_at=march(13), audience=Audience.REGION),
        "draft_lau": make_event("lausitz", "Entwurf Lausitz", starts_at=march(17), status=EventStatus.DRAFT),
        "cancelled_mei": make_event(
            "meissen", "Abgesagtes Expertenforum", starts_at=march(19), status=EventStatus.CANCELLED
        ),
    }


def test_month_grid_shows_the_visible_events_of_all_regions_in_their_region_colours(client, auth, make, spread):
    auth.login(make.participant("lausitz"))
    page = month_page(client)
    assert re.search(r'class="cal-event region-erzgebirge"[^>]*>.*Netzwerktreffen Schneeberg', page)
    assert re.search(r'class="cal-event region-meissen"[^>]*>.*Offene Werkstatt', page)
    assert re.search(r'class="cal-event region-lausitz"[^>]*>.*Stammtisch Lausitz intern', page)
    assert 'href="/regions.css"' in page or "regions.css" in page
    assert " style=" not in page and not re.search(r"<script\b(?![^>]*\bsrc=)", page)  # no inline script


def test_region_only_events_of_other_regions_and_drafts_stay_hidden(client, auth, make, spread):
    auth.login(make.participant("lausitz"))
    page = month_page(client)
    assert "Dresdner Runde intern" not in page
    assert "Entwurf Lausitz" not in page


def test_cancelled_events_stay_in_the_calendar_marked_in_words(client, auth, make, spread, de):
    auth.login(make.participant("lausitz"))
    page = month_page(client)
    cell = page[page.index("Abgesagtes Expertenforum") :][:300]
    assert f'<strong class="event-flag event-cancelled">{de("Cancelled")}</strong>' in cell


def test_visitors_see_only_public_events_without_logging_in(client, spread):
    page = month_page(client)
    assert "Offene Werkstatt Meißen" in page
    for hidden in ("Netzwerktreffen Schneeberg", "Stammtisch Lausitz intern", "Dresdner Runde intern", "Entwurf"):
        assert hidden not in page


def test_the_coordination_sees_its_own_drafts_marked_as_drafts(client, auth, make, spread, de):
    auth.login(make.coordinator("lausitz"))
    page = month_page(client)
    cell = page[page.index("Entwurf Lausitz") :][:200]
    assert f'<strong class="event-flag">{de("Draft")}</strong>' in cell
    assert "Dresdner Runde intern" not in page


def test_weeks_start_on_monday_and_the_grid_covers_the_whole_month(client):
    page = month_page(client, "2026-03")
    headers = re.findall(r'<th scope="col"><abbr title="([^"]+)"', page)
    assert headers[0] == "Montag" and headers[-1] == "Sonntag"
    days = re.findall(r'<span class="visually-hidden">([^<]+)</span></span>', page)
    # 1 March 2026 is a Sunday: the grid starts on Monday, 23 February, and ends on Sunday, 5 April.
    assert days[0] == "Montag, 23. Februar 2026" and days[-1] == "Sonntag, 5. April 2026"
    assert len(days) == 42
    assert "März 2026" in page


def test_month_links_lead_to_the_neighbouring_months_and_keep_the_filters(client):
    page = month_page(client, "2026-01", region="meissen", type="expert")
    assert re.search(r'rel="prev" href="/calendar/\?month=2025-12&amp;region=meissen&amp;type=expert"', page)
    assert re.search(r'rel="next" href="/calendar/\?month=2026-02&amp;region=meissen&amp;type=expert"', page)


def test_the_current_month_is_the_default(client):
    today = datetime.now(BERLIN).date()
    page = client.get("/calendar/").get_data(as_text=True)
    assert 'aria-current="date"' in page
    assert f'name="month" value="{today.replace(day=1).strftime("%Y-%m")}"' in page  # the filter form keeps it


def test_an_unreadable_month_is_explained_and_the_current_month_shown(client, de):
    response = client.get("/calendar/", query_string={"month": "2026-13"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert de("Not a valid month; use the form 2026-03.") in page
    assert 'aria-current="date"' in page


def test_an_event_at_ten_in_berlin_after_the_clock_change_shows_ten(client, make_event):
    summer = make_event("meissen", "Frühjahrstreffen", starts_at=berlin(2026, 3, 30, 10), audience=Audience.PUBLIC)
    winter = make_event("meissen", "Wintertreffen", starts_at=berlin(2026, 3, 27, 10), audience=Audience.PUBLIC)
    page = month_page(client, "2026-03")
    assert re.search(r"<time[^>]*>10:00</time> Frühjahrstreffen", page)
    assert re.search(r"<time[^>]*>10:00</time> Wintertreffen", page)
    for event_id in (summer, winter):
        event_page = client.get(f"/calendar/events/{event_id}").get_data(as_text=True)
        assert "10:00–12:00" in event_page


def test_all_day_events_show_dates_without_times_on_every_day_they_cover(client, make_event):
    make_event(
        "erzgebirge",
        "Kreativmesse",
        starts_at=berlin(2026, 3, 6),
        ends_at=berlin(2026, 3, 8),
        all_day=True,
        audience=Audience.PUBLIC,
    )
    page = month_page(client, "2026-03")
    assert page.count(">Kreativmesse</a>") == 2  # 6 and 7 March, not the 8th (the end is exclusive)
    assert not re.search(r"</time> Kreativmesse", page)


# -- the list ---------------------------------------------------------------------------------------


def test_list_view_shows_the_coming_events_soonest_first(client, make_event):
    make_event("meissen", "Schon vorbei", starts_at=soon(days=-3), audience=Audience.PUBLIC)
    make_event("meissen", "Übermorgen", starts_at=soon(days=2), audience=Audience.PUBLIC)
    make_event("lausitz", "Nächste Woche", starts_at=soon(days=7), audience=Audience.PUBLIC)
    page = client.get("/calendar/", query_string={"view": "list"}).get_data(as_text=True)
    assert "Schon vorbei" not in page
    assert page.index("Übermorgen") < page.index("Nächste Woche")
    assert 'class="event-item region-lausitz' in page


# -- filters ----------------------------------------------------------------------------------------


def test_filters_by_regions_type_and_own_registrations(client, auth, make, make_event):
    member = make.participant("lausitz")
    a = make_event("erzgebirge", "Expertenabend Erzgebirge", starts_at=soon(3), type=EventType.EXPERT)
    make_event("meissen", "Expertenabend Meißen", starts_at=soon(4), type=EventType.EXPERT)
    make_event("dresden", "Speed-Dating Dresden", starts_at=soon(5), type=EventType.SPEED_DATING)
    auth.login(member)
    assert register(client, a).status_code == 302

    def names(**args):
        page = client.get("/calendar/", query_string={"view": "list", **args}).get_data(as_text=True)
        return {n for n in ("Expertenabend Erzgebirge", "Expertenabend Meißen", "Speed-Dating Dresden") if n in page}

    assert names(region=["erzgebirge", "dresden"]) == {"Expertenabend Erzgebirge", "Speed-Dating Dresden"}
    assert names(type="expert") == {"Expertenabend Erzgebirge", "Expertenabend Meißen"}
    assert names(type="speed_dating", region="dresden") == {"Speed-Dating Dresden"}
    assert names(mine="1") == {"Expertenabend Erzgebirge"}
    assert names() == {"Expertenabend Erzgebirge", "Expertenabend Meißen", "Speed-Dating Dresden"}


def test_the_events_come_first_and_the_filters_wait_in_a_closed_panel(client, make_event, de):
    make_event("meissen", "Offene Werkstatt", starts_at=soon(3), audience=Audience.PUBLIC, type=EventType.OTHER)
    for view in ("month", "list"):
        page = client.get("/calendar/", query_string={"view": view, "region": "meissen", "type": "other"}).get_data(
            as_text=True
        )
        panel = re.search(r'<details class="panel filters[^"]*"( open)?>\s*<summary>(.*?)</summary>', page, re.S)
        assert panel and panel.group(1) is None, "closed: one line above the events"
        assert de("%(num)s active", num=2) in panel.group(2)
        if view == "list":
            panel_end = page.index("</details>", page.index('class="panel filters'))
            assert panel_end < page.index("Offene Werkstatt") < page.index('class="calendar-legend"')
    refused = client.get("/calendar/", query_string={"month": "2026-13"}).get_data(as_text=True)
    assert '<details class="panel filters calendar-filters" open>' in refused, "a refused filter is shown open"


def test_an_empty_month_leads_to_the_coming_events(client, make_event, de):
    make_event("meissen", "Später im Jahr", starts_at=soon(70), audience=Audience.PUBLIC)
    page = month_page(client, datetime.now(BERLIN).strftime("%Y-%m"))
    assert de("No public events this month.") in page  # a visitor sees the public events only
    assert "Später im Jahr" in page.split('class="coming-next"', 1)[1]
    assert re.search(r'<a class="button" href="/calendar/\?view=list">', page)


def test_only_my_registrations_is_offered_to_members_only(client, make_event):
    make_event("meissen", "Offen für alle", starts_at=soon(3), audience=Audience.PUBLIC)
    page = client.get("/calendar/", query_string={"view": "list", "mine": "1"}).get_data(as_text=True)
    assert 'name="mine"' not in page
    assert "Offen für alle" in page


# -- the event page ---------------------------------------------------------------------------------


def test_a_public_event_page_can_be_read_and_shared_without_an_account(client, make_event, de):
    event_id = make_event(
        "meissen",
        "Tag der offenen Ateliers",
        audience=Audience.PUBLIC,
        type=EventType.EXPERT,
        venue="Alte Tuchfabrik",
        address="Dresdner Str. 1, Meißen",
        online_url="https://meet.example.org/ateliers",
        description="Kommen Sie vorbei.",
        capacity=20,
        registration_deadline=soon(5),
    )
    page = client.get(f"/calendar/events/{event_id}").get_data(as_text=True)
    expected = (
        "Tag der offenen Ateliers",
        de("Expert event"),
        "Alte Tuchfabrik, Dresdner Str. 1, Meißen",
        "Kommen Sie vorbei.",
        de("%(left)s of %(capacity)s places left", left=20, capacity=20),
        de("Registration until"),
        de("Published"),
        de("The link is shown to members who are logged in."),
    )
    for text in expected:
        assert text in page, text
    assert "https://meet.example.org/ateliers" not in page
    assert f'/login?next=/calendar/events/{event_id}">{de("Log in and register")}' in page
    assert f'href="/calendar/events/{event_id}.ics"' in page
    download = client.get(f"/calendar/events/{event_id}.ics")
    assert download.status_code == 200 and download.mimetype == "text/calendar"


def test_members_see_the_online_link(client, auth, make, make_event):
    event_id = make_event("meissen", "Online-Sprechstunde", online_url="https://meet.example.org/sprechstunde")
    auth.login(make.participant("lausitz"))
    assert "https://meet.example.org/sprechstunde" in client.get(f"/calendar/events/{event_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "viewer,audience,status",
    [
        (None, Audience.NETWORK, EventStatus.PUBLISHED),
        ("participant", Audience.REGION, EventStatus.PUBLISHED),
        ("participant", Audience.NETWORK, EventStatus.DRAFT),
        ("coordinator", Audience.PUBLIC, EventStatus.DRAFT),
    ],
)
def test_an_event_one_may_not_see_answers_404(client, auth, make, make_event, viewer, audience, status):
    event_id = make_event("meissen", "Nicht für dich", audience=audience, status=status)
    if viewer:
        auth.login(make.user(viewer, "lausitz"))
    response = client.get(f"/calendar/events/{event_id}")
    assert response.status_code == 404
    assert "Nicht für dich" not in response.get_data(as_text=True)
    assert client.get("/calendar/events/999999").status_code == 404


# -- registering ------------------------------------------------------------------------------------


def test_registering_takes_a_place_and_confirms_by_email(app, client, auth, make, make_event, de):
    person = make.participant("lausitz")
    event_id = make_event("erzgebirge", "Kickoff Schneeberg", capacity=2, type=EventType.KICKOFF)
    auth.login(person)
    response = register(client, event_id)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert de("You are registered.") in page
    assert de("%(left)s of %(capacity)s places left", left=1, capacity=2) in page
    assert de("Cancel my registration") in page
    state = event_state(app, event_id)
    assert state["registered"] == 1 and state["registrations"] == [(person.id, "registered")]
    assert state["mails"] == [(person.email, de("You are registered: %(title)s", title="Kickoff Schneeberg"))]


def test_when_all_places_are_taken_the_next_person_goes_on_the_waiting_list(app, client, auth, make, make_event, de):
    first, second = make.participant("lausitz"), make.participant("meissen")
    event_id = make_event("erzgebirge", "Kleiner Kreis", capacity=1)
    auth.login(first)
    register(client, event_id)
    auth.logout()
    auth.login(second)
    assert de("Join the waiting list") in client.get(f"/calendar/events/{event_id}").get_data(as_text=True)
    register(client, event_id)
    page = client.get(f"/calendar/events/{event_id}").get_data(as_text=True)
    waiting = (
        "You are on the waiting list (place %(position)s). If a place becomes free, you move up and hear from us"
        " by e-mail."
    )
    assert de(waiting, position=1) in page
    state = event_state(app, event_id)
    assert (state["registered"], state["waitlisted"]) == (1, 1)
    assert state["mails"][-1] == (second.email, de("You are on the waiting list: %(title)s", title="Kleiner Kreis"))


def test_cancelling_moves_the_first_waiting_person_up_and_tells_them(app, client, auth, make, make_event, de):
    first, second, third = (make.participant("lausitz") for _ in range(3))
    event_id = make_event("erzgebirge", "Werkstattgespräch", capacity=1)
    for person in (first, second, third):
        auth.login(person)
        register(client, event_id)
        auth.logout()
    auth.login(first)
    response = client.post(f"/calendar/events/{event_id}/cancel", data=CONFIRMED)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert de("Your registration has been cancelled.") in page
    state = event_state(app, event_id)
    assert (state["registered"], state["waitlisted"]) == (1, 1)
    assert dict(state["registrations"]) == {first.id: "cancelled", second.id: "registered", third.id: "waitlisted"}
    assert state["mails"][-1] == (second.email, de("A place is free for you: %(title)s", title="Werkstattgespräch"))


def test_registering_again_after_cancelling_is_possible(app, client, auth, make, make_event):
    person = make.participant("lausitz")
    event_id = make_event("erzgebirge", "Zweiter Anlauf", capacity=3)
    auth.login(person)
    register(client, event_id)
    client.post(f"/calendar/events/{event_id}/cancel", data=CONFIRMED)
    assert register(client, event_id).status_code == 302
    assert event_state(app, event_id)["registrations"] == [(person.id, "registered")]


def test_answers_to_the_events_questions_are_kept(app, client, auth, make, make_event):
    from regions.events.models import Registration

    questions = [
        {"key": "diet", "label": "Essenswunsch", "required": False},
        {"key": "org", "label": "Organisation", "required": True},
    ]
    event_id = make_event("erzgebirge", "Mit Fragen", questions=questions)
    auth.login(make.participant("lausitz"))
    page = client.get(f"/calendar/events/{event_id}").get_data(as_text=True)
    assert 'name="answer-diet"' in page and "Essenswunsch" in page and 'name="answer-org"' in page
    assert register(client, event_id, diet="vegan", org="Atelier Blau").status_code == 302
    with app.app_context(), all_regions():
        assert db.session.scalar(select(Registration.answers)) == {"diet": "vegan", "org": "Atelier Blau"}


@pytest.fixture
def refusals(make_event, de):
    """Events that refuse registrations, each with the message the person reads."""
    questions = [{"key": "org", "label": "Ihre Organisation", "required": True}]
    return {
        "deadline": (
            make_event("erzgebirge", "Frist vorbei", registration_deadline=soon(-1)),
            {},
            de("The registration deadline has passed."),
        ),
        "cancelled": (
            make_event("erzgebirge", "Fällt aus", status=EventStatus.CANCELLED),
            {},
            de("This event has been cancelled."),
        ),
        "over": (make_event("erzgebirge", "Schon gewesen", starts_at=soon(-2)), {}, de("This event is over.")),
        "missing_answer": (
            make_event("erzgebirge", "Mit Pflichtfrage", questions=questions),
            {"org": "  "},
            de("Please answer: {question}").format(question="Ihre Organisation"),
        ),
        "long_answer": (
            make_event("erzgebirge", "Lange Antwort", questions=questions),
            {"org": "x" * 501},
            de("Longer than the maximum length of {max}.").format(max=500),
        ),
    }


@pytest.mark.parametrize("case", ["deadline", "cancelled", "over", "missing_answer", "long_answer"])
def test_a_refused_registration_explains_itself_and_changes_nothing(app, client, auth, make, refusals, case):
    event_id, answers, message = refusals[case]
    auth.login(make.participant("lausitz"))
    before = event_state(app, event_id)
    response = register(client, event_id, **answers)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert event_state(app, event_id) == before


def test_a_draft_refuses_registrations_even_for_its_coordination(app, client, auth, make, make_event, de):
    event_id = make_event("erzgebirge", "Noch geheim", status=EventStatus.DRAFT)
    auth.login(make.coordinator("erzgebirge"))
    response = register(client, event_id)
    assert response.status_code == 422
    assert de("This event is not open for registration yet.") in response.get_data(as_text=True)
    assert event_state(app, event_id)["registrations"] == []


def test_registering_twice_says_so_and_changes_nothing(app, client, auth, make, make_event, de):
    event_id = make_event("erzgebirge", "Doppelt hält nicht besser", capacity=5)
    auth.login(make.participant("lausitz"))
    register(client, event_id)
    before = event_state(app, event_id)
    response = register(client, event_id)
    assert response.status_code == 422
    assert de("You are registered already.") in response.get_data(as_text=True)
    assert event_state(app, event_id) == before


def test_a_double_click_that_races_past_the_checks_is_caught_by_the_database(
    app, client, auth, make, make_event, monkeypatch, de
):
    from regions.events import services

    event_id = make_event("erzgebirge", "Doppelklick", capacity=5)
    auth.login(make.participant("lausitz"))
    register(client, event_id)
    before = event_state(app, event_id)
    # The second request checked before the first one committed: it saw no registration.
    monkeypatch.setattr(services, "registration_of", lambda event, user: None)
    response = register(client, event_id)
    assert response.status_code == 409  # a conflict with what a moment ago did, as everywhere (hub.core.glue)
    page = response.get_data(as_text=True)
    assert de(CONFLICT_MESSAGE) in page and de("You are registered.") in page
    assert event_state(app, event_id) == before


@pytest.mark.skipif(
    not os.environ.get("HUB_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="row locks (SELECT … FOR UPDATE) exist on PostgreSQL only",
)
@pytest.mark.parametrize("action", ["cancel", "register"])
def test_a_double_click_gives_one_result_and_counts_one_place(app, make, make_event, monkeypatch, action):
    """Two requests of one person at the same moment: the second waits for the first and then says why not."""
    from regions.events import services

    person = make.participant("lausitz")
    event_id = make_event("erzgebirge", "Doppelklick", capacity=5)
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    register(clients[0], event_id)
    if action == "register":  # registering again after cancelling reuses the row: no unique constraint helps
        clients[0].post(f"/calendar/events/{event_id}/cancel", data=CONFIRMED)
    slow_step = services.cancel_registration if action == "cancel" else services.register

    def slowly(*args, **kwargs):
        time.sleep(0.3)  # both requests are in flight before either commits
        return slow_step(*args, **kwargs)

    monkeypatch.setattr(services, slow_step.__name__, slowly)
    url = f"/calendar/events/{event_id}/{action}"
    answers = []
    threads = [
        threading.Thread(target=lambda c=c: answers.append(c.post(url, data=CONFIRMED).status_code)) for c in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [302, 422]
    assert event_state(app, event_id)["registered"] == (0 if action == "cancel" else 1)


def test_cancelling_without_a_registration_explains_itself(app, client, auth, make, make_event, de):
    event_id = make_event("erzgebirge", "Nie angemeldet")
    auth.login(make.participant("lausitz"))
    response = client.post(f"/calendar/events/{event_id}/cancel", data=CONFIRMED)
    assert response.status_code == 422
    assert de("You are not registered for this event.") in response.get_data(as_text=True)


def test_registering_needs_an_account(app, client, make_event):
    event_id = make_event("meissen", "Öffentlich", audience=Audience.PUBLIC)
    response = register(client, event_id)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert event_state(app, event_id)["registrations"] == []


def test_the_umbrella_reads_events_but_does_not_register(app, client, auth, make, make_event):
    event_id = make_event("meissen", "Nur lesen", audience=Audience.REGION)
    auth.login(make.umbrella())
    page = client.get(f"/calendar/events/{event_id}").get_data(as_text=True)
    assert "Nur lesen" in page and 'action="/calendar/events/' not in page
    assert register(client, event_id).status_code == 403
    assert event_state(app, event_id)["registrations"] == []


def test_cancelling_an_event_tells_everyone_registered(app, client, auth, make, make_event, de):
    from regions.events import services
    from regions.events.models import Event

    person = make.participant("lausitz")
    event_id = make_event("erzgebirge", "Sommerfest", capacity=10)
    auth.login(person)
    register(client, event_id)
    with app.app_context(), app.test_request_context(), region_scope(make.regions["erzgebirge"].id):
        services.cancel_event(db.session.get(Event, event_id))
        db.session.commit()
    state = event_state(app, event_id)
    assert state["mails"][-1] == (person.email, de("Cancelled: %(title)s", title="Sommerfest"))
    page = client.get(f"/calendar/events/{event_id}").get_data(as_text=True)
    assert de("This event has been cancelled.") in page


def test_mails_are_written_in_the_recipients_language(app, client, auth, make, make_event):
    from hub.accounts.models import User
    from hub.core.mail.models import OutboxMessage

    person = make.participant("lausitz")
    with app.app_context(), all_regions():
        db.session.get(User, person.id).locale = "en"
        db.session.commit()
    event_id = make_event("erzgebirge", "Kickoff", starts_at=berlin(2031, 3, 30, 10))
    auth.login(person)
    register(client, event_id)
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.subject == "You are registered: Kickoff"
    assert "10:00–12:00" in mail.body and f"http://hub.test/calendar/events/{event_id}" in mail.body


# -- the JSON API -----------------------------------------------------------------------------------


def test_api_calendar_lists_the_visible_events_of_a_window(client, auth, make, spread):
    response = client.get("/api/v1/calendar", query_string={"start": "2026-03-01", "end": "2026-04-01"})
    assert response.status_code == 200
    assert [e["title"] for e in response.json] == ["Offene Werkstatt Meißen"]
    assert "online_url" not in response.json[0] and "my_registration" not in response.json[0]
    auth.login(make.participant("lausitz"))
    events = client.get("/api/v1/calendar", query_string={"start": "2026-03-01", "end": "2026-04-01"}).json
    assert [e["title"] for e in events] == [
        "Netzwerktreffen Schneeberg",
        "Offene Werkstatt Meißen",
        "Stammtisch Lausitz intern",
        "Abgesagtes Expertenforum",
    ]
    first = events[0]
    assert first["region"] == {"slug": "erzgebirge", "name": "Erzgebirge"}
    assert first["starts_at"] == "2026-03-04T17:00:00+00:00" and first["type"] == "network_meeting"
    assert events[-1]["status"] == "cancelled"
    filtered = client.get(
        "/api/v1/calendar", query_string={"start": "2026-03-01", "end": "2026-04-01", "region": ["meissen"]}
    ).json
    assert {e["region"]["slug"] for e in filtered} == {"meissen"}


@pytest.mark.parametrize(
    "args,field",
    [
        ({"start": "gestern"}, "start"),
        ({"start": "2026-02-30"}, "start"),
        ({"start": "2026-03-01", "end": "März"}, "end"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "end"),
        ({"start": "2026-01-01", "end": "2027-03-01"}, "end"),
        ({"type": "party"}, "type"),
        ({"region": "atlantis"}, "region"),
    ],
)
def test_api_calendar_names_the_bad_argument(client, args, field):
    response = client.get("/api/v1/calendar", query_string=args)
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_api_only_mine_needs_an_account(client):
    assert client.get("/api/v1/calendar", query_string={"mine": "true"}).status_code == 401


def test_api_event_is_public_for_public_events_and_404_otherwise(client, make_event):
    public_id = make_event("meissen", "Für alle", audience=Audience.PUBLIC, online_url="https://meet.example.org/x")
    network_id = make_event("meissen", "Für Mitglieder", audience=Audience.NETWORK)
    response = client.get(f"/api/v1/calendar/events/{public_id}")
    assert response.status_code == 200 and response.json["title"] == "Für alle"
    assert "online_url" not in response.json
    assert response.json["ics_url"].endswith(f"/calendar/events/{public_id}.ics")
    assert client.get(f"/api/v1/calendar/events/{network_id}").status_code == 404


def test_api_registration_waiting_list_and_cancellation(app, client, auth, make, make_event, de):
    first, second = make.participant("lausitz"), make.participant("dresden")
    event_id = make_event(
        "erzgebirge", "API-Abend", capacity=1, questions=[{"key": "org", "label": "Organisation", "required": True}]
    )
    url = f"/api/v1/calendar/events/{event_id}/registration"
    auth.login(first)
    refused = client.post(url, json={"answers": {}})
    assert refused.status_code == 422
    message = de("Please answer: {question}").format(question="Organisation")
    assert refused.json["errors"]["json"]["answers"]["org"] == [message]
    created = client.post(url, json={"answers": {"org": "Atelier"}})
    assert created.status_code == 201
    assert created.json["status"] == "registered" and created.json["event"]["my_registration"] == "registered"
    twice = client.post(url, json={"answers": {"org": "Atelier"}})
    assert twice.status_code == 422 and twice.json["message"] == de("You are registered already.")
    auth.logout()
    auth.login(second)
    assert client.post(url, json={"answers": {"org": "Studio"}}).json["status"] == "waitlisted"
    mine = client.get("/api/v1/calendar/registrations").json
    assert [(r["event"]["title"], r["status"]) for r in mine] == [("API-Abend", "waitlisted")]
    auth.logout()
    auth.login(first)
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 422
    assert dict(event_state(app, event_id)["registrations"]) == {first.id: "cancelled", second.id: "registered"}
    assert client.get("/api/v1/calendar/registrations").json == []


def test_api_registration_needs_an_account_and_a_visible_event(client, auth, make, make_event):
    hidden = make_event("meissen", "Intern", audience=Audience.REGION)
    assert client.post(f"/api/v1/calendar/events/{hidden}/registration", json={}).status_code == 401
    auth.login(make.participant("lausitz"))
    assert client.post(f"/api/v1/calendar/events/{hidden}/registration", json={}).status_code == 404
    assert client.delete(f"/api/v1/calendar/events/{hidden}/registration").status_code == 404


def test_api_works_with_a_personal_access_token(client, make, make_event):
    person = make.participant("lausitz")
    token = make.access_token(person)
    event_id = make_event("erzgebirge", "Per Token")
    headers = {"Authorization": f"Bearer {token.extra}"}
    response = client.post(f"/api/v1/calendar/events/{event_id}/registration", json={}, headers=headers)
    assert response.status_code == 201 and response.json["status"] == "registered"


# -- cost -------------------------------------------------------------------------------------------


def _statements(app, client, url, query_string) -> int:
    with counted(app) as statements:
        assert client.get(url, query_string=query_string).status_code == 200
    return len(statements)


@pytest.mark.slow
def test_the_calendar_costs_the_same_number_of_queries_for_few_and_many_events(app, client, auth, make, make_event):
    auth.login(make.participant("lausitz"))
    regions = ["erzgebirge", "meissen", "lausitz", "dresden"]
    audiences = [Audience.PUBLIC, Audience.NETWORK, Audience.REGION]
    month = (datetime.now(BERLIN).date().replace(day=1) + timedelta(days=62)).replace(day=1)
    made, counts = 0, {}
    for total in (4, 40):
        for n in range(made, total):
            start = berlin(month.year, month.month, 1 + n % 28, 9 + n % 10)
            event_id = make_event(regions[n % 4], f"Treffen {n}", starts_at=start, audience=audiences[n % 3])
            if audiences[n % 3] == Audience.PUBLIC:
                assert register(client, event_id).status_code == 302
        made = total
        window = {"start": month.isoformat(), "end": (month + timedelta(days=31)).isoformat()}
        counts[total] = (
            _statements(app, client, "/calendar/", {"month": month.strftime("%Y-%m")}),
            _statements(app, client, "/calendar/", {"view": "list"}),
            _statements(app, client, "/api/v1/calendar", window),
        )
    assert counts[4] == counts[40]
    assert max(counts[40]) <= 7
