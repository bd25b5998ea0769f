"""The calendar JSON is built without marshmallow (``dump_events``): it must give byte for byte what
``CalendarEventSchema`` (the field list of the OpenAPI document) dumps, for every kind of event and viewer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from hub.accounts.models import User
from hub.core.db import db
from hub.core.tenancy import all_regions
from hub.core.tenancy.registry import active_regions
from regions.events.vocab import Audience, EventStatus, EventType
from shared.calendar import services as calendar
from shared.calendar.schemas import CalendarEventSchema, dump_events
from shared.directory.search import Viewer
from tests.test_calendar import make_event, register, soon  # noqa: F401  (make_event is a fixture)


@pytest.fixture
def varied(make_event):  # noqa: F811
    """Events that differ in every field the calendar shows."""
    return [
        make_event("erzgebirge", "Netzwerktreffen „Schneeberg“ <b>", starts_at=soon(3)),
        make_event(
            "meissen",
            "Offene Werkstatt",
            starts_at=soon(4, 9),
            audience=Audience.PUBLIC,
            type=EventType.KICKOFF,
            capacity=1,
            questions=[
                {"key": "diet", "label": "Essen?", "required": True},
                {"key": "note", "label": "Anmerkung", "required": False},
            ],
            registration_deadline=soon(2),
            venue="Alte Mühle",
            address="Mühlweg 1, 01662 Meißen",
            description="Zeile eins\nZeile zwei – mit Umlauten äöü",
        ),
        make_event("lausitz", "Ganztägig", starts_at=soon(5, 0), hours=48, all_day=True, type=EventType.EXPERT),
        make_event(
            "meissen",
            "Abgesagt",
            starts_at=soon(6),
            status=EventStatus.CANCELLED,
            online_url="https://meet.example.org/x",
        ),
        make_event("lausitz", "Intern", starts_at=soon(7), audience=Audience.REGION, capacity=0),
        make_event("lausitz", "Entwurf", starts_at=soon(8), status=EventStatus.DRAFT, type=EventType.SPEED_DATING),
    ]


def _both(app, user_id, signed_in, locale):
    with app.test_request_context(), force_locale(locale), all_regions():
        user = db.session.get(User, user_id) if user_id else None
        viewer = Viewer.of(user)
        start = soon(0) - timedelta(days=1)
        end = start + timedelta(days=40)
        entries = calendar.window_events(viewer, start, end)
        old = app.json.response(CalendarEventSchema.for_viewer(signed_in, many=True).dump(entries)).get_data()
        # The API's path: plain rows of API_COLUMNS and the regions by id; and the event page's, Event objects.
        rows = calendar.window_events(viewer, start, end, columns=calendar.API_COLUMNS)
        regions = {r.id: r for r in active_regions() if r.slug != "lausitz"}  # one looked up
        new = app.json.response(dump_events(rows, signed_in, regions)).get_data()
        assert app.json.response(dump_events(entries, signed_in)).get_data() == old
        return entries, old, new


@pytest.mark.parametrize("locale", ["de", "en"])
def test_the_direct_dump_is_byte_for_byte_the_schemas(app, client, auth, make, varied, locale):
    coordinator = make.coordinator("lausitz")
    participant = make.participant("meissen")
    auth.login(participant)
    assert register(client, varied[1], diet="vegan").status_code in (200, 302, 303)
    auth.logout()
    for user_id, signed_in in ((None, False), (participant.id, True), (coordinator.id, True)):
        entries, old, new = _both(app, user_id, signed_in, locale)
        assert entries and new == old
    # The participant's registration and the coordination's draft are part of what was compared.
    assert b'"my_registration":"registered"' in _both(app, participant.id, True, locale)[2]
    assert b"Entwurf" in _both(app, coordinator.id, True, locale)[2]


def test_the_api_answers_what_the_direct_dump_gives(app, client, auth, make, varied):
    participant = make.participant("meissen")
    auth.login(participant)
    start = soon(0) - timedelta(days=1)
    response = client.get(
        "/api/v1/calendar",
        query_string={"start": start.date().isoformat(), "end": (start + timedelta(days=40)).date().isoformat()},
    )
    assert response.status_code == 200
    assert {e["title"] for e in response.json} >= {"Offene Werkstatt", "Ganztägig", "Abgesagt"}
    one = client.get(f"/api/v1/calendar/events/{varied[1]}").json
    assert one == next(e for e in response.json if e["id"] == varied[1])
