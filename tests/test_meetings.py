"""Meetings at events, as people meet them: the coordination sets slots and places; two people registered for the
same event (of any region) propose, accept or decline a slot at a table; either cancels, the proposer withdraws;
nobody and no table is booked twice at once (also when two acceptances arrive at the same moment); accepted
meetings are in both people's home and private calendar feed; a third person finds nothing; the coordination
sees how many meetings the event produced, never who met whom; the same rules in the JSON API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from hub.accounts.models import User
from hub.core.db import db
from hub.core.mail.models import OutboxMessage
from hub.core.tenancy import all_regions
from hub.notifications.models import Notification
from regions.events.models import Event
from regions.profiles.models import Profile
from shared.meetings import services, setups
from shared.meetings.models import EventMeeting, MeetingBooking, MeetingSetup
from tests.concurrency import all_pass_before_any_goes_on, at_once
from tests.pages import CONFIRMED, bearer, field_error, form_error, page, said, shown
from tests.statements import counted
from tests.test_ics import feed_token, mine

START = (datetime.now(UTC) + timedelta(days=20)).replace(hour=15, minute=0, second=0, microsecond=0)
SLOT = [START + timedelta(minutes=20 * n) for n in range(9)]  # 15:00 … 17:40 UTC, 20 minutes each
NOTE = "Wir suchen Filmleute für ein Festival – zehn Minuten reichen uns."


# -- the world ---------------------------------------------------------------------------------------------


def set_up(app, make, event, *, tables=2, places=("Foyer",), minutes=20, enabled=True, window=None):
    """The coordination's set-up of the event, through the service."""
    with make.inside(event.region):
        setups.configure(
            db.session.get(Event, event.id),
            {
                "enabled": enabled,
                "slot_minutes": minutes,
                "window_starts_at": window[0] if window else None,
                "window_ends_at": window[1] if window else None,
                "table_count": tables,
                "places": list(places),
            },
        )
        db.session.commit()


@pytest.fixture
def fair(app, make):
    """A network event of the Erzgebirge with meetings on (2 tables and the Foyer, 20-minute slots), and people
    of three regions registered for it, all with profiles visible to the network; a fourth person of Dresden is
    not registered, a fifth is on the waiting list."""
    event = make.event("erzgebirge", title="Netzwerkbörse", audience="network", start=START, hours=3, capacity=4)
    people = {
        "anna": make.person("erzgebirge", name="Anna Holzbau", visibility="network"),
        "ben": make.person("meissen", name="Ben Film", visibility="network"),
        "cara": make.person("lausitz", name="Cara Klang", visibility="network"),
        "dora": make.person("erzgebirge", name="Dora Druck", visibility="network"),
        "emil": make.person("dresden", name="Emil Außen", visibility="network"),
        "wait": make.person("dresden", name="Wanda Warteliste", visibility="network"),
    }
    for name in ("anna", "ben", "cara", "dora", "wait"):
        make.registration(event, people[name].owner)
    set_up(app, make, event)
    return {"event": event, "coordinator": make.coordinator("erzgebirge"), **people}


def login(auth, person):
    auth.logout()
    auth.login(getattr(person, "owner", None) or person)


def propose(client, fair, to: str, slot: int = 0, place: str = "Tisch 1", note: str = ""):
    data = {"profile_id": fair[to].id, "starts_at": SLOT[slot].isoformat(), "place": place, "note": note}
    return client.post(f"/calendar/events/{fair['event'].id}/meetings", data=data)


def meetings(app) -> list[tuple]:
    """Every meeting: (proposer, invitee, status, slot number, place, note, sequence) by the people's names."""
    with app.app_context(), all_regions():
        rows = db.session.scalars(select(EventMeeting).order_by(EventMeeting.id)).all()
        return [
            (
                m.name_of(m.proposer_id),
                m.name_of(m.invitee_id),
                m.status.value,
                SLOT.index(m.starts_at),
                m.place,
                m.note,
                m.sequence,
            )
            for m in rows
        ]


def form_errors(html: str) -> str:
    """The form's error summary."""
    return html.split('class="form-errors"')[1].split("</div>")[0]


def named(html: str, field: str) -> bool:
    """Whether the form's error summary names the field (the proposal's fields are hidden or chosen per slot)."""
    return f'<a href="#f-{field}">' in form_errors(html)


def bookings(app) -> int:
    with app.app_context(), all_regions():
        return len(db.session.scalars(select(MeetingBooking)).all())


def meeting_id(app, n: int = 0) -> int:
    with app.app_context(), all_regions():
        return db.session.scalars(select(EventMeeting.id).order_by(EventMeeting.id)).all()[n]


