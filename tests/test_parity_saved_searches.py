"""Saved searches through the page and through the API: the same cases end the same way and store the same.

Saving, renaming, switching the notice and deleting exist as pages (the directory's „Suche speichern", the list
„Gespeicherte Suchen") and in the API (``/api/v1/directory/saved-searches``); each case goes through both
(tests/parity.py).

Decided here:
- **A name taken** by another of one's saved searches (case does not count) is refused beside ``name`` (422) on
  both ways, as a cohort's name is: the person chooses another. The same name saved **at the same moment** by a
  second request is the database's unique constraint, which both ways answer as a conflict (409).
- **Someone else's saved search** does not exist for the caller (404), whatever they send.
- **An unknown filter value** (a kind or region the directory does not know) is refused naming the filter; over
  the limit of 20 the whole form is refused with the reason.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hub.core.db import db
from tests.parity import CONFLICT, NOT_FOUND, Case, UseCase, check_parity, done, refused

FOTO = {"q": "Fotografie", "region": "dresden", "kind": "organisation"}


def world(make) -> dict:
    """Bea with one saved search, Carl with one of his own."""
    seeker = make.participant("erzgebirge", name="Bea Sucht")
    other = make.participant("dresden", name="Carl Anders")
    return {
        "seeker": seeker,
        "other": other,
        "mine": make.saved_search(seeker, name="Vorhanden", q="Holz"),
        "theirs": make.saved_search(other, name="Fremd", q="Film"),
    }


def full_world(make) -> dict:
    """Bea keeps as many saved searches as one may."""
    found = world(make)
    for n in range(19):
        make.saved_search(found["seeker"], name=f"Suche {n}", q=f"Wort{n}")
    return found


def stored(app, world) -> list:
    from hub.accounts.models import User
    from shared.saved_searches.models import SavedSearch

    with app.app_context():
        rows = db.session.execute(
            select(User.name, SavedSearch.name, SavedSearch.query, SavedSearch.notify).join(
                User, User.id == SavedSearch.user_id
            )
        )
        return sorted((who, name, json.dumps(query, sort_keys=True), notify) for who, name, query, notify in rows)


def _save_use(build) -> UseCase:
    return UseCase(
        world=build,
        page=lambda world, values: "/directory/saved/",
        api=lambda world, values: "/api/v1/directory/saved-searches",
        snapshot=stored,
    )


SAVE = _save_use(world)
SAVE_WHEN_FULL = _save_use(full_world)


@pytest.mark.parametrize(
    "case",
    [
        Case("a participant saves a search under a name", "seeker", {**FOTO, "name": "Fotos Dresden"}),
        Case("without a name it is made from the search", "seeker", FOTO),
        Case("with the notice off", "seeker", {**FOTO, "notify": False}),
        Case("a kind the directory does not know", "seeker", {**FOTO, "kind": "robot"}, refused("kind")),
        Case("a region that does not exist", "seeker", {**FOTO, "region": "atlantis"}, refused("region")),
        Case("too long a name", "seeker", {**FOTO, "name": "x" * 81}, refused("name")),
        Case("a name taken (case does not count)", "seeker", {**FOTO, "name": "vorhanden"}, refused("name")),
        Case("the same search twice", "seeker", {"q": "Holz", "name": "Noch mal"}, refused("_form")),
        Case("someone else's name is free", "other", {**FOTO, "name": "Vorhanden"}),
    ],
    ids=lambda case: case.name,
)
def test_saving_a_search(app, regions, client, case):
    check_parity(app, regions, client, SAVE, case)


def test_over_the_limit_the_form_is_refused_with_the_reason(app, regions, client):
    check_parity(app, regions, client, SAVE_WHEN_FULL, Case("the 21st", "seeker", FOTO, refused("_form")))


def test_a_name_taken_at_the_same_moment_is_a_conflict_on_both_ways(app, regions, client, monkeypatch):
    """Another request saved the name between the check and the write: the database refuses the second one."""
    from shared.saved_searches import services

    monkeypatch.setattr(services, "name_taken", lambda user, name, but=None: False)
    case = Case("the same name at the same moment", "seeker", {**FOTO, "name": "Vorhanden"}, CONFLICT)
    check_parity(app, regions, client, SAVE, case)


def _one(target: str, page: str, method: str, **extra) -> UseCase:
    return UseCase(
        world=world,
        page=lambda world, values: f"/directory/saved/{world[target].id}/{page}",
        api=lambda world, values: f"/api/v1/directory/saved-searches/{world[target].id}",
        snapshot=stored,
        api_method=method,
        **extra,
    )


@pytest.mark.parametrize(
    "use, case",
    [
        (_one("mine", "rename", "PATCH"), Case("renaming one's own", "seeker", {"name": "Holz überall"})),
        (_one("mine", "rename", "PATCH"), Case("to a name too long", "seeker", {"name": "x" * 81}, refused("name"))),
        (
            _one("mine", "rename", "PATCH"),
            Case("to its own name in capitals", "seeker", {"name": "VORHANDEN "}, done()),
        ),
        (_one("theirs", "rename", "PATCH"), Case("someone else's", "seeker", {"name": "Meins"}, NOT_FOUND)),
        (_one("mine", "notice", "PATCH"), Case("switching one's notice off", "seeker", {"notify": False})),
        (_one("theirs", "notice", "PATCH"), Case("someone else's notice", "seeker", {"notify": False}, NOT_FOUND)),
        (_one("mine", "delete", "DELETE", confirmed=True), Case("deleting one's own", "seeker")),
        (_one("theirs", "delete", "DELETE", confirmed=True), Case("someone else's", "seeker", expect=NOT_FOUND)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else "",
)
def test_changing_a_saved_search(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


def test_renaming_to_another_of_ones_names_is_refused(app, regions, client):
    def two(make) -> dict:
        found = world(make)
        make.saved_search(found["seeker"], name="Zweite", q="Glas")
        return found

    use = UseCase(
        world=two,
        page=lambda world, values: f"/directory/saved/{world['mine'].id}/rename",
        api=lambda world, values: f"/api/v1/directory/saved-searches/{world['mine'].id}",
        snapshot=stored,
        api_method="PATCH",
    )
    check_parity(
        app, regions, client, use, Case("another's name of one's own", "seeker", {"name": "zweite"}, refused("name"))
    )
