"""Meetings at events through the page and through the API: the same cases end the same way and store the same.

Proposing, accepting, declining, withdrawing and cancelling a meeting, and the coordination's set-up, each with
a case that is allowed, one that is refused (a wrong field, or not this person's to do), one of another person
(not found), and the double bookings (a person or a table taken at that time: a conflict, 409, on both ways).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hub.core.db import db
from hub.core.tenancy import all_regions
from shared.meetings.models import EventMeeting, MeetingBooking, MeetingSetup
from tests.parity import CONFLICT, FORBIDDEN, NOT_FOUND, Case, UseCase, check_parity, refused

START = (datetime.now(UTC) + timedelta(days=20)).replace(hour=15, minute=0, second=0, microsecond=0)
SLOT = [START + timedelta(minutes=20 * n) for n in range(9)]


def fair(make, *, proposal: bool = False, accepted: bool = False, busy: bool = False) -> dict:
    """A network event of the Erzgebirge with meetings on and people of four regions registered (Emil is not);
    with ``proposal`` Anna has proposed Ben a meeting in the first slot at Tisch 1, ``accepted`` Ben has accepted
    it; ``busy``: Ben and Cara already meet in the first slot at Tisch 2."""
    event = make.event("erzgebirge", title="Netzwerkbörse", audience="network", start=START, hours=3)
    world = {"event": event, "coordinator": make.coordinator("erzgebirge")}
    for name, region in (("anna", "erzgebirge"), ("ben", "meissen"), ("cara", "lausitz"), ("dora", "dresden")):
        world[name] = make.person(region, name=name.title(), visibility="network")
        make.registration(event, world[name].owner)
    world["emil"] = make.person("dresden", name="Emil", visibility="network")
    make.meeting_setup(event)
    if proposal or accepted:
        world["meeting"] = make.meeting(event, world["anna"], world["ben"], accept=accepted)
    if busy:  # after the proposal: Ben has accepted to meet Cara at that time meanwhile
        make.meeting(event, world["cara"], world["ben"], place="Tisch 2", accept=True)
    return world


def stored(app, world) -> dict:
    with app.app_context(), all_regions():
        meetings = db.session.scalars(select(EventMeeting).order_by(EventMeeting.id)).all()
        setup = db.session.scalar(select(MeetingSetup))
        return {
            "meetings": [
                (
                    m.name_of(m.proposer_id),
                    m.name_of(m.invitee_id),
                    m.status.value,
                    SLOT.index(m.starts_at),
                    m.place,
                    m.note,
                    m.sequence,
                )
                for m in meetings
            ],
            "bookings": sorted(
                (b.place or "", b.user_id is not None) for b in db.session.scalars(select(MeetingBooking))
            ),
            "setup": (setup.enabled, setup.slot_minutes, setup.places, setup.window_starts_at) if setup else None,
        }


def the(name: str):
    return lambda world: world[name].id


# -- proposing ----------------------------------------------------------------------------------------------

PROPOSE = UseCase(
    world=fair,
    page=lambda world, values: f"/calendar/events/{world['event'].id}/meetings",
    api=lambda world, values: f"/api/v1/calendar/events/{world['event'].id}/meetings",
    snapshot=stored,
)
BUSY_PROPOSE = UseCase(
    world=lambda make: fair(make, busy=True),
    page=PROPOSE.page,
    api=PROPOSE.api,
    snapshot=stored,
)


def proposal(to: str = "ben", slot: int = 0, place: str = "Tisch 1", **more) -> dict:
    return {"profile_id": the(to), "starts_at": SLOT[slot], "place": place, "note": "Kurz sprechen?", **more}


@pytest.mark.parametrize(
    "use, case",
    [
        (PROPOSE, Case("to someone of another region", "anna", proposal())),
        (
            PROPOSE,
            Case(
                "not a slot of the event",
                "anna",
                proposal(starts_at=START + timedelta(minutes=5)),
                refused("starts_at"),
            ),
        ),
        (PROPOSE, Case("not a place of the event", "anna", proposal(place="Bühne"), refused("place"))),
        (PROPOSE, Case("a note too long", "anna", proposal(note="x" * 301), refused("note"))),
        (PROPOSE, Case("to someone not registered", "anna", proposal(to="emil"), refused("profile_id"))),
        (PROPOSE, Case("by someone not registered", "emil", proposal(to="anna"), refused("_form"))),
        (BUSY_PROPOSE, Case("to someone who meets another then", "anna", proposal(place="Foyer"), CONFLICT)),
        (BUSY_PROPOSE, Case("at a table taken then", "anna", proposal(to="dora", place="Tisch 2"), CONFLICT)),
    ],
    ids=lambda x: x.name if isinstance(x, Case) else "",
)
def test_proposing_a_meeting(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


# -- answering, withdrawing, cancelling ---------------------------------------------------------------------


def change(action: str, world, confirmed: bool = False) -> UseCase:
    return UseCase(
        world=world,
        page=lambda w, values: f"/calendar/meetings/{w['meeting'].id}/{action}",
        api=lambda w, values: f"/api/v1/meetings/{w['meeting'].id}/{action}",
        snapshot=stored,
        confirmed=confirmed,
    )


def proposed(make):
    return fair(make, proposal=True)


def proposed_while_busy(make):
    return fair(make, proposal=True, busy=True)


def agreed(make):
    return fair(make, accepted=True)


@pytest.mark.parametrize(
    "use, case",
    [
        (change("accept", proposed), Case("by the person invited", "ben")),
        (change("accept", proposed), Case("by the proposer", "anna", expect=refused("_form"))),
        (change("accept", proposed), Case("by a third person", "cara", expect=NOT_FOUND)),
        (change("accept", proposed), Case("by the event's coordination", "coordinator", expect=NOT_FOUND)),
        (change("accept", proposed_while_busy), Case("a slot booked meanwhile", "ben", expect=CONFLICT)),
        (change("accept", agreed), Case("accepted already", "ben", expect=refused("_form"))),
        (change("decline", proposed, True), Case("declined by the person invited", "ben")),
        (change("decline", proposed, True), Case("declined by a third person", "dora", expect=NOT_FOUND)),
        (change("withdraw", proposed, True), Case("withdrawn by the proposer", "anna")),
        (change("withdraw", proposed, True), Case("withdrawn by the person invited", "ben", expect=refused("_form"))),
        (change("cancel", agreed, True), Case("cancelled by the proposer", "anna")),
        (change("cancel", agreed, True), Case("cancelled by the person invited", "ben")),
        (change("cancel", agreed, True), Case("cancelled by a third person", "cara", expect=NOT_FOUND)),
        (change("cancel", proposed, True), Case("a proposal is not cancelled", "ben", expect=refused("_form"))),
    ],
    ids=lambda x: x.name if isinstance(x, Case) else "",
)
def test_answering_withdrawing_and_cancelling(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


# -- the coordination's set-up ------------------------------------------------------------------------------

CONFIGURE = UseCase(
    world=fair,
    page=lambda world, values: f"/erzgebirge/events/{world['event'].id}/meetings",
    api=lambda world, values: f"/api/v1/regions/erzgebirge/events/{world['event'].id}/meetings",
    api_method="PUT",
    snapshot=stored,
)
SETUP = {"enabled": True, "slot_minutes": 30, "table_count": 4, "places": ["Foyer", "Bühne"]}


@pytest.mark.parametrize(
    "case",
    [
        Case("by the coordination", "coordinator", SETUP),
        Case("with a window", "coordinator", {**SETUP, "window_starts_at": START + timedelta(hours=1)}),
        Case("switched off", "coordinator", {**SETUP, "enabled": False}),
        Case(
            "a window before the event",
            "coordinator",
            {**SETUP, "window_starts_at": START - timedelta(hours=1)},
            refused("window_starts_at"),
        ),
        Case("slots longer than the event", "coordinator", {**SETUP, "slot_minutes": 240}, refused("slot_minutes")),
        Case("no place at all", "coordinator", {**SETUP, "table_count": 0, "places": []}, refused("table_count")),
        Case("by a participant", "anna", SETUP, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_setting_meetings_up(app, regions, client, case):
    check_parity(app, regions, client, CONFIGURE, case)