def agreed(app, client, auth, fair, a: str, b: str, slot: int = 0, place: str = "Tisch 1") -> int:
    """``a`` proposes, ``b`` accepts: the meeting's id."""
    login(auth, fair[a])
    assert propose(client, fair, b, slot, place).status_code == 302
    found = meeting_id(app, -1)
    login(auth, fair[b])
    assert client.post(f"/calendar/meetings/{found}/accept").status_code == 302
    return found


def told(app, person) -> list[str]:
    """The subjects of the person's notifications, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.subject).where(Notification.user_id == person.owner.id).order_by(Notification.id)
            )
        )


def mailed(app, person) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboxMessage.subject).where(OutboxMessage.recipient == person.email).order_by(OutboxMessage.id)
            )
        )


# -- the coordination's set-up ----------------------------------------------------------------------------


def test_the_coordination_switches_meetings_on_with_slots_tables_and_named_places(app, client, auth, make):
    event = make.event("erzgebirge", title="Börse", audience="network", start=START, hours=3)
    login(auth, make.coordinator("erzgebirge"))
    window = {"window_starts_at": "2030-01-01T00:00"}  # outside the event
    form = {"enabled": "true", "slot_minutes": "30", "table_count": "3", "places": "Foyer\nBühne"}

    refused = client.post(f"/erzgebirge/events/{event.id}/meetings", data={**form, **window})
    assert refused.status_code == 422
    assert field_error(page(refused), "window_starts_at") == shown(app, "The meeting window must lie within the event.")

    response = client.post(f"/erzgebirge/events/{event.id}/meetings", data=form)
    assert response.status_code == 302
    with app.app_context(), all_regions():
        setup = db.session.scalar(select(MeetingSetup))
        assert (setup.enabled, setup.slot_minutes) == (True, 30)
        assert setup.places == ["Tisch 1", "Tisch 2", "Tisch 3", "Foyer", "Bühne"]
        event_row = db.session.get(Event, event.id)
        assert [s.starts_at for s in services.slot_rules.slots(event_row, setup)] == [
            START + timedelta(minutes=30 * n) for n in range(6)
        ]
    form_again = page(client.get(f"/erzgebirge/events/{event.id}/meetings"))
    assert 'name="table_count" type="number" value="3"' in form_again and "Foyer\nBühne</textarea>" in form_again


def test_a_stated_window_cuts_the_slots_and_a_slot_longer_than_it_is_refused(app, make):
    event = make.event("erzgebirge", audience="network", start=START, hours=3)
    set_up(app, make, event, minutes=30, window=(START + timedelta(hours=1), START + timedelta(hours=2)))
    with app.app_context(), all_regions():
        setup = db.session.scalar(select(MeetingSetup))
        assert [s.starts_at for s in services.slot_rules.slots(db.session.get(Event, event.id), setup)] == [
            START + timedelta(hours=1),
            START + timedelta(hours=1, minutes=30),
        ]
    with pytest.raises(services.MeetingError) as refused:
        set_up(app, make, event, minutes=90, window=(START + timedelta(hours=1), START + timedelta(hours=2)))
    assert refused.value.field == "slot_minutes"


def test_a_participant_may_not_set_meetings_up(client, auth, make, fair):
    login(auth, fair["anna"])
    assert client.get(f"/erzgebirge/events/{fair['event'].id}/meetings").status_code == 403
    assert (
        client.post(f"/erzgebirge/events/{fair['event'].id}/meetings", data={"slot_minutes": "10"}).status_code == 403
    )


# -- proposing: whom, which slot, which table -------------------------------------------------------------


def test_people_of_other_regions_registered_for_the_event_are_offered_to_meet(app, client, auth, fair):
    login(auth, fair["anna"])
    html = page(client.get(f"/calendar/events/{fair['event'].id}/meetings"))
    for name in ("Ben Film", "Cara Klang", "Dora Druck"):
        assert name in html
    assert "Emil Außen" not in html  # not registered
    assert "Wanda Warteliste" not in html  # on the waiting list, no place
    assert "Anna Holzbau" not in html.split('id="people"')[1]  # not oneself


def test_the_calendar_links_an_event_with_meetings_to_its_meetings(client, auth, fair):
    login(auth, fair["emil"])
    assert f"/calendar/events/{fair['event'].id}/meetings" in page(client.get(f"/calendar/events/{fair['event'].id}"))


def test_only_slots_free_for_both_and_tables_free_in_them_are_offered(app, client, auth, fair):
    agreed(app, client, auth, fair, "anna", "ben", slot=0, place="Tisch 1")
    login(auth, fair["cara"])
    with_anna = page(client.get(f"/calendar/events/{fair['event'].id}/meetings?with={fair['anna'].id}"))
    assert f'value="{SLOT[0].isoformat()}"' not in with_anna  # Anna meets Ben then
    assert f'value="{SLOT[1].isoformat()}"' in with_anna
    with_dora = page(client.get(f"/calendar/events/{fair['event'].id}/meetings?with={fair['dora'].id}"))
    first = with_dora.split(f'value="{SLOT[0].isoformat()}"')[1].split("</form>")[0]
    assert '<option value="Tisch 2"' in first and '<option value="Foyer"' in first
    assert '<option value="Tisch 1"' not in first  # Anna and Ben sit there


def test_a_proposal_reaches_the_other_person_of_another_region(app, client, auth, fair):
    login(auth, fair["anna"])
    response = propose(client, fair, "ben", slot=2, place="Foyer", note=NOTE)

    assert response.status_code == 302
    assert meetings(app) == [("Anna Holzbau", "Ben Film", "proposed", 2, "Foyer", NOTE, 0)]
    assert bookings(app) == 0  # a proposal books nothing yet
    subject = said(app, "%(name)s proposes a meeting at %(title)s", name="Anna Holzbau", title="Netzwerkbörse")
    assert told(app, fair["ben"]) == [subject] and mailed(app, fair["ben"]) == [subject]
    login(auth, fair["ben"])
    assert NOTE in page(client.get("/calendar/meetings/"))


@pytest.mark.parametrize(
    "change, field",
    [
        ({"starts_at": (START + timedelta(minutes=7)).isoformat()}, "starts_at"),
        ({"starts_at": (START - timedelta(days=1)).isoformat()}, "starts_at"),
        ({"place": "Tisch 9"}, "place"),
        ({"profile_id": 999999}, "profile_id"),
        ({"note": "x" * 301}, "note"),
    ],
    ids=["not a slot", "not during the event", "not a place of the event", "nobody", "a note too long"],
)
def test_a_proposal_outside_the_event_s_slots_and_places_is_refused_beside_the_field(
    app, client, auth, fair, change, field
):
    login(auth, fair["anna"])
    data = {"profile_id": fair["ben"].id, "starts_at": SLOT[0].isoformat(), "place": "Tisch 1", **change}
    response = client.post(f"/calendar/events/{fair['event'].id}/meetings", data=data)
    assert response.status_code == 422
    assert named(page(response), field)
    assert meetings(app) == []


def test_someone_registered_only_on_the_waiting_list_or_not_at_all_is_refused_clearly(app, client, auth, fair):
    refusal = shown(
        app, "Meetings here are for the people registered for the event. Register first, then propose meetings."
    )
    for name in ("emil", "wait"):
        login(auth, fair[name])
        html = page(client.get(f"/calendar/events/{fair['event'].id}/meetings"))
        assert refusal in html and "Anna Holzbau" not in html
        response = propose(client, fair, "anna")
        assert response.status_code == 422 and form_error(page(response)) == refusal
    login(auth, fair["anna"])
    response = propose(client, fair, "emil")
    assert response.status_code == 422 and named(page(response), "profile_id")
    assert meetings(app) == []


def test_one_open_meeting_per_pair_and_event(app, client, auth, fair):
    login(auth, fair["anna"])
    assert propose(client, fair, "ben", slot=0).status_code == 302
    assert propose(client, fair, "ben", slot=1).status_code == 422
    login(auth, fair["ben"])
    assert propose(client, fair, "anna", slot=3).status_code == 422
    assert len(meetings(app)) == 1


def test_an_event_without_meetings_offers_none(app, client, auth, make, fair):
    set_up(app, make, fair["event"], enabled=False)
    login(auth, fair["anna"])
    assert shown(app, "This event offers no meetings.") in page(
        client.get(f"/calendar/events/{fair['event'].id}/meetings")
    )
    assert propose(client, fair, "ben").status_code == 422
    assert f"/calendar/events/{fair['event'].id}/meetings" not in page(
        client.get(f"/calendar/events/{fair['event'].id}")
    )


# -- answering, withdrawing, cancelling -------------------------------------------------------------------


def test_accepting_books_the_slot_for_both_and_the_table_and_tells_the_proposer(app, client, auth, fair):
    found = agreed(app, client, auth, fair, "anna", "ben", slot=1, place="Tisch 2")
    assert meetings(app) == [("Anna Holzbau", "Ben Film", "accepted", 1, "Tisch 2", "", 1)]
    assert bookings(app) == 3  # Anna, Ben, Tisch 2
    subject = said(app, "%(name)s accepted your meeting at %(title)s", name="Ben Film", title="Netzwerkbörse")
    assert told(app, fair["anna"])[-1] == subject and mailed(app, fair["anna"])[-1] == subject
    login(auth, fair["anna"])
    assert f'id="meeting-{found}"' in page(client.get("/calendar/meetings/"))


def test_declining_asks_first_then_tells_the_proposer(app, client, auth, fair):
    login(auth, fair["anna"])
    propose(client, fair, "ben")
    login(auth, fair["ben"])
    asked = client.post(f"/calendar/meetings/{meeting_id(app)}/decline")
    assert asked.status_code == 200 and meetings(app)[0][2] == "proposed"
    assert client.post(f"/calendar/meetings/{meeting_id(app)}/decline", data=CONFIRMED).status_code == 302
    assert meetings(app)[0][2] == "declined" and bookings(app) == 0
    assert told(app, fair["anna"]) == [
        said(app, "%(name)s declined your meeting at %(title)s", name="Ben Film", title="Netzwerkbörse")
    ]


def test_only_the_invited_person_answers_and_only_the_proposer_withdraws(app, client, auth, fair):
    login(auth, fair["anna"])
    propose(client, fair, "ben")
    found = meeting_id(app)
    assert client.post(f"/calendar/meetings/{found}/accept").status_code == 422
    login(auth, fair["ben"])
    assert client.post(f"/calendar/meetings/{found}/withdraw", data=CONFIRMED).status_code == 422
    login(auth, fair["anna"])
    assert client.post(f"/calendar/meetings/{found}/withdraw", data=CONFIRMED).status_code == 302
    assert meetings(app)[0][2] == "withdrawn"
    assert told(app, fair["ben"])[-1] == said(
        app, "%(name)s withdrew the proposed meeting at %(title)s", name="Anna Holzbau", title="Netzwerkbörse"
    )
    login(auth, fair["ben"])
    assert client.post(f"/calendar/meetings/{found}/accept").status_code == 422  # nothing to answer any more


@pytest.mark.parametrize("who", ["anna", "ben"])
def test_either_person_cancels_an_accepted_meeting_and_the_slot_and_table_are_free_again(app, client, auth, fair, who):
    found = agreed(app, client, auth, fair, "anna", "ben")
    login(auth, fair[who])
    assert client.post(f"/calendar/meetings/{found}/cancel").status_code == 200  # asks first
    assert client.post(f"/calendar/meetings/{found}/cancel", data=CONFIRMED).status_code == 302
    assert meetings(app)[0][2:4] == ("cancelled", 0) and meetings(app)[0][6] == 2
    assert bookings(app) == 0
    other = fair["ben" if who == "anna" else "anna"]
    name = "Anna Holzbau" if who == "anna" else "Ben Film"
    assert told(app, other)[-1] == said(
        app, "%(name)s cancelled your meeting at %(title)s", name=name, title="Netzwerkbörse"
    )
    agreed(app, client, auth, fair, "cara", "dora", slot=0, place="Tisch 1")  # the table is free again


# -- no double booking --------------------------------------------------------------------------------------


def test_a_person_cannot_accept_a_second_meeting_in_a_slot_they_are_booked_for(app, client, auth, fair):
    login(auth, fair["anna"])
    propose(client, fair, "ben", slot=0, place="Tisch 1")
    login(auth, fair["cara"])
    propose(client, fair, "ben", slot=0, place="Tisch 2")
    login(auth, fair["ben"])
    assert client.post(f"/calendar/meetings/{meeting_id(app, 0)}/accept").status_code == 302
    second = client.post(f"/calendar/meetings/{meeting_id(app, 1)}/accept")
    assert second.status_code == 409
    assert shown(
        app, "You or the other person already have a meeting at this time. Please choose another slot."
    ) in form_errors(page(second))
    assert [m[2] for m in meetings(app)] == ["accepted", "proposed"]


def test_a_table_cannot_host_two_meetings_at_once(app, client, auth, fair):
    login(auth, fair["anna"])
    propose(client, fair, "ben", slot=0, place="Foyer")
    login(auth, fair["cara"])
    propose(client, fair, "dora", slot=0, place="Foyer")
    login(auth, fair["ben"])
    client.post(f"/calendar/meetings/{meeting_id(app, 0)}/accept")
    login(auth, fair["dora"])
    second = client.post(f"/calendar/meetings/{meeting_id(app, 1)}/accept")
    assert second.status_code == 409
    assert shown(app, "This table or place is taken at this time. Please choose another one.") in form_errors(
        page(second)
    )
    assert bookings(app) == 3


def test_a_proposal_in_a_slot_already_booked_is_a_conflict(app, client, auth, fair):
    agreed(app, client, auth, fair, "anna", "ben", slot=0)
    login(auth, fair["cara"])
    assert propose(client, fair, "anna", slot=0, place="Tisch 2").status_code == 409
    assert propose(client, fair, "dora", slot=0, place="Tisch 1").status_code == 409


def _two_accepts_at_once(app, make, monkeypatch, fair, first: tuple, second: tuple) -> list:
    """Both invited people accept at the same moment: both pass the action's check before either writes."""
    ids = []
    for proposer, invitee, place in (first, second):
        with app.app_context(), app.test_request_context():
            user = db.session.get(User, fair[proposer].owner.id)
            with all_regions():
                event = db.session.get(Event, fair["event"].id)
                other = db.session.get(Profile, fair[invitee].id)
            ids.append(services.propose(event, user, other, SLOT[0], place, "").id)
            db.session.commit()
    tokens = [make.access_token(fair[invitee].owner).extra for _, invitee, _ in (first, second)]
    all_pass_before_any_goes_on(monkeypatch, services, "check_free", 2)
    clients = [app.test_client() for _ in range(2)]
    return at_once(
        *(
            lambda c=c, i=i, t=t: c.post(f"/api/v1/meetings/{i}/accept", headers=bearer(t))
            for c, i, t in zip(clients, ids, tokens, strict=True)
        )
    )


