"""iCalendar feeds: valid RFC 5545 read back by an independent parser, stable UIDs, SEQUENCE and STATUS,
Berlin local times right across DST, all-day dates, visibility, private tokens, ETags, constant queries."""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
from sqlalchemy import select, update

from hub.accounts import services as accounts
from hub.accounts.models import AccessToken, User
from hub.core.actions import Actor
from hub.core.db import db
from hub.core.tenancy import all_regions, region_scope
from regions.events import services
from regions.events.models import Event
from regions.events.services import to_utc
from regions.events.vocab import Audience, EventStatus, EventType
from shared.calendar import feed_tokens, feeds, ics
from tests.statements import counted

BERLIN = "Europe/Berlin"
NETWORK = "/calendar/network.ics"


@dataclass
class Ev:
    id: int
    uid: str
    region: str
    title: str


@pytest.fixture
def create(app, regions):
    """create(region, title, local_start, ...): a published event made by the events services."""

    def make_event(
        region: str,
        title: str,
        start: datetime | None = None,
        *,
        hours: float = 2,
        audience: Audience = Audience.PUBLIC,
        status: EventStatus = EventStatus.PUBLISHED,
        all_day: bool = False,
        days: int = 1,
        utc_start: datetime | None = None,
        **fields,
    ) -> Ev:
        start = start or datetime.combine(date.today() + timedelta(days=10), time(18))
        if utc_start is not None:
            starts_at = utc_start
            ends_at = utc_start + timedelta(hours=hours)
        elif all_day:
            starts_at = to_utc(datetime.combine(start.date(), time()), BERLIN)
            ends_at = to_utc(datetime.combine(start.date() + timedelta(days=days), time()), BERLIN)
        else:
            starts_at = to_utc(start, BERLIN)
            ends_at = starts_at + timedelta(hours=hours)
        data = {
            "title": title,
            "type": EventType.NETWORK_MEETING,
            "audience": audience,
            "status": status,
            "all_day": all_day,
            **fields,
        }
        with app.app_context(), app.test_request_context(), region_scope(regions[region].id):
            event = services.create_event(data, starts_at=starts_at, ends_at=ends_at)
            db.session.commit()
            return Ev(event.id, event.uid, region, title)

    return make_event


@contextmanager
def in_region(app, regions, ev: Ev):
    """An event of the region, loaded for a service call; commits at the end."""
    with app.app_context(), app.test_request_context(), region_scope(regions[ev.region].id):
        yield services.get_event(ev.id)
        db.session.commit()


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def vevents(response) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in parse(response).walk("VEVENT")}


def titles(response) -> set[str]:
    return {str(e["SUMMARY"]) for e in parse(response).walk("VEVENT")}


def feed_token(app, person) -> str:
    with app.app_context(), app.test_request_context():
        raw = feed_tokens.new_feed_token(db.session.get(User, person.id))
        db.session.commit()
        return raw


def mine(raw: str) -> str:
    return f"/calendar/feeds/{raw}/mine.ics"


def private_network(raw: str) -> str:
    return f"/calendar/feeds/{raw}/network.ics"


def next_dst_sundays() -> tuple[date, date]:
    """Next year's last Sundays of March and October (inside the feeds' window whenever the tests run)."""
    year = date.today().year + 1

    def last_sunday(month):
        day = date(year, month, 31)
        return day - timedelta(days=(day.weekday() + 1) % 7)

    return last_sunday(3), last_sunday(10)


# -- valid iCalendar --------------------------------------------------------------------------------


def test_the_network_feed_is_valid_icalendar_with_the_berlin_timezone(client, create):
    create("erzgebirge", "Auftakt im Erzgebirge")
    create("lausitz", "Expertenabend Lausitz")
    response = client.get(NETWORK)
    calendar = parse(response)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == [BERLIN]
    assert titles(response) == {"Auftakt im Erzgebirge", "Expertenabend Lausitz"}
    for component in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "STATUS"):
            assert required in component
        assert component["DTSTART"].params["TZID"] == BERLIN
    raw = response.data
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert int(response.headers["Content-Length"]) == len(raw)


def test_text_is_escaped_and_folded_and_reads_back_unchanged(client, create):
    title = "Möbelbau, Holz; Design \\ Ideen – ein sehr langer Titel über Übergänge und Äußerlichkeiten"
    description = "Zeile eins\nZeile zwei, mit Komma; und Semikolon\n" + "Überlänge " * 30
    create("erzgebirge", title, description=description, venue="Kulturhaus", address="Markt 1, 09456 Annaberg")
    event = next(iter(vevents(client.get(NETWORK)).values()))
    assert str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]) == description.strip()
    assert str(event["LOCATION"]) == "Kulturhaus, Markt 1, 09456 Annaberg"


