"""Teams across regions through the page and through the API: the same cases end the same way and store the same.

Meißen funds the match and asks; Dresden's coordination decides; the accepted Dresden person writes in the
team's journal. Each use case: allowed, forbidden (a participant, the umbrella, a third region's coordinator),
bad input, and a conflict.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.core.db import db
from hub.core.tenancy import all_regions
from tests.parity import CONFLICT, FORBIDDEN, NOT_FOUND, Case, UseCase, check_parity, refused

FUNDING, HOME, THIRD = "meissen", "dresden", "lausitz"


def people(make) -> dict:
    """A Meißen match with a member, the three coordinations, the umbrella and Dresden people."""
    match = make.match(FUNDING, title="Digitale Weinprobe")
    return {
        "match": match,
        "member": match.members[0],
        "meissen": make.coordinator(FUNDING, name="Koordination Meißen"),
        "dresden": make.coordinator(HOME, name="Koordination Dresden"),
        "lausitz": make.coordinator(THIRD, name="Koordination Lausitz"),
        "umbrella": make.umbrella(name="Dachprojekt"),
        "studio": make.person(HOME, "creative", name="Games-Studio", visibility="network"),
        "private": make.person(HOME, "creative", name="Privat Dresden"),
        "neighbour": make.person(HOME, "creative", name="Nachbar Dresden", visibility="network"),
    }


def asked(make) -> dict:
    world = people(make)
    world["guest"] = make.guest(world["match"], world["studio"])
    return world


def accepted(make) -> dict:
    world = people(make)
    world["guest"] = make.guest(world["match"], world["studio"], status="accepted")
    return world


def declined(make) -> dict:
    world = people(make)
    world["guest"] = make.guest(world["match"], world["studio"], status="declined")
    return world


def stored(app, world) -> list:
    """Every guest row by names (who, status, who asked, who decided, who ended) and the journal's notes."""
    from hub.accounts.models import User
    from regions.matches.models import JournalEntry
    from regions.profiles.models import Profile
    from regions.teams.models import MatchGuest

    with app.app_context(), all_regions(read_only=True):

        def name(user_id):
            return db.session.get(User, user_id).name if user_id else None

        rows = [
            (
                db.session.get(Profile, g.profile_id).display_name,
                g.status.value,
                name(g.requested_by_id),
                name(g.decided_by_id),
                name(g.ended_by_id),
            )
            for g in db.session.scalars(select(MatchGuest).order_by(MatchGuest.id))
        ]
        notes = [(e.body, name(e.author_id)) for e in db.session.scalars(select(JournalEntry))]
        return [rows, notes]


def pid(name: str):
    return lambda world: world[name].profile_id


REQUEST = UseCase(
    world=people,
    page=lambda world, values: f"/{FUNDING}/teams/matches/{world['match'].id}/guests",
    api=lambda world, values: f"/api/v1/regions/{FUNDING}/teams/matches/{world['match'].id}/guests",
    snapshot=stored,
)
REQUEST_AGAIN = UseCase(world=asked, page=REQUEST.page, api=REQUEST.api, snapshot=stored)
REQUEST_MEMBER = UseCase(world=accepted, page=REQUEST.page, api=REQUEST.api, snapshot=stored)