@pytest.mark.slow
def test_two_acceptances_of_one_person_s_slot_at_the_same_moment_book_one_and_answer_409(app, make, monkeypatch, fair):
    answers = _two_accepts_at_once(
        app, make, monkeypatch, fair, ("anna", "ben", "Tisch 1"), ("anna", "cara", "Tisch 2")
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert sorted(m[2] for m in meetings(app)) == ["accepted", "proposed"]
    assert bookings(app) == 3


@pytest.mark.slow
def test_two_acceptances_of_one_table_at_the_same_moment_book_it_once_and_answer_409(app, make, monkeypatch, fair):
    answers = _two_accepts_at_once(app, make, monkeypatch, fair, ("anna", "ben", "Foyer"), ("cara", "dora", "Foyer"))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert sorted(m[2] for m in meetings(app)) == ["accepted", "proposed"]


# -- across regions, and nobody else ------------------------------------------------------------------------


def test_a_third_person_finds_no_meeting_whatever_their_role(app, client, auth, make, fair):
    found = agreed(app, client, auth, fair, "anna", "ben")
    for outsider in (fair["cara"], fair["coordinator"], make.coordinator("meissen")):
        login(auth, outsider)
        for action in ("accept", "decline", "withdraw", "cancel"):
            assert client.post(f"/calendar/meetings/{found}/{action}", data=CONFIRMED).status_code == 404
        assert "Ben Film" not in page(client.get("/calendar/meetings/"))
        token = make.access_token(getattr(outsider, "owner", None) or outsider).extra
        assert client.post(f"/api/v1/meetings/{found}/cancel", headers=bearer(token)).status_code == 404
    assert meetings(app)[0][2] == "accepted"


def test_an_event_one_may_not_see_has_no_meetings_page(client, auth, make, fair):
    hidden = make.event("meissen", title="Nur Meißen", audience="region", start=START)
    login(auth, fair["anna"])
    assert client.get(f"/calendar/events/{hidden.id}/meetings").status_code == 404
    assert client.post(f"/calendar/events/{hidden.id}/meetings", data={}).status_code == 404


# -- agenda and calendar feed ------------------------------------------------------------------------------


def test_accepted_meetings_are_on_both_people_s_home(app, client, auth, fair):
    login(auth, fair["anna"])
    propose(client, fair, "ben", slot=1, place="Foyer")
    login(auth, fair["ben"])
    home = page(client.get("/"))
    assert shown(app, "%(name)s proposes a meeting", name="Anna Holzbau") in home
    client.post(f"/calendar/meetings/{meeting_id(app)}/accept")
    for person, other in (("anna", "Ben Film"), ("ben", "Anna Holzbau")):
        login(auth, fair[person])
        home = page(client.get("/"))
        assert shown(app, "Meeting with %(name)s", name=other) in home and "Foyer" in home


def test_the_private_feed_holds_accepted_meetings_with_a_stable_uid_and_a_new_etag_for_each_change(
    app, client, auth, fair
):
    ben_feed = mine(feed_token(app, fair["ben"].owner))
    before = client.get(ben_feed)
    login(auth, fair["anna"])
    propose(client, fair, "ben", slot=1, place="Foyer", note=NOTE)
    assert client.get(ben_feed, headers={"If-None-Match": before.headers["ETag"]}).status_code == 304  # a proposal

    login(auth, fair["ben"])
    client.post(f"/calendar/meetings/{meeting_id(app)}/accept")
    accepted = client.get(ben_feed, headers={"If-None-Match": before.headers["ETag"]})
    assert accepted.status_code == 200 and accepted.headers["ETag"] != before.headers["ETag"]
    [vevent] = [
        e
        for e in icalendar.Calendar.from_ical(accepted.data).walk("VEVENT")
        if "Meeting" in str(e["SUMMARY"]) or "Treffen" in str(e["SUMMARY"])
    ]
    assert str(vevent["SUMMARY"]) == said(app, "Meeting with %(name)s", name="Anna Holzbau")
    assert vevent["DTSTART"].dt == SLOT[1] and vevent["DTEND"].dt == SLOT[2]
    assert (
        str(vevent["STATUS"]) == "CONFIRMED"
        and "Foyer" in str(vevent["LOCATION"])
        and NOTE in str(vevent["DESCRIPTION"])
    )
    uid, sequence = str(vevent["UID"]), int(vevent["SEQUENCE"])

    client.post(f"/calendar/meetings/{meeting_id(app)}/cancel", data=CONFIRMED)
    cancelled = client.get(ben_feed, headers={"If-None-Match": accepted.headers["ETag"]})
    assert cancelled.status_code == 200 and cancelled.headers["ETag"] != accepted.headers["ETag"]
    [gone] = [e for e in icalendar.Calendar.from_ical(cancelled.data).walk("VEVENT") if str(e["UID"]) == uid]
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) > sequence
    assert client.get(ben_feed, headers={"If-None-Match": cancelled.headers["ETag"]}).status_code == 304

    anna_feed = client.get(mine(feed_token(app, fair["anna"].owner)))  # the same meeting, the same UID
    assert uid in {str(e["UID"]) for e in icalendar.Calendar.from_ical(anna_feed.data).walk("VEVENT")}