def test_a_long_line_is_never_cut_inside_a_character():
    line = "DESCRIPTION:" + "ä" * 100
    folded = ics.fold(line)
    for part in folded.split(b"\r\n"):
        part.decode()  # every physical line is valid UTF-8 by itself
        assert len(part) <= 75
    assert folded.replace(b"\r\n ", b"") == line.encode() + b"\r\n"


# -- UID, SEQUENCE, STATUS --------------------------------------------------------------------------


def test_the_uid_stays_and_the_sequence_rises_when_an_event_changes(app, regions, client, create):
    ev = create("meissen", "Netzwerktreffen")
    before = vevents(client.get(NETWORK))[ev.uid]
    assert int(before["SEQUENCE"]) == 0
    with in_region(app, regions, ev) as event:
        services.update_event(event, {"title": "Netzwerktreffen (neuer Ort)"})
    after = vevents(client.get(NETWORK))
    assert list(after) == [ev.uid]
    assert int(after[ev.uid]["SEQUENCE"]) == 1
    assert str(after[ev.uid]["SUMMARY"]) == "Netzwerktreffen (neuer Ort)"
    assert after[ev.uid]["LAST-MODIFIED"].dt >= before["LAST-MODIFIED"].dt


def test_a_cancelled_event_stays_in_the_feed_as_cancelled(app, regions, client, create):
    ev = create("dresden", "Abschlussveranstaltung")
    with in_region(app, regions, ev) as event:
        services.cancel_event(event)
    event = vevents(client.get(NETWORK))[ev.uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert "Abschlussveranstaltung" in str(event["SUMMARY"])


def test_the_single_event_download_has_the_same_uid(client, create):
    ev = create("erzgebirge", "Speed-Dating")
    response = client.get(f"/calendar/events/{ev.id}.ics")
    assert "attachment" in response.headers["Content-Disposition"]
    assert list(vevents(response)) == [ev.uid]
    assert vevents(client.get(NETWORK))[ev.uid]["UID"] == ev.uid


# -- time zones and all-day events ------------------------------------------------------------------


def _dst_cases(spring: date, autumn: date) -> list[tuple[str, datetime]]:
    """(title, UTC instant): either side of both changes, the missing hour and both passes of the repeated one."""
    day = timedelta(days=1)
    return [
        ("spring before", to_utc(datetime.combine(spring - day, time(10)), BERLIN)),  # CET
        ("spring missing hour", to_utc(datetime.combine(spring, time(2, 30)), BERLIN)),  # 02:30 does not exist
        ("spring first hour", datetime.combine(spring, time(1), UTC)),  # 03:00 CEST, the first summer minute
        ("spring after", to_utc(datetime.combine(spring, time(10)), BERLIN)),  # CEST
        ("autumn before", to_utc(datetime.combine(autumn - day, time(10)), BERLIN)),  # CEST
        ("autumn first pass", datetime.combine(autumn, time(0, 30), UTC)),  # 02:30 CEST
        ("autumn second pass", datetime.combine(autumn, time(1, 30), UTC)),  # 02:30 CET
        ("autumn first winter hour", datetime.combine(autumn, time(2), UTC)),  # 03:00 CET
        ("autumn after", to_utc(datetime.combine(autumn, time(10)), BERLIN)),  # CET
    ]


def _check_dst(events: dict[str, icalendar.Event], cases, calendar: icalendar.Calendar) -> None:
    # the feed's own VTIMEZONE, not the tz database
    berlin_from_feed = calendar.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    for title, instant in cases:
        event = events[title]
        start = event["DTSTART"].dt
        assert start.astimezone(UTC) == instant, title
        assert event["DTEND"].dt.astimezone(UTC) == instant + timedelta(hours=2), title
        if "TZID" in event["DTSTART"].params:
            wall = start.replace(tzinfo=None)
            assert wall.replace(tzinfo=berlin_from_feed).astimezone(UTC) == instant, title
        else:
            assert title == "autumn second pass"  # the repeated hour's second pass is written in UTC
            assert start.utcoffset() == timedelta(0)


def test_times_are_right_across_both_dst_changes_in_the_feed(client, create):
    spring, autumn = next_dst_sundays()
    cases = _dst_cases(spring, autumn)
    for title, instant in cases:
        create("erzgebirge", title, utc_start=instant)
    response = client.get(NETWORK)
    events = {str(e["SUMMARY"]): e for e in parse(response).walk("VEVENT")}
    assert set(events) == {title for title, _ in cases}
    _check_dst(events, cases, parse(response))
    assert b"DTSTART;TZID=Europe/Berlin:" + f"{spring:%Y%m%d}T033000".encode() in response.data


def test_times_are_right_on_the_2026_dst_days(client, create):
    """2026-03-29 and 2026-10-25, as downloads (the feeds' window moves on; a single event has none)."""
    cases = _dst_cases(date(2026, 3, 29), date(2026, 10, 25))
    found = {}
    for title, instant in cases:
        ev = create("erzgebirge", title, utc_start=instant)
        response = client.get(f"/calendar/events/{ev.id}.ics")
        found[title] = parse(response).walk("VEVENT")[0]
    _check_dst(found, cases, parse(response))
    assert to_utc(datetime(2026, 3, 29, 2, 30), BERLIN) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_an_event_in_another_time_zone_is_written_in_utc(client, create):
    instant = datetime.combine(date.today() + timedelta(days=20), time(23, 15), UTC)
    create("dresden", "Online aus New York", utc_start=instant, timezone="America/New_York")
    event = next(iter(vevents(client.get(NETWORK)).values()))
    assert event["DTSTART"].dt == instant and event["DTSTART"].dt.utcoffset() == timedelta(0)
    assert "TZID" not in event["DTSTART"].params


def test_all_day_events_are_date_values(client, create):
    first = date.today() + timedelta(days=30)
    create("lausitz", "Zweitägige Werkstatt", datetime.combine(first, time()), all_day=True, days=2)
    create("lausitz", "Ein Tag", datetime.combine(first, time()), all_day=True)
    response = client.get(NETWORK)
    events = {str(e["SUMMARY"]): e for e in parse(response).walk("VEVENT")}
    two = events["Zweitägige Werkstatt"]
    assert type(two["DTSTART"].dt) is date and type(two["DTEND"].dt) is date
    assert two["DTSTART"].dt == first and two["DTEND"].dt == first + timedelta(days=2)  # the end is exclusive
    assert events["Ein Tag"]["DTEND"].dt == first + timedelta(days=1)
    assert f"DTSTART;VALUE=DATE:{first:%Y%m%d}".encode() in response.data


def test_the_window_runs_from_a_year_ago_to_three_years_ahead(client, create):
    today = date.today()
    create("erzgebirge", "Vor zwei Jahren", datetime.combine(today - timedelta(days=2 * 366), time(10)))
    create("erzgebirge", "Vor einem halben Jahr", datetime.combine(today - timedelta(days=180), time(10)))
    create("erzgebirge", "In zweieinhalb Jahren", datetime.combine(today + timedelta(days=913), time(10)))
    create("erzgebirge", "In vier Jahren", datetime.combine(today + timedelta(days=4 * 366), time(10)))
    assert titles(client.get(NETWORK)) == {"Vor einem halben Jahr", "In zweieinhalb Jahren"}


# -- visibility -------------------------------------------------------------------------------------


@pytest.fixture
def spread(create):
    """Events of every audience in Erzgebirge and Meißen, and a draft."""
    return {
        "erz public": create("erzgebirge", "ERZ öffentlich"),
        "erz network": create("erzgebirge", "ERZ Netzwerk", audience=Audience.NETWORK),
        "erz region": create("erzgebirge", "ERZ nur Region", audience=Audience.REGION),
        "erz draft": create("erzgebirge", "ERZ Entwurf", audience=Audience.REGION, status=EventStatus.DRAFT),
        "mei public": create("meissen", "MEI öffentlich"),
        "mei region": create("meissen", "MEI nur Region", audience=Audience.REGION),
        "mei draft": create("meissen", "MEI Entwurf", audience=Audience.PUBLIC, status=EventStatus.DRAFT),
    }


def test_the_anonymous_network_feed_holds_public_events_only(client, spread):
    assert titles(client.get(NETWORK)) == {"ERZ öffentlich", "MEI öffentlich"}


def test_the_public_network_feed_is_the_same_for_signed_in_members(app, client, auth, make, spread):
    auth.login(make.coordinator("erzgebirge"))
    assert titles(client.get(NETWORK)) == {"ERZ öffentlich", "MEI öffentlich"}


def test_the_private_network_feed_holds_what_the_member_may_see(app, client, make, spread):
    member = make.participant("erzgebirge")
    got = titles(client.get(private_network(feed_token(app, member))))
    assert got == {"ERZ öffentlich", "ERZ Netzwerk", "ERZ nur Region", "MEI öffentlich"}


def test_another_regions_private_events_are_in_no_feed(app, client, auth, make, spread):
    coordinator = make.coordinator("erzgebirge")
    raw = feed_token(app, coordinator)
    auth.login(coordinator)
    foreign = {"MEI nur Region", "MEI Entwurf"}
    for url in (NETWORK, private_network(raw), mine(raw), "/erzgebirge/events.ics", "/meissen/events.ics"):
        assert not foreign & titles(client.get(url)), url
    for key in ("mei region", "mei draft"):
        assert client.get(f"/calendar/events/{spread[key].id}.ics").status_code == 404
    # drafts stay out of feeds, also the own region's
    assert "ERZ Entwurf" not in titles(client.get(private_network(raw)))


def test_the_region_feed_shows_visitors_the_public_events(client, spread):
    assert titles(client.get("/erzgebirge/events.ics")) == {"ERZ öffentlich"}
    assert client.get("/nowhere/events.ics").status_code == 404


def test_the_region_feed_shows_members_their_regions_events(client, auth, make, spread):
    auth.login(make.participant("erzgebirge"))
    assert titles(client.get("/erzgebirge/events.ics")) == {"ERZ öffentlich", "ERZ Netzwerk", "ERZ nur Region"}
    assert titles(client.get("/meissen/events.ics")) == {"MEI öffentlich"}


def test_a_single_event_is_downloaded_only_by_those_who_may_see_it(client, auth, make, spread):
    region_only = f"/calendar/events/{spread['erz region'].id}.ics"
    draft = f"/calendar/events/{spread['erz draft'].id}.ics"
    assert client.get(region_only).status_code == 404
    assert client.get("/calendar/events/999999.ics").status_code == 404
    auth.login(make.participant("erzgebirge"))
    assert titles(client.get(region_only)) == {"ERZ nur Region"}
    assert client.get(draft).status_code == 404
    auth.logout()
    auth.login(make.coordinator("erzgebirge"))
    assert str(vevents(client.get(draft))[spread["erz draft"].uid]["STATUS"]) == "TENTATIVE"


def test_the_umbrella_sees_every_published_event_in_its_private_feed(app, client, make, spread):
    got = titles(client.get(private_network(feed_token(app, make.umbrella()))))
    assert got == {"ERZ öffentlich", "ERZ Netzwerk", "ERZ nur Region", "MEI öffentlich", "MEI nur Region"}


# -- the online link --------------------------------------------------------------------------------

ROOM = "https://meet.example.org/raum-42"


def unfolded(response) -> str:
    """The body with folded lines joined again, so that a link cut by folding is still found."""
    return response.data.replace(b"\r\n ", b"").decode()


def online_event(create, **fields) -> Ev:
    return create("erzgebirge", "Online-Sprechstunde", online_url=ROOM, description="Bitte anmelden.", **fields)


def test_visitors_feeds_never_carry_the_online_link(app, client, auth, make, create):
    ev = online_event(create)
    with_venue = create("erzgebirge", "Hybrid", online_url=ROOM, venue="Kulturhaus")
    for url in (NETWORK, "/erzgebirge/events.ics", f"/calendar/events/{ev.id}.ics"):
        response = client.get(url)
        assert ROOM not in unfolded(response), url
        event = vevents(response)[ev.uid]
        assert all(ROOM not in str(value) for _name, value in event.property_items()), url
        assert str(event["LOCATION"]) == "Online"
        assert str(event["DESCRIPTION"]).startswith("Bitte anmelden.")
    assert str(vevents(client.get(NETWORK))[with_venue.uid]["LOCATION"]) == "Kulturhaus"
    auth.login(make.participant("erzgebirge"))
    assert ROOM not in unfolded(client.get(NETWORK))  # the public feed stays public for members too


def test_a_members_feeds_carry_the_online_link(app, client, auth, make, create):
    ev = online_event(create)
    member = make.participant("lausitz")
    make.registration(ev, member)
    raw = feed_token(app, member)
    auth.login(member)
    for url in (private_network(raw), mine(raw), "/erzgebirge/events.ics", f"/calendar/events/{ev.id}.ics"):
        event = vevents(client.get(url))[ev.uid]
        assert str(event["LOCATION"]) == ROOM, url
        assert ROOM in str(event["DESCRIPTION"]), url


def test_the_cache_and_the_etags_keep_visitors_and_members_apart(app, client, auth, make, create):
    ev = online_event(create)
    member = make.participant("erzgebirge")
    raw = feed_token(app, member)
    assert ROOM in unfolded(client.get(private_network(raw)))  # rendered for a member first
    assert ROOM not in unfolded(client.get(NETWORK))
    assert ROOM not in unfolded(client.get("/erzgebirge/events.ics"))
    urls = ("/erzgebirge/events.ics", f"/calendar/events/{ev.id}.ics")
    visitors = {url: client.get(url).headers["ETag"] for url in urls}
    auth.login(member)
    for url, etag in visitors.items():
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 200 and ROOM in unfolded(response), url
    auth.logout()
    assert ROOM not in unfolded(client.get("/erzgebirge/events.ics"))


# -- the own registrations --------------------------------------------------------------------------


def test_my_feed_holds_my_registrations_and_the_waiting_list(app, regions, client, make, create):
    me, other = make.participant("erzgebirge"), make.participant("erzgebirge")
    registered = create("erzgebirge", "Angemeldet", audience=Audience.REGION)
    full = create("erzgebirge", "Voll", capacity=1)
    withdrawn = create("erzgebirge", "Abgemeldet")
    called_off = create("erzgebirge", "Abgesagt")
    create("erzgebirge", "Nicht angemeldet")
    make.registration(full, other)
    for ev in (registered, full, withdrawn, called_off):
        make.registration(ev, me)
    with in_region(app, regions, withdrawn):
        event = services.get_event(withdrawn.id)
        services.cancel_registration(services.registration_of(event, db.session.get(User, me.id)))
    with in_region(app, regions, called_off) as event:
        services.cancel_event(event)

    events = vevents(client.get(mine(feed_token(app, me))))
    assert set(events) == {registered.uid, full.uid, called_off.uid}
    assert str(events[registered.uid]["STATUS"]) == "CONFIRMED"
    assert str(events[full.uid]["STATUS"]) == "TENTATIVE"  # on the waiting list
    assert "Voll" in str(events[full.uid]["SUMMARY"]) and str(events[full.uid]["SUMMARY"]) != "Voll"
    assert str(events[called_off.uid]["STATUS"]) == "CANCELLED"


def test_my_feed_changes_when_i_move_up_from_the_waiting_list(app, regions, client, make, create):
    me, other = make.participant("erzgebirge"), make.participant("erzgebirge")
    full = create("erzgebirge", "Voll", capacity=1)
    theirs = make.registration(full, other)
    make.registration(full, me)
    url = mine(feed_token(app, me))
    first = client.get(url)
    assert str(vevents(first)[full.uid]["STATUS"]) == "TENTATIVE"
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    with in_region(app, regions, full):
        services.cancel_registration(db.session.get(services.Registration, theirs.id))
    second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert str(vevents(second)[full.uid]["STATUS"]) == "CONFIRMED"


def test_the_private_feed_speaks_the_owners_language(app, client, make, create):
    ev = create("erzgebirge", "Abgesagt")
    person = make.participant("erzgebirge")
    make.registration(ev, person)
    with app.app_context():
        db.session.get(User, person.id).locale = "en"
        db.session.commit()
    raw = feed_token(app, person)
    response = client.get(mine(raw))
    assert str(parse(response)["X-WR-CALNAME"]) == "CIMIS Hub – my events"


# -- tokens -----------------------------------------------------------------------------------------


def test_a_new_token_ends_the_old_one_and_revoking_ends_it(app, client, make, create):
    create("erzgebirge", "Treffen")
    person = make.participant("erzgebirge")
    old = feed_token(app, person)
    assert client.get(mine(old)).status_code == 200
    new = feed_token(app, person)
    assert client.get(mine(old)).status_code == 404
    assert client.get(private_network(old)).status_code == 404
    assert client.get(private_network(new)).status_code == 200
    with app.app_context():
        user = db.session.get(User, person.id)
        assert feed_tokens.active_feed_token(user).prefix == new[:8]
        assert feed_tokens.revoke_feed_tokens(user) == 1
        db.session.commit()
        assert feed_tokens.active_feed_token(user) is None
    assert client.get(mine(new)).status_code == 404
    assert client.get(private_network(new)).status_code == 404


def test_a_token_revoked_on_the_account_page_answers_404(app, client, make):
    person = make.participant("lausitz")
    raw = feed_token(app, person)
    with app.app_context():
        user = db.session.get(User, person.id)
        accounts.revoke_access_token(user, feed_tokens.active_feed_token(user).id)
        db.session.commit()
    assert client.get(mine(raw)).status_code == 404


def test_unknown_tokens_and_api_tokens_do_not_open_a_feed(app, client, make):
    person = make.participant("lausitz")
    api_token = make.access_token(person).extra
    for raw in ("nonsense", api_token, "x" * 500):
        assert client.get(mine(raw)).status_code == 404
        assert client.get(private_network(raw)).status_code == 404


def test_a_feed_url_is_no_api_token(app, client, make):
    person = make.participant("lausitz")
    raw = feed_token(app, person)
    assert client.get(mine(raw)).status_code == 200
    with app.app_context():
        stored = db.session.scalar(select(AccessToken.token_hash).where(AccessToken.user_id == person.id))
    assert stored != hashlib.sha256(raw.encode()).hexdigest()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_feed_urls_are_absolute_on_the_configured_address_whatever_the_host_asked(app, make):
    with app.test_request_context(base_url="http://evil.example"):
        urls = feed_tokens.feed_urls("abc")
    assert urls == {
        "mine": "http://hub.test/calendar/feeds/abc/mine.ics",
        "network": "http://hub.test/calendar/feeds/abc/network.ics",
    }


# -- ETag and If-None-Match -------------------------------------------------------------------------


@pytest.fixture
def urls(app, make, create):
    """Every kind of feed, with an event registered for in each."""
    person = make.participant("erzgebirge")
    ev = create("erzgebirge", "Treffen")
    make.registration(ev, person)
    raw = feed_token(app, person)
    return ev, [NETWORK, "/erzgebirge/events.ics", f"/calendar/events/{ev.id}.ics", mine(raw), private_network(raw)]


def test_an_unchanged_feed_answers_304_without_a_body(client, urls):
    _, addresses = urls
    for url in addresses:
        first = client.get(url)
        etag = first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.data == b""
        assert again.headers["ETag"] == etag
        assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_compressed_feed_revalidates_with_its_etag_as_cheaply_as_a_plain_one(app, client, urls):
    """Flask-Compress marks the ETag of a gzip answer ("…:gzip"); the feed still answers 304 from its one aggregate
    query (hub/core/compression.py reads If-None-Match without the suffix)."""
    import gzip

    from tests.statements import counted

    _, addresses = urls
    for url in addresses:
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip", url
        assert gzip.decompress(packed.data) == plain.data
        assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
        with counted(app) as cheap:
            assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
        with counted(app) as revalidated:
            again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
        assert again.status_code == 304, url
        assert again.data == b""
        assert len(revalidated) == len(cheap), url
        changed = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": '"something-else:gzip"'})
        assert changed.status_code == 200


def test_a_change_gives_a_new_etag(app, regions, client, urls):
    ev, addresses = urls
    before = {url: client.get(url).headers["ETag"] for url in addresses}
    with in_region(app, regions, Ev(ev.id, ev.uid, "erzgebirge", "")) as event:
        services.update_event(event, {"venue": "Rathaus"})
    for url in addresses:
        response = client.get(url, headers={"If-None-Match": before[url]})
        assert response.status_code == 200, url
        assert response.headers["ETag"] != before[url]
        assert "Rathaus" in str(next(iter(vevents(response).values()))["LOCATION"])


def test_a_new_event_and_a_deleted_one_give_new_etags(app, regions, client, create):
    create("erzgebirge", "Eins")
    first = client.get(NETWORK).headers["ETag"]
    second_event = create("erzgebirge", "Zwei")
    second = client.get(NETWORK).headers["ETag"]
    assert second != first
    with app.app_context(), region_scope(regions["erzgebirge"].id):
        db.session.delete(services.get_event(second_event.id))
        db.session.commit()
    third = client.get(NETWORK, headers={"If-None-Match": second})
    assert third.status_code == 200 and titles(third) == {"Eins"}


def test_viewers_of_another_class_get_another_etag(app, client, auth, make, create):
    create("erzgebirge", "Treffen", audience=Audience.REGION)
    anonymous = client.get("/erzgebirge/events.ics").headers["ETag"]
    auth.login(make.participant("erzgebirge"))
    member = client.get("/erzgebirge/events.ics", headers={"If-None-Match": anonymous})
    assert member.status_code == 200 and member.headers["ETag"] != anonymous


# -- the cache --------------------------------------------------------------------------------------


def test_a_change_made_elsewhere_is_never_hidden_by_the_cache(app, regions, client, create):
    """Another process changes the row (here: a bulk UPDATE); updated_at moves, so the key does."""
    ev = create("erzgebirge", "Alt")
    assert titles(client.get(NETWORK)) == {"Alt"}
    with app.app_context(), region_scope(regions["erzgebirge"].id):
        db.session.execute(update(Event).where(Event.id == ev.id).values(title="Neu"))
        db.session.commit()
    assert titles(client.get(NETWORK)) == {"Neu"}


def test_the_counters_update_moves_updated_at(app, regions, create, make):
    ev = create("erzgebirge", "Treffen")
    with app.app_context(), all_regions():
        before = db.session.get(Event, ev.id).updated_at
    make.registration(ev, make.participant("erzgebirge"))
    with app.app_context(), all_regions():
        assert db.session.get(Event, ev.id).updated_at > before


def test_the_lru_keeps_its_size():
    cache = ics.VeventCache(capacity=3)
    cache.put_many([((i,), b"x") for i in range(5)])
    assert len(cache) == 3
    assert cache.get_many([(0,), (4,)]) == [None, b"x"]


# -- cost -------------------------------------------------------------------------------------------


def _queries(app, client, url, **kw) -> int:
    with counted(app) as statements:
        response = client.get(url, **kw)
        assert response.status_code in (200, 304)
    return len(statements)


@pytest.mark.parametrize("load_by_id", [500, 2])
def test_the_network_feed_costs_the_same_queries_for_few_and_many_events(app, client, create, monkeypatch, load_by_id):
    monkeypatch.setattr(feeds, "LOAD_BY_ID", load_by_id)
    for n in range(3):
        create("erzgebirge", f"Erstes {n}")
    cold_few = _queries(app, client, NETWORK)
    warm_few = _queries(app, client, NETWORK)
    for n in range(30):
        create(("erzgebirge", "lausitz", "meissen")[n % 3], f"Weiteres {n}", audience=Audience.PUBLIC)
    cold_many = _queries(app, client, NETWORK)
    warm_many = _queries(app, client, NETWORK)
    assert len(titles(client.get(NETWORK))) == 33
    assert cold_many == cold_few == 2  # the listing, and the events to render
    assert warm_many == warm_few == 1  # the listing only
    etag = client.get(NETWORK).headers["ETag"]
    assert _queries(app, client, NETWORK, headers={"If-None-Match": etag}) == 1


def test_the_private_feed_costs_the_same_queries_for_few_and_many_events(app, client, make, create):
    person = make.participant("erzgebirge")
    url = private_network(feed_token(app, person))
    create("erzgebirge", "Erstes")
    client.get(url)
    few = _queries(app, client, url)
    for n in range(20):
        create("erzgebirge", f"Weiteres {n}", audience=Audience.REGION)
    client.get(url)
    assert _queries(app, client, url) == few


def test_a_feed_of_unchanged_events_renders_nothing(app, client, create, monkeypatch):
    for n in range(5):
        create("erzgebirge", f"Treffen {n}")
    client.get(NETWORK)
    calls = []
    monkeypatch.setattr(ics, "render_vevent", lambda *a, **k: calls.append(1) or b"")
    assert len(titles(client.get(NETWORK))) == 5
    assert calls == []


# -- the subscription page --------------------------------------------------------------------------


def shown(page: str) -> dict[str, str]:
    """The addresses in the page's readonly fields, by field id."""
    return dict(re.findall(r'<input id="(feed-[a-z]+)" class="address" type="text" value="([^"]+)"', page))


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def subscription_page(client) -> str:
    response = client.get("/calendar/subscribe")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_member_creates_private_addresses_and_is_shown_them_again(app, client, auth, make, create):
    from icalendar import Calendar

    person = make.participant("erzgebirge")
    make.registration(create("erzgebirge", "Treffen"), person)
    auth.login(person)
    before = shown(subscription_page(client))
    assert set(before) == {"feed-public"}, "no private addresses before they are made"
    response = client.post("/calendar/subscribe", data={"action": "new"})
    assert response.status_code == 302 and response.location.endswith("/calendar/subscribe#private")
    first = shown(subscription_page(client))
    again = shown(subscription_page(client))
    assert first == again, "coming back shows the same addresses"
    assert first["feed-mine"].endswith("/mine.ics") and first["feed-network"].endswith("/network.ics")
    for url in (first["feed-mine"], first["feed-network"]):
        assert url.startswith("http://hub.test/calendar/feeds/")
        response = client.get(path_of(url))
        assert response.status_code == 200, "what is shown again is the address that works"
        Calendar.from_ical(response.data)
    assert "Treffen" in titles(client.get(path_of(first["feed-mine"])))
    with app.app_context():
        user = db.session.get(User, person.id)
        assert feed_tokens.current_urls(Actor(user, None)) == {
            "mine": first["feed-mine"],
            "network": first["feed-network"],
        }


def test_the_page_offers_copying_webcal_links_and_help_and_is_not_cached(app, client, auth, make):
    person = make.participant("lausitz")
    auth.login(person)
    client.post("/calendar/subscribe", data={"action": "new"})
    response = client.get("/calendar/subscribe")
    page = response.get_data(as_text=True)
    addresses = shown(page)
    assert addresses["feed-public"] == "http://hub.test/calendar/network.ics"
    for field, url in addresses.items():
        assert f'data-copy="{field}"' in page
        assert f'href="webcal://{url.split("://", 1)[1]}"' in page
    assert page.count("<details") >= 4  # Google, iPhone, Mac, Outlook
    assert "/static/js/copy.js" in page
    assert "private" in response.headers["Cache-Control"] and "no-store" in response.headers["Cache-Control"]


def test_renewing_ends_the_old_addresses_and_switching_off_ends_all(app, client, auth, make):
    person = make.participant("erzgebirge")
    auth.login(person)
    client.post("/calendar/subscribe", data={"action": "new"})
    old = shown(subscription_page(client))
    client.post("/calendar/subscribe", data={"action": "new"})
    new = shown(subscription_page(client))
    assert new["feed-public"] == old["feed-public"]
    for kind in ("feed-mine", "feed-network"):
        assert new[kind] != old[kind]
        assert client.get(path_of(old[kind])).status_code == 404
        assert client.get(path_of(new[kind])).status_code == 200
    client.post("/calendar/subscribe", data={"action": "revoke"})
    assert set(shown(subscription_page(client))) == {"feed-public"}
    for kind in ("feed-mine", "feed-network"):
        assert client.get(path_of(new[kind])).status_code == 404


def test_another_person_never_sees_my_addresses(app, client, auth, make):
    me = make.participant("erzgebirge")
    other = make.participant("erzgebirge")
    auth.login(me)
    client.post("/calendar/subscribe", data={"action": "new"})
    mine = shown(subscription_page(client))
    secret = mine["feed-mine"].split("/feeds/", 1)[1].split("/", 1)[0]
    auth.logout()
    auth.login(other)
    page = subscription_page(client)
    assert secret not in page and set(shown(page)) == {"feed-public"}
    client.post("/calendar/subscribe", data={"action": "new"})
    theirs = shown(subscription_page(client))
    assert secret not in subscription_page(client) and theirs["feed-mine"] != mine["feed-mine"]
    assert client.get(path_of(mine["feed-mine"])).status_code == 200, "another's renewal leaves mine alone"
    auth.logout()
    page = subscription_page(client)
    assert secret not in page and set(shown(page)) == {"feed-public"}, "a visitor gets the public address"
    assert "/login?next=/calendar/subscribe" in page
    response = client.post("/calendar/subscribe", data={"action": "new"})
    assert response.status_code == 302 and "/login" in response.location


def test_the_database_alone_does_not_give_the_address(app, make):
    """The secret is SECRET_KEY's HMAC of the row's id and nonce: the row holds neither it nor its hash,
    and under another key it is not shown (it would not be the address that works)."""
    person = make.participant("lausitz")
    raw = feed_token(app, person)
    with app.app_context(), app.test_request_context():
        token = feed_tokens.active_feed_token(db.session.get(User, person.id))
        assert token.nonce and raw not in (token.nonce, token.token_hash)
        assert token.token_hash != hashlib.sha256(raw.encode()).hexdigest()
        assert feed_tokens.shown_again(token) == raw
        key = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "another key"
        try:
            assert feed_tokens.shown_again(token) is None
        finally:
            app.config["SECRET_KEY"] = key


def test_an_address_made_before_it_could_be_shown_again_works_and_can_be_renewed(app, client, auth, make):
    person = make.participant("lausitz")
    raw = "made-before-nonces-were-kept"
    with app.app_context(), app.test_request_context():
        db.session.add(
            AccessToken(
                user_id=person.id,
                name=feed_tokens.FEED_TOKEN_NAME,
                token_hash=feed_tokens._stored_hash(raw),
                prefix=raw[:8],
            )
        )
        db.session.commit()
    assert client.get(mine(raw)).status_code == 200
    auth.login(person)
    page = subscription_page(client)
    assert set(shown(page)) == {"feed-public"} and 'id="old-addresses"' in page
    client.post("/calendar/subscribe", data={"action": "new"})
    assert client.get(mine(raw)).status_code == 404
    assert set(shown(subscription_page(client))) == {"feed-public", "feed-mine", "feed-network"}
