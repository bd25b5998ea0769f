"""Profiles and contact requests through the page and through the API: the same cases end the same way and
store the same (regions/profiles/actions.py, shared/contacts/actions.py).

Drifts found here before the action layer, each with a case below that failed before the fix, and the way
decided:

- **Making a profile active again** was a page of the coordination without an API: the API archived but
  could not bring a profile back. The API now has ``POST /profiles/<id>/unarchive`` with the page's rule
  (the coordination may, nobody else), since a client that archives by mistake must be able to undo it.
- **An administrator holds no profile in a region.** The page refused them (403) before reading the form;
  the API read the body first and answered 422 to an incomplete one (403 only to a complete one). Both
  now refuse before the body (``regions.profiles.access.holders_only``): the role decides, not the body.
- **The limit on contact requests** counted every request on the page (one for a profile the asker does
  not see, one with a too short message), but in the API only the well-formed ones for visible profiles.
  Both now count every attempt, the page's rule: a limit against pestering people must not be cheaper
  through the API, and tests/test_throttle.py already said "counted, whatever the answer".
- **A refusal of the whole request** (asking twice, answering one's own request, a profile without an
  account) was named ``_schema`` in the API and ``_form`` on the pages; both say ``_form`` now, as the
  web glue does for every feature on the action layer (hub.core.glue).

The members' invitations and roles have pages only (the API lists the members), so there is nothing to
compare; their rules live once in regions/members/actions.py all the same.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.core.db import db
from hub.core.tenancy import all_regions
from tests.conftest import AuthActions, Factory, wipe_database
from tests.parity import FORBIDDEN, NOT_FOUND, Case, UseCase, check_parity, refused

REGION = "erzgebirge"
PAGE = f"/{REGION}"
API = f"/api/v1/regions/{REGION}"
HOLDER_EMAIL = "a@holzwurm.example"
MESSAGE = "Guten Tag, wir suchen Holzbau-Partner für ein Festival."


# -- profiles -------------------------------------------------------------------------------------------


def _archive(make, profile_id: int) -> None:
    from regions.profiles import services as profiles
    from regions.profiles.models import Profile

    with make.inside(REGION):
        profiles.archive(db.session.get(Profile, profile_id))
        db.session.commit()


def profile_people(make) -> dict:
    """The coordination, a participant without a profile, one with a listed profile, a profile the coordination
    keeps, an archived one, another region's, an administrator and the umbrella."""
    world = {
        "coordinator": make.coordinator(REGION, name="Koordination"),
        "participant": make.participant(REGION, name="Paula Neu"),
        "holder": make.person(REGION, name="Atelier Holzwurm", visibility="network", contact_email=HOLDER_EMAIL),
        "kept": make.profile(REGION, name="Museum ohne Konto", contact_email="museum@example.org"),
        "archived": make.profile(REGION, name="Alte Weberei", contact_email="weberei@example.org"),
        "foreign": make.profile("meissen", name="Porzellan Meißen"),
        "admin": make.admin(name="Verwaltung"),
        "umbrella": make.umbrella(name="Dachprojekt"),
    }
    _archive(make, world["archived"].id)
    return world


def profiles_stored(app, world) -> dict:
    """Every profile by its name, what it says and how it is shown, and the consent records by name and action."""
    from regions.profiles.models import ConsentRecord, Profile

    with app.app_context(), all_regions(read_only=True):
        profiles = db.session.scalars(select(Profile).order_by(Profile.display_name)).all()
        return {
            "profiles": [
                (
                    p.display_name,
                    p.kind.value,
                    p.pitch,
                    p.offer_tags,
                    p.contact_email,
                    p.visibility.value,
                    p.has_consent,
                    p.archived_at is not None,
                    p.user.name if p.user else None,
                )
                for p in profiles
            ],
            "consent": sorted(
                (db.session.get(Profile, r.profile_id).display_name, r.action)
                for r in db.session.scalars(select(ConsentRecord))
            ),
        }


FULL = {
    "kind": "creative",
    "display_name": "Atelier Neu",
    "organisation_name": "",
    "pitch": "Wir bauen Möbel aus Erzgebirgsholz.",
    "description": "",
    "submarkets": ["design"],
    "sector": "",
    "offer_tags": ["Möbelbau", "Holz"],
    "offers_text": "",
    "need_tags": [],
    "needs_text": "",
    "town": "Annaberg-Buchholz",
    "website": "",
    "contact_email": "post@atelier-neu.example",
    "contact_phone": "",
    "languages": ["de"],
    "visibility": "network",
    "contact_visibility": "on_request",
    "consent": True,
}