# -- what the coordination sees ------------------------------------------------------------------------------


def test_the_coordination_sees_how_many_meetings_the_event_produced_never_who_or_what(app, client, auth, make, fair):
    agreed(app, client, auth, fair, "anna", "ben", slot=0)
    login(auth, fair["cara"])
    propose(client, fair, "dora", slot=2, note=NOTE)
    login(auth, fair["coordinator"])
    html = page(client.get(f"/erzgebirge/events/{fair['event'].id}/meetings"))
    figures = html.split('id="figures"')[1].split("</section>")[0]
    assert [cell.split(">")[-1] for cell in figures.split("</td>")[:5]] == ["1", "1", "0", "0", "0"]
    for secret in ("Anna Holzbau", "Ben Film", "Cara Klang", "Dora Druck", NOTE):
        assert secret not in html
    summary = page(client.get(f"/erzgebirge/events/{fair['event'].id}/registrations"))
    assert (
        shown(
            app,
            "Meetings between participants: %(accepted)d accepted, %(proposed)d open, %(declined)d declined.",
            accepted=1,
            proposed=1,
            declined=0,
        )
        in summary
    )
    api = client.get(f"/api/v1/regions/erzgebirge/events/{fair['event'].id}/meetings").get_json()
    assert api["counts"]["accepted"] == 1 and api["per_slot"][0]["accepted"] == 1
    assert NOTE not in str(api) and "Anna" not in str(api)


