"""Hiding and saving a person through the page and through the API: the same cases end the same way and store
the same (shared/meet/actions.py).

The page's buttons answer with a redirect (refused: back with the message), the API with 200 (or 404, 422);
both take the profile from the URL and nothing from the body. Taking a mark back that is not there changes
nothing and is no error on both ways; a profile one cannot see answers 404 on both, as if it did not exist.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.profiles.models import Profile
from shared.meet.models import HiddenPerson, SavedPerson
from tests.parity import NOT_FOUND, Case, UseCase, check_parity, done, refused


def meet_world(make) -> dict:
    """A participant who looks for film, someone of another region who offers it, a private profile, and a
    person who saved and hid the film studio already."""
    me = make.person("erzgebirge", name="Ich", need_tags=["Film"], visibility="network")
    studio = make.person("dresden", name="Filmstudio", offer_tags=["Film"], visibility="network")
    marker = make.person("lausitz", name="Schon markiert", need_tags=["Film"], visibility="network")
    private = make.person("meissen", name="Privat", offer_tags=["Film"])
    with make.app.app_context():
        db.session.add(SavedPerson(user_id=marker.owner.id, profile_id=studio.id))
        db.session.add(HiddenPerson(user_id=marker.owner.id, profile_id=studio.id))
        db.session.commit()
    return {"me": me, "studio": studio, "marker": marker, "private": private}


def marks_stored(app, world) -> dict:
    """Who saved and hid whom, by names."""
    with app.app_context():
        with all_regions():
            names = dict(db.session.execute(select(Profile.id, Profile.display_name)).all())
            owners = dict(db.session.execute(select(Profile.user_id, Profile.display_name)).all())
        return {
            model.__tablename__: sorted(
                (owners.get(m.user_id), names.get(m.profile_id)) for m in db.session.scalars(select(model))
            )
            for model in (SavedPerson, HiddenPerson)
        }


def _target(name: str):
    return lambda world: world[name].id


def _use(page: str, api: str, method: str) -> UseCase:
    return UseCase(
        world=meet_world,
        page=lambda world, values: page.format(id=values.pop("profile")),
        api=lambda world, values: api.format(id=values.pop("profile")),
        snapshot=marks_stored,
        api_method=method,
    )


SAVE = _use("/directory/profiles/{id}/save", "/api/v1/favourites/{id}", "PUT")
UNSAVE = _use("/directory/profiles/{id}/unsave", "/api/v1/favourites/{id}", "DELETE")
HIDE = _use("/people/{id}/hide", "/api/v1/people-to-meet/hidden/{id}", "PUT")
UNHIDE = _use("/people/{id}/unhide", "/api/v1/people-to-meet/hidden/{id}", "DELETE")

CASES = [
    (SAVE, Case("a participant saves someone of another region", "me", {"profile": _target("studio")})),
    (SAVE, Case("saving twice keeps one", "marker", {"profile": _target("studio")})),
    (SAVE, Case("one's own profile is no favourite", "me", {"profile": _target("me")}, refused("_form"))),
    (SAVE, Case("a private profile is not there", "me", {"profile": _target("private")}, NOT_FOUND)),
    (UNSAVE, Case("a favourite is removed", "marker", {"profile": _target("studio")})),
    (UNSAVE, Case("removing what is not saved changes nothing", "me", {"profile": _target("studio")})),
    (UNSAVE, Case("a private profile is not there", "me", {"profile": _target("private")}, NOT_FOUND)),
    (HIDE, Case("a participant hides a suggestion", "me", {"profile": _target("studio")})),
    (HIDE, Case("one's own profile cannot be hidden", "me", {"profile": _target("me")}, refused("_form"))),
    (HIDE, Case("a private profile is not there", "me", {"profile": _target("private")}, NOT_FOUND)),
    (UNHIDE, Case("a hidden person is suggested again", "marker", {"profile": _target("studio")})),
    (UNHIDE, Case("a private profile is not there", "me", {"profile": _target("private")}, NOT_FOUND)),
]


@pytest.mark.parametrize("use,case", CASES, ids=[c.name for _, c in CASES])
def test_hiding_and_saving_a_person_end_alike_on_page_and_api(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


def test_every_case_expects_what_it_says():
    assert {c.expect for _, c in CASES} == {done(), refused("_form"), NOT_FOUND}
