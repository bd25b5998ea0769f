"""What a visitor without an account meets, and that no page is a dead end for them.

The front page says what the network does, shows the four regions (each with "Zugang anfragen"), the next
public events and how to join; a public event says how a visitor takes part; the directory's login page says
why it asks for a login; an empty month in the calendar shows what comes next.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.pages import flashes, page, shown
from tests.statements import counted

REGIONS = ("erzgebirge", "meissen", "lausitz", "dresden")


@pytest.fixture
def clock(time_machine):
    """The hub's clock stopped on a Tuesday in March, in the middle of a cohort."""
    time_machine.move_to(datetime(2031, 3, 11, 9, 0, tzinfo=UTC), tick=False)


# -- the front page -----------------------------------------------------------------------------------


def test_the_front_page_tells_a_visitor_what_the_network_does_and_how_to_join(app, client):
    html = page(client.get("/"))
    assert shown(app, "Creatives and businesses solve real problems together") in html
    assert shown(app, "Speed-dating") in html and shown(app, "Co-creation teams") in html
    assert shown(app, "How to join") in html
    for slug in REGIONS:
        assert f'class="card region-{slug}"' in html
        assert f'href="/{slug}/join"' in html
    assert 'href="/login"' in html


def test_the_funding_named_is_the_current_cohorts(app, client, make, clock):
    make.cohort(name="Durchgang 2029/30", starts_on=date(2029, 9, 1), ends_on=date(2030, 6, 30), funding="1800.00")
    make.cohort(name="Durchgang 2030/31", starts_on=date(2030, 9, 1), ends_on=date(2031, 6, 30), funding="2500.00")
    html = page(client.get("/"))
    assert "2.500,00" in html and "Durchgang 2030/31" in html
    assert "1.800,00" not in html


def test_the_front_page_shows_the_next_five_public_events_only(app, client, make, clock):
    now = datetime(2031, 3, 11, 9, 0, tzinfo=UTC)
    for n in range(6):
        make.event("meissen", title=f"Offene Werkstatt {n}", audience="public", start=now + timedelta(days=3 + n))
    make.event("erzgebirge", title="Nur für die Region", audience="region", start=now + timedelta(days=1))
    make.event("erzgebirge", title="Im Netzwerk", audience="network", start=now + timedelta(days=1))
    make.event("dresden", title="Abgesagt", audience="public", status="cancelled", start=now + timedelta(days=1))
    make.event("lausitz", title="Entwurf", audience="public", status="draft", start=now + timedelta(days=1))
    make.event("lausitz", title="Vorbei", audience="public", start=now - timedelta(days=2))
    html = page(client.get("/"))
    shown_titles = [f"Offene Werkstatt {n}" for n in range(5)]
    positions = [html.index(title) for title in shown_titles]
    assert positions == sorted(positions), "soonest first"
    for hidden in ("Offene Werkstatt 5", "Nur für die Region", "Im Netzwerk", "Abgesagt", "Entwurf", "Vorbei"):
        assert hidden not in html
    assert 'class="card region-meissen"' in html


def test_without_public_events_the_front_page_says_so_and_points_to_the_calendar(app, client):
    html = page(client.get("/"))
    assert (
        shown(
            app,
            "No public event is planned at the moment. The calendar shows new dates as soon as the networks "
            "publish them.",
        )
        in html
    )


def test_the_front_page_costs_a_fixed_few_statements_however_many_events_there_are(app, client, make, clock):
    now = datetime(2031, 3, 11, 9, 0, tzinfo=UTC)
    make.event("meissen", title="Eins", audience="public", start=now + timedelta(days=2))
    client.get("/")
    with counted(app) as few:
        client.get("/")
    for n in range(12):
        make.event("dresden", title=f"Mehr {n}", audience="public", start=now + timedelta(days=3 + n))
    with counted(app) as many:
        assert client.get("/").status_code == 200
    assert len(many) == len(few) <= 4, many


def test_signed_in_people_keep_their_own_start_page(app, client, auth, make):
    auth.login(make.participant("meissen"))
    html = page(client.get("/"))
    assert shown(app, "How to join") not in html


# -- a public event ----------------------------------------------------------------------------------


def test_a_public_event_tells_a_visitor_how_to_take_part(app, client, make):
    event = make.event("lausitz", title="Tag der offenen Ateliers", audience="public")
    html = page(client.get(f"/calendar/events/{event.id}"))
    assert f'href="/login?next=/calendar/events/{event.id}">{shown(app, "Log in and register")}' in html
    assert 'href="/lausitz/join"' in html
    assert shown(app, "Request access in %(region)s", region="Lausitz") in html


def test_members_see_no_request_for_access_on_an_event(app, client, auth, make):
    event = make.event("lausitz", title="Tag der offenen Ateliers", audience="public")
    auth.login(make.participant("lausitz"))
    assert 'href="/lausitz/join"' not in page(client.get(f"/calendar/events/{event.id}"))


# -- the directory ----------------------------------------------------------------------------------


def test_the_directory_tells_a_visitor_why_it_asks_for_a_login_and_how_to_get_an_account(app, client):
    response = client.get("/directory/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    html = page(client.get(response.headers["Location"]))
    assert shown(
        app,
        "The directory is for members of the network: log in to find creatives and organisations of all four "
        "regions. No account yet? Request access to a regional network below.",
    ) in flashes(html)
    assert 'href="/#regions"' in html


def test_other_pages_keep_the_plain_login_message(app, client):
    response = client.get("/contacts/")
    html = page(client.get(response.headers["Location"]))
    assert shown(app, "Please log in to see this page.") in flashes(html)


# -- the calendar ------------------------------------------------------------------------------------


def test_an_empty_month_says_so_and_shows_what_comes_next(app, client, make, clock):
    make.event("erzgebirge", title="Regionstreffen", audience="region", start=datetime(2031, 3, 20, 17, tzinfo=UTC))
    make.event("meissen", title="Werkstattgespräch", audience="public", start=datetime(2031, 5, 6, 16, tzinfo=UTC))
    make.event("dresden", title="Später", audience="public", start=datetime(2031, 6, 6, 16, tzinfo=UTC))
    html = page(client.get("/calendar/"))
    assert shown(app, "No public events this month.") in html
    coming = html[html.index('class="coming-next"') :]
    assert coming.index("Werkstattgespräch") < coming.index("Später")
    assert "Regionstreffen" not in html
    assert 'href="/#regions"' in html


def test_a_month_with_events_shows_no_list_of_what_comes_next(app, client, make, clock):
    make.event("meissen", title="Werkstattgespräch", audience="public", start=datetime(2031, 3, 20, 16, tzinfo=UTC))
    html = page(client.get("/calendar/"))
    assert 'class="coming-next"' not in html and "Werkstattgespräch" in html


def test_an_empty_later_month_shows_the_events_after_it(app, client, make, clock):
    make.event("meissen", title="Im April", audience="public", start=datetime(2031, 4, 6, 16, tzinfo=UTC))
    make.event("meissen", title="Im Juni", audience="public", start=datetime(2031, 6, 6, 16, tzinfo=UTC))
    html = page(client.get("/calendar/?month=2031-05"))
    coming = html[html.index('class="coming-next"') :]
    assert "Im Juni" in coming and "Im April" not in coming