def test_another_region_s_coordination_sees_no_figures_of_the_event(client, auth, make, fair):
    login(auth, make.coordinator("meissen"))
    assert client.get(f"/meissen/events/{fair['event'].id}/meetings").status_code == 404
    assert client.get(f"/api/v1/regions/meissen/events/{fair['event'].id}/meetings").status_code == 404


# -- the API ----------------------------------------------------------------------------------------------


def test_the_api_proposes_lists_and_answers_like_the_pages(app, client, make, fair):
    anna, ben = (bearer(make.access_token(fair[n].owner).extra) for n in ("anna", "ben"))
    url = f"/api/v1/calendar/events/{fair['event'].id}/meetings"
    overview = client.get(f"{url}?with={fair['ben'].id}", headers=anna).get_json()
    assert overview["registered"] and overview["meetings_on"]
    assert {p["name"] for p in overview["people"]} == {"Ben Film", "Cara Klang", "Dora Druck"}
    assert overview["offers"][0] == {
        "starts_at": SLOT[0].isoformat(),
        "ends_at": SLOT[1].isoformat(),
        "places": ["Tisch 1", "Tisch 2", "Foyer"],
    }

    made = client.post(
        url, json={"profile_id": fair["ben"].id, "starts_at": SLOT[0].isoformat(), "place": "Tisch 2"}, headers=anna
    )
    assert made.status_code == 201 and made.get_json()["role"] == "proposer"
    accepted = client.post(f"/api/v1/meetings/{made.get_json()['id']}/accept", headers=ben)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    [listed] = client.get("/api/v1/meetings", headers=ben).get_json()
    assert (listed["role"], listed["proposer_name"], listed["place"]) == ("invitee", "Anna Holzbau", "Tisch 2")

    emil = bearer(make.access_token(fair["emil"].owner).extra)
    assert client.get(url, headers=emil).get_json()["registered"] is False
    refused = client.post(
        url, json={"profile_id": fair["ben"].id, "starts_at": SLOT[1].isoformat(), "place": "Foyer"}, headers=emil
    )
    assert refused.status_code == 422


