"""PUT replaces, PATCH changes — one rule for every resource of the API (hub.core.api_updates): a field left out of
a PATCH never changes, a PUT names every writable field it misses, and what GET returns (times included)
goes back by PUT or PATCH unchanged, changing nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hub.audit.models import AuditEntry
from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.events.models import Event
from regions.profiles.models import EDITABLE_FIELDS
from tests.pages import bearer

REGION = "erzgebirge"
API = f"/api/v1/regions/{REGION}"
BERLIN = ZoneInfo("Europe/Berlin")

EVENT_FIELDS = {
    "title",
    "type",
    "description",
    "all_day",
    "starts_at",
    "ends_at",
    "timezone",
    "venue",
    "address",
    "online_url",
    "audience",
    "capacity",
    "registration_deadline",
    "status",
    "questions",
}
PROFILE_FIELDS = {*EDITABLE_FIELDS, "consent"}  # what the profile declares as written by people, and their consent
# The writable fields of every resource, by its path in the OpenAPI document.
WRITABLE = {
    "/api/v1/cohorts/{cohort_id}": {
        "name",
        "starts_on",
        "ends_on",
        "funding_per_match",
        "planned_expert_events",
        "description",
    },
    "/api/v1/regions/{region}/events/{event_id}": EVENT_FIELDS,
    "/api/v1/regions/{region}/profile": PROFILE_FIELDS,
    "/api/v1/regions/{region}/profiles/{profile_id}": PROFILE_FIELDS,
    "/api/v1/regions/{region}/speed-dating/sessions/{session_id}": {
        "title",
        "mode",
        "tables",
        "round_minutes",
        "break_minutes",
        "starts_at",
        "rating_deadline",
    },
    "/api/v1/regions/{region}/matches/{match_id}": {"title", "challenge", "goals", "outcome", "case_study"},
    "/api/v1/regions/{region}/matches/milestones/{milestone_id}": {"title", "due_on", "note", "done_on"},
}


@dataclass
class Resource:
    url: str
    headers: dict
    writable: set[str]
    change: dict  # one field with a new value


def soon(days: int, hour: int) -> datetime:
    """A Berlin wall-clock time some days ahead, in UTC."""
    day = date.today() + timedelta(days=days)
    return datetime.combine(day, time(hour), BERLIN).astimezone(UTC)


def _event(make, headers, **fields) -> Resource:
    start = soon(20, 18)
    event = make.event(
        REGION,
        title="Netzwerktreffen",
        start=start,
        description="Mit Imbiss.",
        venue="Kulturhaus",
        online_url="https://meet.example.org/raum",
        capacity=30,
        registration_deadline=start - timedelta(days=2),
        questions=[{"key": "q1", "label": "Organisation", "required": True}, {"key": "q3", "label": "Essen?"}],
        **fields,
    )
    return Resource(f"{API}/events/{event.id}", headers, EVENT_FIELDS, {"title": "Netzwerktreffen im Herbst"})


def _resources(make, kind: str) -> Resource:
    coordination = bearer(make.access_token(make.coordinator(REGION)).extra)
    if kind == "cohort":
        cohort = make.cohort()
        admin = bearer(make.access_token(make.admin()).extra)
        path = "/api/v1/cohorts/{cohort_id}"
        return Resource(f"/api/v1/cohorts/{cohort.id}", admin, WRITABLE[path], {"name": "Durchgang Herbst"})
    if kind == "event":
        return _event(make, coordination)
    if kind == "all-day event":
        return _event(make, coordination, all_day=True)
    if kind == "own profile":
        person = make.person(REGION, pitch="Wir bauen Möbel.", offer_tags=["Holz"], town="Zwönitz")
        mine = bearer(make.access_token(person.owner).extra)
        return Resource(f"{API}/profile", mine, PROFILE_FIELDS, {"pitch": "Wir bauen Tische."})
    if kind == "profile":
        profile = make.profile(REGION, name="Holzwerk", pitch="Möbel", offer_tags=["Holz"], visibility="region")
        return Resource(f"{API}/profiles/{profile.id}", coordination, PROFILE_FIELDS, {"pitch": "Tische"})
    if kind == "session":
        kickoff = make.event(REGION, start=soon(10, 17), type="kickoff")
        session = make.session(REGION, kickoff, rating_deadline=soon(17, 23))
        url = f"{API}/speed-dating/sessions/{session.id}"
        return Resource(
            url,
            coordination,
            WRITABLE["/api/v1/regions/{region}/speed-dating/sessions/{session_id}"],
            {"round_minutes": 9},
        )
    match = make.match(REGION, challenge="Ehrenamtliche schneller einarbeiten")
    if kind == "match":
        path = "/api/v1/regions/{region}/matches/{match_id}"
        return Resource(f"{API}/matches/{match.id}", coordination, WRITABLE[path], {"goals": "Ein Leitfaden"})
    milestone = make.milestone(match, title="Entwurf")
    path = "/api/v1/regions/{region}/matches/milestones/{milestone_id}"
    return Resource(f"{API}/matches/milestones/{milestone.id}", coordination, WRITABLE[path], {"note": "fast fertig"})


KINDS = ["cohort", "event", "all-day event", "own profile", "profile", "session", "match", "milestone"]


@pytest.fixture(params=KINDS)
def resource(request, make) -> Resource:
    return _resources(make, request.param)


def get(client, resource: Resource) -> dict:
    response = client.get(resource.url, headers=resource.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def audit_entries(app) -> int:
    with app.app_context(), all_regions():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_what_get_returns_goes_back_by_put_and_by_patch_and_changes_nothing(app, client, resource):
    before, logged = get(client, resource), audit_entries(app)
    for method in ("PUT", "PATCH"):
        response = client.open(resource.url, method=method, json=before, headers=resource.headers)
        assert response.status_code == 200, (method, response.get_data(as_text=True))
        assert response.get_json() == before, method
    assert get(client, resource) == before
    assert audit_entries(app) == logged


def test_patch_changes_the_fields_sent_and_no_other(client, resource):
    before = get(client, resource)
    response = client.patch(resource.url, json=resource.change, headers=resource.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    after = get(client, resource)
    (name, value), kept = next(iter(resource.change.items())), resource.writable - set(resource.change)
    assert after[name] == value
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}


def test_put_names_every_writable_field_it_misses_and_changes_nothing(client, resource):
    before = get(client, resource)
    response = client.put(resource.url, json=resource.change, headers=resource.headers)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == resource.writable - set(resource.change)
    assert get(client, resource) == before


def test_put_with_every_field_replaces(client, resource):
    body = {**get(client, resource), **resource.change}
    response = client.put(resource.url, json=body, headers=resource.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    name, value = next(iter(resource.change.items()))
    assert get(client, resource)[name] == value


def test_patch_with_an_empty_text_or_null_clears_the_field(client, make):
    event = _resources(make, "event")
    response = client.patch(event.url, json={"description": "", "capacity": None}, headers=event.headers)
    assert response.status_code == 200
    after = get(client, event)
    assert after["description"] == "" and after["capacity"] is None and after["venue"] == "Kulturhaus"


# -- times as the API returns them ----------------------------------------------------------------------


def test_an_event_takes_its_times_back_with_z_or_any_offset(client, make):
    event = _resources(make, "event")
    before = get(client, event)
    start = datetime.fromisoformat(before["starts_at"])
    body = {
        **before,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ends_at": datetime.fromisoformat(before["ends_at"]).astimezone(BERLIN).isoformat(),
    }
    response = client.put(event.url, json=body, headers=event.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert get(client, event) == before


def test_a_time_without_offset_is_the_wall_clock_of_the_events_zone(client, make):
    event = _resources(make, "event")
    day = date.today() + timedelta(days=40)
    sent = {"starts_at": f"{day}T18:00", "ends_at": f"{day}T20:30:00", "registration_deadline": f"{day}T12:00"}
    response = client.patch(event.url, json=sent, headers=event.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    after = get(client, event)
    for name, hour, minute in (("starts_at", 18, 0), ("ends_at", 20, 30), ("registration_deadline", 12, 0)):
        moment = datetime.fromisoformat(after[name])
        assert moment.utcoffset() == timedelta(0)
        assert moment.astimezone(BERLIN) == datetime.combine(day, time(hour, minute), BERLIN)


def test_a_session_takes_its_times_back_as_the_api_returns_them(client, make):
    session = _resources(make, "session")
    before = get(client, session)
    deadline = datetime.fromisoformat(before["rating_deadline"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = client.patch(session.url, json={"rating_deadline": deadline}, headers=session.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert get(client, session)["rating_deadline"] == before["rating_deadline"]


def test_the_calendar_window_takes_times_as_the_api_returns_them(client, make):
    event = make.event(REGION, title="Offener Abend", audience="public", start=soon(5, 18))
    shown = client.get(f"/api/v1/calendar/events/{event.id}").get_json()
    end = datetime.fromisoformat(shown["ends_at"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    # as a program pastes it, the offset's "+" not percent-encoded
    response = client.get(f"/api/v1/calendar?start={shown['starts_at']}&end={end}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [e["title"] for e in response.get_json()] == ["Offener Abend"]


@pytest.mark.parametrize("value", ["morgen 18 Uhr", "2026-13-01T10:00", "1850-01-01T10:00", 20261202])
def test_a_time_in_another_shape_is_refused_by_name(app, client, make, value):
    event = _resources(make, "event")
    before = get(client, event)
    response = client.patch(event.url, json={"starts_at": value}, headers=event.headers)
    assert response.status_code == 422
    message = response.get_json()["errors"]["json"]["starts_at"]
    with app.test_request_context():
        from hub.core.schemas import LocalDateTime

        assert message == [str(LocalDateTime().error_messages["invalid"])]
    assert get(client, event) == before


def test_an_unchanged_series_date_stays_in_its_series(app, client, make):
    headers = bearer(make.access_token(make.coordinator(REGION)).extra)
    first = make.event(REGION, start=soon(10, 18), rrule="FREQ=WEEKLY;COUNT=3")
    url = f"{API}/events/{first.id}"
    body = client.get(url, headers=headers).get_json()
    assert client.put(url, json=body, headers=headers).status_code == 200
    with app.app_context(), all_regions():
        event = db.session.get(Event, first.id)
        assert not event.detached and event.sequence == 0


def test_new_questions_get_free_keys_and_the_old_keep_theirs(client, make):
    event = _resources(make, "event")
    questions = [*get(client, event)["questions"], {"label": "Begleitung?"}]
    response = client.patch(event.url, json={"questions": questions}, headers=event.headers)
    assert response.status_code == 200
    assert [(q["key"], q["label"]) for q in get(client, event)["questions"]] == [
        ("q1", "Organisation"),
        ("q3", "Essen?"),
        ("q2", "Begleitung?"),
    ]


# -- the OpenAPI document -------------------------------------------------------------------------------


def _body_schema(document: dict, operation: dict) -> dict:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_resource_documents_put_with_every_writable_field_required_and_patch_with_none(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, writable in WRITABLE.items():
        item = document["paths"][path]
        put, patch = _body_schema(document, item["put"]), _body_schema(document, item["patch"])
        assert set(put["required"]) == writable, path
        assert "required" not in patch, path
        assert writable <= set(patch["properties"]), path
        assert not [name for name, field in patch["properties"].items() if "default" in field], path
        assert "PATCH" in patch["description"] and "PUT" in put["description"]
