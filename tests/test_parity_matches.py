"""Matches through the page and through the API: the same cases end the same way and store the same.

Two drifts were found here before the action layer (regions/matches/actions.py) gave every rule one home:
the API made an archived profile a member of a match while the page refused it, and a team member who
sent a title with the outcome got the outcome saved and the title dropped on the page, but 403 in the API.
Now both refuse: an archived profile is not a person of the region to choose (422, field named), and a
team member's change beyond outcome and case study is refused whole (403, nothing saved).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from hub.core.db import berlin_today, db
from hub.core.tenancy import all_regions
from tests.parity import FORBIDDEN, NOT_FOUND, Case, UseCase, check_parity, refused

REGION = "erzgebirge"
PAGE = f"/{REGION}/matches"
API = f"/api/v1/regions/{REGION}/matches"


def _archive(make, profile_id: int) -> None:
    from regions.profiles import services as profiles
    from regions.profiles.models import Profile

    with make.inside(REGION):
        profiles.archive(db.session.get(Profile, profile_id))
        db.session.commit()


def people(make) -> dict:
    """A coordinator, a creative, an organisation, an archived creative, an outsider and a cohort."""
    world = {
        "coordinator": make.coordinator(REGION, name="Koordination"),
        "cohort": make.cohort(name="Durchgang Parität"),
        "creative": make.person(REGION, "creative", name="Kreative Anna"),
        "organisation": make.person(REGION, "organisation", name="Werk GmbH"),
        "archived": make.person(REGION, "creative", name="Archiviert Bernd"),
        "outsider": make.person(REGION, "creative", name="Außen Carla"),
    }
    _archive(make, world["archived"].profile_id)
    return world


def with_match(make) -> dict:
    """``people`` and a match of the creative and the organisation (its members sign in as themselves)."""
    world = people(make)
    match = make.match(
        REGION,
        world["cohort"],
        title="Team Parität",
        creatives=[world["creative"]],
        organisations=[world["organisation"]],
    )
    world.update(match=match, member=world["creative"].owner)
    return world


def matches_stored(app, world) -> list:
    """Every match of the region by its texts, its people and their roles, and its bookings."""
    from regions.matches.models import LedgerEntry, Match

    with app.app_context(), all_regions(read_only=True):
        return [
            (
                m.title,
                m.challenge,
                m.goals,
                m.outcome,
                m.status.value,
                sorted((member.profile.display_name, member.role.value) for member in m.members),
                sorted(
                    (e.kind.value, e.amount_cents, e.purpose)
                    for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.match_id == m.id))
                ),
                (m.paid_cents, m.committed_cents),
            )
            for m in db.session.scalars(select(Match).order_by(Match.title))
        ]


def pid(name: str):
    return lambda world: [world[name].profile_id]


def one_pid(name: str):
    return lambda world: world[name].profile_id


MAKE_A_MATCH = UseCase(
    world=people,
    page=lambda world, values: f"{PAGE}/new",
    api=lambda world, values: API,
    snapshot=matches_stored,
)
GOOD = {"title": "Neues Team", "creative_ids": pid("creative"), "organisation_ids": pid("organisation")}


def cohort(world):
    return world["cohort"].id


@pytest.mark.parametrize(
    "case",
    [
        Case("made by the coordination", "coordinator", {**GOOD, "cohort_id": cohort}),
        Case(
            "an archived profile is not a person of the region",
            "coordinator",
            {**GOOD, "cohort_id": cohort, "creative_ids": pid("archived")},
            refused("creative_ids"),
        ),
        Case("an unknown cohort", "coordinator", {**GOOD, "cohort_id": 99999}, refused("cohort_id")),
        Case("a title is required", "coordinator", {**GOOD, "cohort_id": cohort, "title": ""}, refused("title")),
        Case("a participant may not", "creative", {**GOOD, "cohort_id": cohort}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_making_a_match(app, regions, client, case):
    check_parity(app, regions, client, MAKE_A_MATCH, case)


ADD_A_MEMBER = UseCase(
    world=with_match,
    page=lambda world, values: f"{PAGE}/{world['match'].id}/members",
    api=lambda world, values: f"{API}/{world['match'].id}/members",
    snapshot=matches_stored,
)


@pytest.mark.parametrize(
    "case",
    [
        Case("a person of the region joins", "coordinator", {"profile_id": one_pid("outsider"), "role": "other"}),
        Case(
            "an archived profile cannot join",
            "coordinator",
            {"profile_id": one_pid("archived"), "role": "other"},
            refused("profile_id"),
        ),
        Case("no one twice", "coordinator", {"profile_id": one_pid("creative")}, refused("profile_id")),
        Case("an unknown profile", "coordinator", {"profile_id": 99999}, refused("profile_id")),
        Case("a team member may not", "member", {"profile_id": one_pid("outsider")}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_adding_a_member(app, regions, client, case):
    check_parity(app, regions, client, ADD_A_MEMBER, case)


CHANGE_TEXTS = UseCase(
    world=lambda make: {**with_match(make), "stranger": make.participant(REGION, name="Fremde Dora")},
    page=lambda world, values: f"{PAGE}/{world['match'].id}/edit",
    api=lambda world, values: f"{API}/{world['match'].id}",
    snapshot=matches_stored,
    api_method="PATCH",
)


@pytest.mark.parametrize(
    "case",
    [
        Case("the coordination changes the title", "coordinator", {"title": "Umbenannt"}),
        Case("the team writes its outcome", "member", {"outcome": "Ein Prototyp"}),
        Case(
            "the team cannot change the title, and then nothing is saved",
            "member",
            {"title": "Umbenannt", "outcome": "Ein Prototyp"},
            FORBIDDEN,
        ),
        Case("someone outside the match does not see it", "stranger", {"outcome": "X"}, NOT_FOUND),
        Case("a title too short", "coordinator", {"title": "ab"}, refused("title")),
    ],
    ids=lambda case: case.name,
)
def test_changing_a_matchs_texts(app, regions, client, case):
    check_parity(app, regions, client, CHANGE_TEXTS, case)


def with_a_foreign_receipt(make) -> dict:
    """``with_match`` and a receipt uploaded to another match of the region."""
    world = with_match(make)
    other = make.match(REGION, world["cohort"], title="Anderes Team")
    world["foreign_receipt"] = make.document(other, filename="beleg.pdf", is_receipt=True)
    return world


BOOK = UseCase(
    world=with_a_foreign_receipt,
    page=lambda world, values: f"{PAGE}/{world['match'].id}/ledger",
    api=lambda world, values: f"{API}/{world['match'].id}/ledger",
    snapshot=matches_stored,
)
PAYMENT = {"kind": "payment", "amount": Decimal("1234.56"), "booked_on": berlin_today(), "purpose": "Prototyp"}


@pytest.mark.parametrize(
    "case",
    [
        Case("a payment is booked", "coordinator", PAYMENT),
        Case("beyond the budget", "coordinator", {**PAYMENT, "amount": Decimal("2500.01")}, refused("amount")),
        Case(
            "a receipt of another match",
            "coordinator",
            {**PAYMENT, "receipt_id": lambda world: world["foreign_receipt"].id},
            refused("receipt_id"),
        ),
        Case("the team may not book", "member", PAYMENT, FORBIDDEN),
        Case("a date is required", "coordinator", {**PAYMENT, "booked_on": ""}, refused("booked_on")),
    ],
    ids=lambda case: case.name,
)
def test_booking_funding(app, regions, client, case):
    check_parity(app, regions, client, BOOK, case)