# -- cost ------------------------------------------------------------------------------------------------


def _statements(app, client, path: str) -> int:
    with counted(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.slow
def test_the_meetings_pages_cost_the_same_few_statements_for_one_meeting_and_many(app, client, auth, make, fair):
    event = fair["event"]
    agreed(app, client, auth, fair, "anna", "ben", slot=0)
    login(auth, fair["anna"])
    paths = (
        "/calendar/meetings/",
        f"/calendar/events/{event.id}/meetings",
        f"/calendar/events/{event.id}/meetings?with={fair['dora'].id}",
        "/",
    )
    few = {path: _statements(app, client, path) for path in paths}
    agreed(app, client, auth, fair, "anna", "cara", slot=1, place="Tisch 2")
    login(auth, fair["cara"])
    propose(client, fair, "dora", slot=2)
    for _ in range(3):
        guest = make.person("meissen", visibility="network")
        make.registration(event, guest.owner)
    login(auth, fair["anna"])
    many = {path: _statements(app, client, path) for path in paths}
    assert few == many
    assert all(n <= 30 for n in many.values()), many


def test_giving_the_place_back_ends_the_person_s_meetings_there_and_tells_the_others(app, client, auth, fair):
    agreed(app, client, auth, fair, "anna", "ben", slot=0)
    login(auth, fair["cara"])
    propose(client, fair, "ben", slot=1)
    login(auth, fair["ben"])
    propose(client, fair, "dora", slot=2)

    assert client.post(f"/calendar/events/{fair['event'].id}/cancel", data=CONFIRMED).status_code == 302

    assert [m[2] for m in meetings(app)] == ["cancelled", "declined", "withdrawn"]
    assert bookings(app) == 0
    assert told(app, fair["anna"])[-1] == said(
        app, "%(name)s cancelled your meeting at %(title)s", name="Ben Film", title="Netzwerkbörse"
    )
    assert told(app, fair["cara"])[-1] == said(
        app, "%(name)s declined your meeting at %(title)s", name="Ben Film", title="Netzwerkbörse"
    )
    assert told(app, fair["dora"])[-1] == said(
        app, "%(name)s withdrew the proposed meeting at %(title)s", name="Ben Film", title="Netzwerkbörse"
    )


def test_the_reminder_before_the_event_lists_each_person_s_accepted_meetings_there(app, client, auth, fair):
    """The event's reminder (job events.reminders) names the person's accepted meetings: time, place, with whom;
    an open proposal or a cancelled meeting is not among them, and someone without meetings reads none."""
    import time_machine

    from hub.core.jobs.runner import execute

    agreed(app, client, auth, fair, "anna", "ben", slot=0, place="Tisch 2")
    agreed(app, client, auth, fair, "cara", "anna", slot=2, place="Foyer")
    login(auth, fair["anna"])
    propose(client, fair, "dora", slot=4)  # open: not in the reminder
    with time_machine.travel(START - timedelta(hours=20), tick=False), app.app_context():
        assert execute("events.reminders").outcome == "ok"

    def reminder(person) -> str:
        with app.app_context():
            [body] = db.session.scalars(
                select(OutboxMessage.body).where(
                    OutboxMessage.recipient == person.owner.email,
                    OutboxMessage.subject == said(app, "Reminder: %(title)s", title="Netzwerkbörse"),
                )
            ).all()
            return body

    anna = reminder(fair["anna"])
    clock = [slot.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") for slot in SLOT[:4]]
    assert f"- {clock[0]}–{clock[1]}, Tisch 2: Ben Film" in anna
    assert f"- {clock[2]}–{clock[3]}, Foyer: Cara Klang" in anna
    assert "Dora Druck" not in anna
    assert f"- {clock[0]}–{clock[1]}, Tisch 2: Anna Holzbau" in reminder(fair["ben"])
    assert said(app, "Your meetings there:") in anna
    assert said(app, "Your meetings there:") not in reminder(fair["dora"])


# -- personal data ----------------------------------------------------------------------------------------


def test_both_people_find_the_meeting_and_its_note_in_their_export_and_erasure_keeps_it_without_the_note(
    app, client, auth, fair
):
    from hub.privacy.services import erase_person, export_data

    login(auth, fair["anna"])
    propose(client, fair, "ben", slot=1, note=NOTE)
    with app.app_context(), app.test_request_context():
        for name in ("anna", "ben"):
            sections = export_data(db.session.get(User, fair[name].owner.id))["sections"]
            [section] = [s for s in sections if s["table"] == "event_meeting"]
            assert [row["note"] for row in section["rows"]] == [NOTE]
        assert not [
            s
            for s in export_data(db.session.get(User, fair["cara"].owner.id))["sections"]
            if s["table"] == "event_meeting"
        ]
        erase_person(db.session.get(User, fair["anna"].owner.id))
        db.session.commit()
    assert [(m[2], m[5]) for m in meetings(app)] == [("withdrawn", "")]


def test_an_erased_account_s_open_meetings_end_and_the_others_are_told_as_for_a_cancellation(app, client, auth, fair):
    """Erasing an account ends what the person still had open, by the rule of a place given back: the accepted
    meeting to come is cancelled (its slot and table free again), the person's proposal withdrawn, a proposal to
    them declined; the others are told under the pseudonym, never the erased name. A meeting that took place
    stays accepted (the coordination counts it)."""
    from hub.core.personal_data import PSEUDONYM
    from hub.privacy.services import erase_person

    agreed(app, client, auth, fair, "anna", "ben", slot=0)
    login(auth, fair["ben"])
    propose(client, fair, "cara", slot=1)
    login(auth, fair["dora"])
    propose(client, fair, "ben", slot=2)
    agreed(app, client, auth, fair, "cara", "dora", slot=3)  # not Ben's: stays as it is
    with app.app_context(), app.test_request_context():
        erase_person(db.session.get(User, fair["ben"].owner.id))
        db.session.commit()

    assert [m[2] for m in meetings(app)] == ["cancelled", "withdrawn", "declined", "accepted"]
    assert bookings(app) == 3  # only Cara's and Dora's meeting holds its slot and table
    event = "Netzwerkbörse"
    assert told(app, fair["anna"])[-1] == said(
        app, "%(name)s cancelled your meeting at %(title)s", name=PSEUDONYM, title=event
    )
    assert told(app, fair["cara"])[-1] == said(
        app, "%(name)s withdrew the proposed meeting at %(title)s", name=PSEUDONYM, title=event
    )
    assert told(app, fair["dora"])[-1] == said(
        app, "%(name)s declined your meeting at %(title)s", name=PSEUDONYM, title=event
    )


def test_an_erased_account_s_past_accepted_meeting_stays_for_the_figures(app, client, auth, fair):
    from hub.privacy.services import erase_person

    agreed(app, client, auth, fair, "anna", "ben", slot=0)
    with app.app_context(), all_regions():
        over = db.session.get(EventMeeting, meeting_id(app))
        over.starts_at, over.ends_at = START - timedelta(days=30), START - timedelta(days=30, minutes=-20)
        db.session.commit()
    before = told(app, fair["anna"])
    with app.app_context(), app.test_request_context():
        erase_person(db.session.get(User, fair["ben"].owner.id))
        db.session.commit()

    with app.app_context(), all_regions():
        assert db.session.get(EventMeeting, meeting_id(app)).status.value == "accepted"
    assert told(app, fair["anna"]) == before


def test_someone_one_meets_already_is_not_offered_slots_again(app, client, auth, fair):
    login(auth, fair["anna"])
    propose(client, fair, "ben", slot=0)
    html = page(client.get(f"/calendar/events/{fair['event'].id}/meetings?with={fair['ben'].id}"))
    assert shown(app, "You already have a meeting or an open proposal with this person at this event.") in html
    assert 'name="starts_at"' not in html


# -- the demo ---------------------------------------------------------------------------------------------


def test_the_demo_has_a_network_event_with_meetings_and_one_accepted_across_regions(app, runner):
    from hub.core.demo import DOMAIN

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context(), all_regions():
        [meeting] = db.session.scalars(select(EventMeeting)).all()
        assert meeting.status.value == "accepted" and meeting.event.audience.value == "network"
        assert {meeting.proposer.email, meeting.invitee.email} == {
            f"alte-brauerei@{DOMAIN}",
            f"filmproduktion@{DOMAIN}",
        }
        assert meeting.proposer_profile.region_id != meeting.invitee_profile.region_id
        assert db.session.scalar(select(MeetingSetup).where(MeetingSetup.event_id == meeting.event_id)).enabled