OWN_PROFILE = UseCase(
    world=profile_people,
    page=lambda world, values: f"{PAGE}/profile",
    api=lambda world, values: f"{API}/profile",
    snapshot=profiles_stored,
    api_method="PUT",
)


@pytest.mark.parametrize(
    "case",
    [
        Case("a participant makes their profile, with consent", "participant", FULL),
        Case(
            "its holder changes it and withdraws consent",
            "holder",
            {**FULL, "display_name": "Atelier Holzwurm", "consent": False},
        ),
        Case(
            "an address another profile of the region has",
            "participant",
            {**FULL, "contact_email": "museum@example.org"},
            refused("contact_email"),
        ),
        Case("a website that is none", "participant", {**FULL, "website": "holzwurm"}, refused("website")),
        Case("an administrator holds no profile, whatever they send", "admin", {"display_name": "X"}, FORBIDDEN),
        Case("the umbrella holds none", "umbrella", FULL, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_ones_own_profile(app, regions, client, case):
    check_parity(app, regions, client, OWN_PROFILE, case)


def coordination_edits(name: str) -> UseCase:
    return UseCase(
        world=profile_people,
        page=lambda world, values: f"{PAGE}/profiles/{world[name].id}/edit",
        api=lambda world, values: f"{API}/profiles/{world[name].id}",
        snapshot=profiles_stored,
        api_method="PUT",
    )


@pytest.mark.parametrize(
    ("name", "case"),
    [
        ("kept", Case("the coordination changes a profile it keeps", "coordinator", FULL)),
        ("holder", Case("the coordination changes a member's profile", "coordinator", {**FULL, "consent": True})),
        (
            "kept",
            Case(
                "an address another profile of the region has",
                "coordinator",
                {**FULL, "contact_email": HOLDER_EMAIL},
                refused("contact_email"),
            ),
        ),
        ("kept", Case("a participant may not", "participant", FULL, FORBIDDEN)),
        ("foreign", Case("another region's profile is not there", "coordinator", FULL, NOT_FOUND)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else value,
)
def test_the_coordination_changes_a_profile(app, regions, client, name, case):
    check_parity(app, regions, client, coordination_edits(name), case)


CREATE = UseCase(
    world=profile_people,
    page=lambda world, values: f"{PAGE}/profiles/new",
    api=lambda world, values: f"{API}/profiles/",
    snapshot=profiles_stored,
)


@pytest.mark.parametrize(
    "case",
    [
        Case("the coordination keeps a profile for someone without an account", "coordinator", FULL),
        Case("a name is required", "coordinator", {**FULL, "display_name": ""}, refused("display_name")),
        Case(
            "an address the region has",
            "coordinator",
            {**FULL, "contact_email": "MUSEUM@example.org"},
            refused("contact_email"),
        ),
        Case("a participant may not", "participant", FULL, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_the_coordination_creates_a_profile(app, regions, client, case):
    check_parity(app, regions, client, CREATE, case)


def button(action: str, name: str) -> UseCase:
    return UseCase(
        world=profile_people,
        page=lambda world, values: f"{PAGE}/profiles/{world[name].id}/{action}",
        api=lambda world, values: f"{API}/profiles/{world[name].id}/{action}",
        snapshot=profiles_stored,
        confirmed=action == "archive",
    )


@pytest.mark.parametrize(
    ("action", "name", "case"),
    [
        ("archive", "kept", Case("the coordination archives", "coordinator")),
        ("archive", "kept", Case("a participant may not archive", "participant", expect=FORBIDDEN)),
        ("archive", "foreign", Case("another region's profile is not there", "coordinator", expect=NOT_FOUND)),
        ("unarchive", "archived", Case("the coordination makes a profile active again", "coordinator")),
        ("unarchive", "archived", Case("a participant may not", "participant", expect=FORBIDDEN)),
        ("unarchive", "foreign", Case("another region's profile is not there", "coordinator", expect=NOT_FOUND)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else value,
)
def test_archiving_and_making_active_again(app, regions, client, action, name, case):
    check_parity(app, regions, client, button(action, name), case)


# -- contact requests -----------------------------------------------------------------------------------


def contact_people(make) -> dict:
    """An asker in Lausitz, an addressee in Erzgebirge (both listed network-wide), a hidden profile, a profile
    without an account, a third person and the umbrella."""
    return {
        "asker": make.person("lausitz", name="Lars Festival", visibility="network"),
        "addressee": make.person(REGION, name="Erika Holzbau", visibility="network"),
        "hidden": make.person(REGION, name="Hanna Versteckt", visibility="private"),
        "kept": make.profile(REGION, name="Museum ohne Konto", visibility="network"),
        "third": make.person(REGION, name="Theo Dritter", visibility="network"),
        "umbrella": make.umbrella(name="Dachprojekt"),
    }


def with_request(status: str | None = None):
    """``contact_people`` with the asker's request to the addressee, answered already if a status is given."""

    def world(make) -> dict:
        people = contact_people(make)
        people["request"] = make.contact_request(people["asker"], people["addressee"], message=MESSAGE)
        if status:
            from shared.contacts.models import ContactRequest, ContactStatus

            with make.app.app_context(), all_regions():
                db.session.get(ContactRequest, people["request"].id).status = ContactStatus(status)
                db.session.commit()
        return people

    return world


def contacts_stored(app, world) -> dict:
    """Every contact request by the names it joins, its status and message; how many e-mails are waiting."""
    from hub.core.mail.models import OutboxMessage
    from shared.contacts.models import ContactRequest

    with app.app_context(), all_regions(read_only=True):
        requests = db.session.scalars(select(ContactRequest)).all()
        return {
            "requests": sorted(
                (r.sender.display_name, r.recipient.display_name, r.status.value, r.message) for r in requests
            ),
            "mails": db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        }


def ask(target: str, world=contact_people) -> UseCase:
    return UseCase(
        world=world,
        page=lambda people, values: f"/directory/profiles/{people[target].id}/contact",
        api=lambda people, values: f"/api/v1/directory/profiles/{people[target].id}/contact-requests",
        snapshot=contacts_stored,
    )


@pytest.mark.parametrize(
    ("use", "case"),
    [
        (ask("addressee"), Case("asking someone one sees", "asker", {"message": MESSAGE})),
        (ask("addressee"), Case("a message too short", "asker", {"message": "Hallo!"}, refused("message"))),
        (
            ask("addressee", with_request()),
            Case("asking twice", "asker", {"message": MESSAGE}, refused("_form")),
        ),
        (ask("kept"), Case("a profile without an account", "asker", {"message": MESSAGE}, refused("_form"))),
        (ask("asker"), Case("asking oneself", "asker", {"message": MESSAGE}, refused("_form"))),
        (ask("hidden"), Case("a profile one does not see", "asker", {"message": MESSAGE}, NOT_FOUND)),
        (ask("addressee"), Case("the umbrella asks nobody", "umbrella", {"message": MESSAGE}, FORBIDDEN)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else "",
)
def test_asking_for_contact(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


def answer(way: str, world) -> UseCase:
    return UseCase(
        world=world,
        page=lambda people, values: f"/contacts/{people['request'].id}/{way}",
        api=lambda people, values: f"/api/v1/contact-requests/{people['request'].id}/{way}",
        snapshot=contacts_stored,
        confirmed=way == "decline",
    )


@pytest.mark.parametrize(
    ("use", "case"),
    [
        (answer("accept", with_request()), Case("the addressee accepts", "addressee")),
        (answer("decline", with_request()), Case("the addressee declines", "addressee")),
        (answer("accept", with_request()), Case("the asker cannot answer", "asker", expect=refused("_form"))),
        (answer("accept", with_request("declined")), Case("answered already", "addressee", expect=refused("_form"))),
        (answer("decline", with_request()), Case("a third person does not see it", "third", expect=NOT_FOUND)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else "",
)
def test_answering_a_contact_request(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


def _page_sender(client):
    def send(target, message):
        return client.post(f"/directory/profiles/{target.id}/contact", data={"message": message})

    return send


def _api_sender(client, token: str):
    def send(target, message):
        url = f"/api/v1/directory/profiles/{target.id}/contact-requests"
        return client.post(url, json={"message": message}, headers={"Authorization": f"Bearer {token}"})

    return send


def test_every_attempt_counts_towards_the_contact_request_limit_on_both_ways_in(app, regions, client, monkeypatch):
    """A request for a profile one does not see and one with a too short message count as much as a good one."""
    monkeypatch.setitem(app.config, "CONTACT_REQUEST_LIMIT_PER_PERSON", "2 per hour")
    answers = {}
    for way in ("page", "api"):
        make = Factory(app, regions)
        people = contact_people(make)
        asker = people["asker"].owner
        if way == "page":
            AuthActions(client).login(asker)
            send = _page_sender(client)
        else:
            send = _api_sender(client, make.access_token(asker).extra)
        answers[way] = [
            send(people["hidden"], MESSAGE).status_code,
            send(people["addressee"], "Hallo!").status_code,
            send(people["addressee"], MESSAGE).status_code,
        ]
        answers[f"{way}: stored"] = contacts_stored(app, people)
        client.post("/logout")
        wipe_database(app)

    assert answers["page"] == answers["api"] == [404, 422, 429]
    assert answers["page: stored"] == answers["api: stored"] == {"requests": [], "mails": 0}
