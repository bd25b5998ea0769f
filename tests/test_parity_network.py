"""The network-wide features through the page and through the API: the same cases end the same way.

Cohorts, the notification choices and marking read, the data export and the key figures exist both as
pages and in the API; each case here goes through both (tests/parity.py) and must end alike and store
alike. The erasure of one's own account is a page only (the API has no way to erase an account), so it
has no parity case.

Decided here, with a case that failed before:
- **A cohort's name taken at the same moment** (two admins, one name) answered 500 on the page and in
  the API (the unique constraint at commit); now both answer 409 and store one cohort.
- **The topics a person may choose** lived in the page only: it offered a participant no coordinators'
  topic and kept such a topic as it was, while the API switched every topic off that its ``emailed`` list
  left out, the coordinators' ones too, and accepted them for a participant. Now one rule
  (``hub.notifications.services.choosable_topics``) holds for both: a topic the person cannot choose keeps
  its setting, and sending one is refused naming ``emailed``, as an unknown topic is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from hub.core.db import db
from tests.conftest import AuthActions, wipe_database
from tests.factories import Factory
from tests.parity import CONFLICT, FORBIDDEN, NOT_FOUND, Case, Outcome, UseCase, check_parity, done, refused

REGION = "erzgebirge"

# -- cohorts -----------------------------------------------------------------------------------------------


def cohort_world(make) -> dict:
    """An admin, a coordinator and two cohorts (one to change, one whose name is taken)."""
    return {
        "admin": make.admin(name="Verwaltung"),
        "coordinator": make.coordinator(REGION, name="Koordination"),
        "cohort": make.cohort(name="Durchgang Eins"),
        "other": make.cohort(name="Durchgang Zwei"),
    }


def cohorts_stored(app, world) -> list:
    from hub.cohorts.models import Cohort

    with app.app_context():
        return [
            (c.name, c.starts_on, c.ends_on, c.funding_per_match_cents, c.planned_expert_events, c.description)
            for c in db.session.scalars(select(Cohort).order_by(Cohort.name))
        ]


START = date(2027, 1, 1)
COHORT = {
    "name": "Durchgang Drei",
    "starts_on": START,
    "ends_on": START + timedelta(days=300),
    "funding_per_match": Decimal("3000.00"),
    "planned_expert_events": 4,
    "description": "Der dritte Durchgang",
}

CREATE_A_COHORT = UseCase(
    world=cohort_world,
    page=lambda world, values: "/admin/cohorts/new",
    api=lambda world, values: "/api/v1/cohorts/",
    snapshot=cohorts_stored,
)


@pytest.mark.parametrize(
    "case",
    [
        Case("an admin starts a cohort", "admin", COHORT),
        Case("the name is taken", "admin", {**COHORT, "name": "Durchgang Eins"}, refused("name")),
        Case("the end before the start", "admin", {**COHORT, "ends_on": START - timedelta(days=1)}, refused("ends_on")),
        Case(
            "funding that is no amount", "admin", {**COHORT, "funding_per_match": "viel"}, refused("funding_per_match")
        ),
        Case("a coordinator may not", "coordinator", COHORT, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_starting_a_cohort(app, regions, client, case):
    check_parity(app, regions, client, CREATE_A_COHORT, case)


def test_a_cohorts_name_taken_at_the_same_moment_is_a_conflict_on_both_ways(app, regions, client, monkeypatch):
    """Another admin saved the name between the check and the write: the database refuses the second one."""
    from hub.cohorts import services

    monkeypatch.setattr(services, "_cohort_named", lambda name: None)  # the check saw the name still free
    case = Case("the same name at the same moment", "admin", {**COHORT, "name": "Durchgang Eins"}, CONFLICT)
    check_parity(app, regions, client, CREATE_A_COHORT, case)


CHANGE_A_COHORT = UseCase(
    world=cohort_world,
    page=lambda world, values: f"/admin/cohorts/{world['cohort'].id}/edit",
    api=lambda world, values: f"/api/v1/cohorts/{world['cohort'].id}",
    snapshot=cohorts_stored,
    api_method="PUT",
)
UNKNOWN_COHORT = UseCase(
    world=cohort_world,
    page=lambda world, values: "/admin/cohorts/99999/edit",
    api=lambda world, values: "/api/v1/cohorts/99999",
    snapshot=cohorts_stored,
    api_method="PUT",
)


@pytest.mark.parametrize(
    "case",
    [
        Case("an admin changes a cohort", "admin", {**COHORT, "name": "Durchgang Eins, neu"}),
        Case("another cohort's name", "admin", {**COHORT, "name": "Durchgang Zwei"}, refused("name")),
        Case("a coordinator may not", "coordinator", COHORT, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_changing_a_cohort(app, regions, client, case):
    check_parity(app, regions, client, CHANGE_A_COHORT, case)


def test_changing_a_cohort_that_does_not_exist(app, regions, client):
    check_parity(app, regions, client, UNKNOWN_COHORT, Case("no such cohort", "admin", COHORT, NOT_FOUND))


# -- notifications -----------------------------------------------------------------------------------------

COORDINATORS_TOPIC = "coordination_news"


@pytest.fixture
def coordinators_topic(monkeypatch):
    """A kind of e-mail for the coordination only, besides the digest (a feature may register one)."""
    from hub.notifications import topics

    monkeypatch.setitem(
        topics._TOPICS,
        COORDINATORS_TOPIC,
        topics.Topic(COORDINATORS_TOPIC, "Neues für die Koordination", "Nur für Koordinationen", True),
    )


def notification_world(make) -> dict:
    """A participant with two notifications, someone else with one, the umbrella with one, a coordinator."""
    world = {
        "participant": make.participant(REGION, name="Ada Teilnehmerin"),
        "someone": make.participant(REGION, name="Bob Anderer"),
        "umbrella": make.umbrella(name="Dach"),
        "coordinator": make.coordinator(REGION, name="Koordination"),
    }
    make.notification(world["participant"], subject="Erste")
    make.notification(world["participant"], subject="Zweite")
    make.notification(world["someone"], subject="Bobs")
    make.notification(world["umbrella"], subject="Fürs Dach")
    return world


def read_state(app, world) -> list:
    from hub.accounts.models import User
    from hub.notifications.models import Notification

    with app.app_context():
        rows = db.session.execute(
            select(User.name, Notification.subject, Notification.read_at).join(User, User.id == Notification.user_id)
        )
        return sorted((name, subject.rsplit(" ", 1)[-1], read_at is not None) for name, subject, read_at in rows)


MARK_ALL_READ = UseCase(
    world=notification_world,
    page=lambda world, values: "/notifications/read",
    api=lambda world, values: "/api/v1/notifications/read",
    snapshot=read_state,
)


@pytest.mark.parametrize(
    "case",
    [
        Case("a participant marks all of theirs read", "participant"),
        Case("the umbrella marks its own read", "umbrella"),
    ],
    ids=lambda case: case.name,
)
def test_marking_all_notifications_read(app, regions, client, case):
    check_parity(app, regions, client, MARK_ALL_READ, case)


def choices_stored(app, world) -> list:
    from hub.accounts.models import User
    from hub.notifications.models import NotificationSettings

    with app.app_context():
        rows = db.session.execute(
            select(User.name, NotificationSettings).join(User, User.id == NotificationSettings.user_id)
        )
        return sorted((name, sorted(s.muted_topics or ()), s.digest) for name, s in rows)


CHOOSE_EMAILS = UseCase(
    world=notification_world,
    page=lambda world, values: "/account/notifications",
    api=lambda world, values: "/api/v1/notifications/settings",
    snapshot=choices_stored,
    api_method="PATCH",
)


@pytest.mark.parametrize(
    "case",
    [
        Case("a participant wants only registrations", "participant", {"emailed": ["registrations"]}),
        Case("an unknown kind of e-mail", "participant", {"emailed": ["registrations", "spam"]}, refused("emailed")),
        Case(
            "the digest daily",
            "coordinator",
            {"emailed": ["registrations", COORDINATORS_TOPIC], "digest": "daily"},
        ),
        Case("the digest hourly", "coordinator", {"emailed": ["registrations"], "digest": "hourly"}, refused("digest")),
        Case(
            "a participant cannot choose a coordinators' topic",
            "participant",
            {"emailed": ["registrations", COORDINATORS_TOPIC]},
            refused("emailed"),
        ),
    ],
    ids=lambda case: case.name,
)
def test_choosing_which_emails_come(app, regions, client, coordinators_topic, case):
    """A participant's choice keeps the coordinators' topic as it was (the API switched it off: a drift)."""
    check_parity(app, regions, client, CHOOSE_EMAILS, case)


def test_a_coordinators_topic_is_not_offered_to_a_participant_on_either_way(
    app, client, auth, make, coordinators_topic
):
    ada = make.participant(REGION)
    headers = {"Authorization": f"Bearer {make.access_token(ada).extra}"}
    auth.login(ada)

    assert f'value="{COORDINATORS_TOPIC}"' not in client.get("/account/notifications").get_data(as_text=True)
    assert COORDINATORS_TOPIC not in client.get("/api/v1/notifications/settings", headers=headers).get_json()["topics"]


# -- the data export ---------------------------------------------------------------------------------------


def test_the_export_of_ones_own_data_is_the_same_on_the_page_and_in_the_api(app, client, auth, make):
    ada = make.person(REGION, "creative", name="Ada Export")
    person = ada.owner
    make.notification(person, subject="Für den Export")
    token = make.access_token(person).extra
    auth.login(person)
    # The API first: its token's first use is noted on the token, which both exports then show alike.
    through_api = client.get("/api/v1/me/export", headers={"Authorization": f"Bearer {token}"})
    through_page = client.get("/account/data.json")

    assert through_api.status_code == through_page.status_code == 200
    api_data, page_data = through_api.get_json(), through_page.get_json()
    assert api_data.pop("created_at") and page_data.pop("created_at")
    assert "profile" in {section["table"] for section in page_data["sections"]}
    assert api_data == page_data


# -- the key figures (reads: page and API with the same query) --------------------------------------------

_PAGE_FIELD = re.compile(r'<p class="error" id="e-([\w-]+)">')


@dataclass(frozen=True)
class Query:
    """One query of the key figures: who asks, where, with which arguments, and what must come of it."""

    name: str
    actor: str
    query: str
    expect: Outcome
    own_region: bool = False


def _read_outcome(response, fields) -> Outcome:
    if response.status_code == 200:
        return done()
    if response.status_code == 422:
        return refused(*fields)
    return {403: FORBIDDEN, 404: NOT_FOUND}.get(response.status_code, Outcome(f"HTTP {response.status_code}"))


def check_read_parity(app, regions, client, query: Query) -> None:
    """The dashboard page and the API's key figures answer the same query alike."""
    make = Factory(app, regions)
    people = {
        "umbrella": make.umbrella(),
        "coordinator": make.coordinator(REGION),
        "other coordinator": make.coordinator("lausitz"),
        "participant": make.participant(REGION),
    }
    make.cohort(name="Laufender Durchgang")
    person = people[query.actor]
    page_url = f"/{REGION}/dashboard" if query.own_region else "/umbrella/dashboard"
    api_url = f"/api/v1/regions/{REGION}/kpis" if query.own_region else "/api/v1/kpis"

    AuthActions(client).login(person)
    page = client.get(f"{page_url}?{query.query}")
    page_result = _read_outcome(page, _PAGE_FIELD.findall(page.get_data(as_text=True)))
    client.post("/logout")
    token = make.access_token(person).extra
    api = client.get(f"{api_url}?{query.query}", headers={"Authorization": f"Bearer {token}"})
    api_result = _read_outcome(api, (api.get_json() or {}).get("errors", {}).get("query", {}))
    wipe_database(app)

    assert page_result == query.expect, f"page: {page_result!r} ({page.status_code})"
    assert api_result == query.expect, f"API: {api_result!r} ({api.status_code} {api.get_data(as_text=True)[:300]})"


@pytest.mark.parametrize(
    "query",
    [
        Query("the umbrella, every region", "umbrella", "", done()),
        Query("the umbrella, one region", "umbrella", "region=erzgebirge", done()),
        Query("a region that does not exist", "umbrella", "region=atlantis", refused("region")),
        Query("a cohort that does not exist", "umbrella", "cohort=999999", refused("cohort")),
        Query("the end before the start", "umbrella", "from=2027-01-01&to=2026-01-01", refused("to")),
        Query("more than ten years", "umbrella", "from=2000-01-01&to=2026-01-01", refused("from")),
        Query("a date that is no date", "umbrella", "from=gestern", refused("from")),
        Query("a coordinator asks for every region", "coordinator", "", FORBIDDEN),
        Query("a participant", "participant", "", FORBIDDEN, own_region=True),
        Query("the coordination, its own region", "coordinator", "", done(), own_region=True),
        Query("the coordination, a cohort that does not exist", "coordinator", "cohort=0", refused("cohort"), True),
        Query("another region's coordination", "other coordinator", "", FORBIDDEN, own_region=True),
    ],
    ids=lambda query: query.name,
)
def test_asking_for_the_key_figures(app, regions, client, query):
    check_read_parity(app, regions, client, query)