@pytest.mark.parametrize(
    "case",
    [
        Case("Meißen asks for a Dresden person", "meissen", {"profile_id": pid("studio"), "role": "creative"}),
        Case(
            "a private profile is not in the directory",
            "meissen",
            {"profile_id": pid("private")},
            refused("profile_id"),
        ),
        Case("a person of the own region is no guest", "meissen", {"profile_id": pid("member")}, refused("profile_id")),
        Case("an unknown profile", "meissen", {"profile_id": 99999}, refused("profile_id")),
        Case("a team member may not", "member", {"profile_id": pid("studio")}, FORBIDDEN),
        Case("the umbrella may not", "umbrella", {"profile_id": pid("studio")}, FORBIDDEN),
        Case("the person's region may not ask", "dresden", {"profile_id": pid("studio")}, FORBIDDEN),
        Case("a third region may not", "lausitz", {"profile_id": pid("studio")}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_asking_for_a_person_of_another_region(app, regions, client, case):
    check_parity(app, regions, client, REQUEST, case)


def test_asking_twice_is_a_conflict(app, regions, client):
    check_parity(app, regions, client, REQUEST_AGAIN, Case("twice", "meissen", {"profile_id": pid("studio")}, CONFLICT))


def test_asking_for_a_member_is_refused(app, regions, client):
    check_parity(
        app,
        regions,
        client,
        REQUEST_MEMBER,
        Case("member", "meissen", {"profile_id": pid("studio")}, refused("profile_id")),
    )


def _decision(world_of, verb: str, region: str = HOME, confirmed: bool = False) -> UseCase:
    return UseCase(
        world=world_of,
        page=lambda world, values: f"/{region}/teams/joint/{world['guest'].id}/{verb}",
        api=lambda world, values: f"/api/v1/regions/{region}/teams/joint/{world['guest'].id}/{verb}",
        snapshot=stored,
        confirmed=confirmed,
    )


@pytest.mark.parametrize(
    "use,case",
    [
        (_decision(asked, "accept"), Case("Dresden accepts", "dresden")),
        (_decision(asked, "decline", confirmed=True), Case("Dresden declines", "dresden")),
        (_decision(asked, "accept"), Case("the asked person may not", "studio", expect=FORBIDDEN)),
        (_decision(asked, "accept"), Case("the umbrella may not", "umbrella", expect=FORBIDDEN)),
        (_decision(asked, "accept", THIRD), Case("a third region finds nothing", "lausitz", expect=NOT_FOUND)),
        (_decision(asked, "decline", THIRD, True), Case("nor to decline", "lausitz", expect=NOT_FOUND)),
        (_decision(declined, "accept"), Case("answered already", "dresden", expect=CONFLICT)),
        (_decision(accepted, "remove", confirmed=True), Case("Dresden takes its person out", "dresden")),
        (_decision(asked, "remove", confirmed=True), Case("only a member is taken out", "dresden", expect=CONFLICT)),
        (_decision(accepted, "remove", confirmed=True), Case("the member may not", "studio", expect=FORBIDDEN)),
        (
            _decision(accepted, "remove", THIRD, True),
            Case("a third region takes no one out", "lausitz", expect=NOT_FOUND),
        ),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_deciding_on_a_request(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


WITHDRAW = UseCase(
    world=asked,
    page=lambda world, values: f"/{FUNDING}/teams/guests/{world['guest'].id}/withdraw",
    api=lambda world, values: f"/api/v1/regions/{FUNDING}/teams/guests/{world['guest'].id}/withdraw",
    snapshot=stored,
    confirmed=True,
)
REMOVE = UseCase(world=accepted, page=WITHDRAW.page, api=WITHDRAW.api, snapshot=stored, confirmed=True)
WITHDRAW_AGAIN = UseCase(world=declined, page=WITHDRAW.page, api=WITHDRAW.api, snapshot=stored, confirmed=True)


@pytest.mark.parametrize(
    "use,case",
    [
        (WITHDRAW, Case("Meißen withdraws its request", "meissen")),
        (REMOVE, Case("Meißen removes the member", "meissen")),
        (WITHDRAW, Case("a team member may not", "member", expect=FORBIDDEN)),
        (WITHDRAW, Case("the umbrella may not", "umbrella", expect=FORBIDDEN)),
        (WITHDRAW, Case("a third region may not", "lausitz", expect=FORBIDDEN)),
        (WITHDRAW_AGAIN, Case("an answered request has ended", "meissen", expect=CONFLICT)),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_withdrawing_and_removing(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


JOURNAL = UseCase(
    world=accepted,
    page=lambda world, values: f"/{HOME}/teams/joined/{world['guest'].id}/journal",
    api=lambda world, values: f"/api/v1/regions/{HOME}/teams/joined/{world['guest'].id}/journal",
    snapshot=stored,
)


@pytest.mark.parametrize(
    "case",
    [
        Case("the accepted person writes", "studio", {"body": "Level 1 steht."}),
        Case("an empty note", "studio", {"body": ""}, refused("body")),
        Case("another Dresden person finds nothing", "neighbour", {"body": "x"}, NOT_FOUND),
        Case("the person's coordination reads but does not write", "dresden", {"body": "x"}, NOT_FOUND),
        Case("the umbrella may not", "umbrella", {"body": "x"}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_the_accepted_person_writes_in_the_journal(app, regions, client, case):
    check_parity(app, regions, client, JOURNAL, case)
