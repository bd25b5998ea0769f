"""Answering a request for access through the page and through the API: the same cases end the same way and
store the same (regions/access_requests/actions.py). Asking is a page for visitors only, so there is nothing to
compare for it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.accounts.models import Invitation, User
from hub.core.db import db
from hub.core.mail.models import OutboxMessage
from hub.core.tenancy import all_regions
from regions.access_requests.models import AccessRequest
from tests.parity import CONFLICT, FORBIDDEN, NOT_FOUND, Case, UseCase, check_parity, refused

REGION = "erzgebirge"
PAGE = f"/{REGION}/access-requests"
API = f"/api/v1/regions/{REGION}/access-requests"


def people(make) -> dict:
    """The coordination, a participant and the umbrella; an open request, one answered already, one whose
    address became a member's meanwhile, and another region's."""
    world = {
        "coordinator": make.coordinator(REGION, name="Koordination"),
        "participant": make.participant(REGION, name="Paula Neu"),
        "umbrella": make.umbrella(name="Dachprojekt"),
        "open": make.access_request(REGION, name="Mira Holz", email="mira@werkstatt.example"),
        "answered": make.access_request(REGION, name="Otto Stein", email="otto@stein.example"),
        "member": make.access_request(REGION, name="Lena Glas", email="lena@glas.example"),
        "foreign": make.access_request("meissen", name="Porzellan", email="p@porzellan.example"),
    }
    from regions.access_requests import services

    with make.inside(REGION):
        row = db.session.get(AccessRequest, world["answered"].id)
        services.decline(row.region, row, "", None)
        db.session.commit()
    make.participant(REGION, email="lena@glas.example", name="Lena Glas")
    return world


def stored(app, world) -> dict:
    """Every request by name with its answer, the invitations by address, and the e-mails by address and subject."""
    with app.app_context(), all_regions(read_only=True):
        names = {u.email: u.name for u in db.session.scalars(select(User))}  # the factories number addresses
        return {
            "requests": sorted(
                (r.name, r.status.value, r.decline_reason, r.decided_by.name if r.decided_by else None, r.open_key)
                for r in db.session.scalars(select(AccessRequest))
            ),
            "invitations": sorted(
                (i.email, i.name, i.role.value, i.invited_by.name if i.invited_by else None)
                for i in db.session.scalars(select(Invitation))
            ),
            "mails": sorted(
                (names.get(m.recipient, m.recipient), m.subject) for m in db.session.scalars(select(OutboxMessage))
            ),
        }


def answering(verb: str, name: str) -> UseCase:
    return UseCase(
        world=people,
        page=lambda world, values: f"{PAGE}/{world[name].id}/{verb}",
        api=lambda world, values: f"{API}/{world[name].id}/{verb}",
        snapshot=stored,
    )


@pytest.mark.parametrize(
    ("verb", "name", "case"),
    [
        ("accept", "open", Case("the coordination accepts: the person is invited", "coordinator")),
        ("decline", "open", Case("the coordination declines, with a reason", "coordinator", {"reason": "Im Herbst."})),
        ("decline", "open", Case("the coordination declines without one", "coordinator")),
        ("decline", "open", Case("a reason too long", "coordinator", {"reason": "x" * 1001}, refused("reason"))),
        ("accept", "answered", Case("answered already", "coordinator", expect=CONFLICT)),
        ("decline", "answered", Case("answered already, declining", "coordinator", expect=CONFLICT)),
        (
            "decline",
            "answered",
            Case("answered already comes before a reason too long", "coordinator", {"reason": "x" * 1001}, CONFLICT),
        ),
        ("accept", "member", Case("the address is a member's by now", "coordinator", expect=refused("email"))),
        ("accept", "open", Case("a participant may not", "participant", expect=FORBIDDEN)),
        ("decline", "open", Case("the umbrella may not", "umbrella", expect=FORBIDDEN)),
        ("accept", "foreign", Case("another region's request is not there", "coordinator", expect=NOT_FOUND)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else value,
)
def test_answering_a_request(app, regions, client, verb, name, case):
    check_parity(app, regions, client, answering(verb, name), case)
