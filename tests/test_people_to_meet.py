"""People to meet (issue 18): people of all four regions whose offers answer a person's needs and whose needs
their offers answer, ranked by fit, with the reason in German; hide a person, save a person; a notice when new
people fit; and the cost of it all, counted in statements.

The lists are read through the API (structured reasons and the German sentence) and through the pages (what a
person reads). German is the default language, so ``sentence_de`` and the pages read alike.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from hub.accounts.models import User
from hub.core.db import db, utcnow
from hub.core.jobs.runner import execute
from hub.core.mail.models import OutboxMessage
from hub.core.tenancy import all_regions
from hub.notifications.models import Notification
from regions.profiles.models import Profile
from shared.meet.models import HiddenPerson, SavedPerson, Suggestion, SuggestionState
from tests.statements import counted

# -- helpers ------------------------------------------------------------------------------------------------


@pytest.fixture
def people(client, auth):
    """``people(person)``: the person's suggestions as the API gives them (first page), by display name."""

    def of(person, page: int = 1) -> dict:
        auth.logout()
        auth.login(person.owner)
        answer = client.get(f"/api/v1/people-to-meet?page={page}")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()

    return of


def names(found: dict) -> list[str]:
    return [item["profile"]["display_name"] for item in found["items"]]


def item(found: dict, name: str) -> dict:
    return next(i for i in found["items"] if i["profile"]["display_name"] == name)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def refresh_and_notify(app) -> None:
    """What the scheduler does: recompute the stale lists, then send the notices that are due."""
    with app.app_context():
        assert execute("meet.refresh").outcome == "ok"
        assert execute("meet.notices").outcome == "ok"


def notices_of(app, person) -> list[Notification]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(Notification).where(
                    Notification.user_id == person.owner.id, Notification.topic == "people_to_meet"
                )
            )
        )
        db.session.expunge_all()
        return found


# -- who fits ---------------------------------------------------------------------------------------------


def test_people_who_offer_what_i_seek_or_seek_what_i_offer_fit_with_the_reason_in_german(people, make):
    me = make.person("erzgebirge", need_tags=["Fotografie"], offer_tags=["Möbelbau"], visibility="network")
    make.person("lausitz", name="Lichtbild Lausitz", offer_tags=["Fotografie"], visibility="network")
    make.person("meissen", name="Tischlerbedarf Meißen", need_tags=["Möbelbau"], visibility="network")
    make.person("dresden", name="Auch Möbelbau", offer_tags=["Möbelbau"], visibility="network")

    found = people(me)

    assert sorted(names(found)) == ["Lichtbild Lausitz", "Tischlerbedarf Meißen"]
    assert item(found, "Lichtbild Lausitz")["sentence_de"] == "bietet Fotografie – Sie suchen Fotografie"
    assert item(found, "Tischlerbedarf Meißen")["sentence_de"] == "sucht Möbelbau – Sie bieten Möbelbau"
    assert item(found, "Lichtbild Lausitz")["reasons"] == [
        {
            "side": "offer",
            "theirs": "Fotografie",
            "yours": "Fotografie",
            "sentence": "bietet Fotografie – Sie suchen Fotografie",
            "sentence_de": "bietet Fotografie – Sie suchen Fotografie",
        }
    ]


def test_spellings_meet_as_in_the_directory_and_each_side_keeps_its_own(people, make):
    me = make.person("dresden", offer_tags=["Möbelbau"], need_tags=["Übersetzung"], visibility="network")
    make.person("erzgebirge", name="Holzfreunde", need_tags=["moebelbau"], visibility="network")
    make.person("lausitz", name="Sprachbüro", offer_tags=["UEBERSETZUNG"], visibility="network")

    found = people(me)

    assert item(found, "Holzfreunde")["sentence_de"] == "sucht moebelbau – Sie bieten Möbelbau"
    assert item(found, "Sprachbüro")["sentence_de"] == "bietet UEBERSETZUNG – Sie suchen Übersetzung"


def test_people_of_all_four_regions_are_suggested(people, make):
    me = make.person("meissen", need_tags=["Film"], visibility="network")
    for region in ("erzgebirge", "meissen", "lausitz", "dresden"):
        make.person(region, name=f"Film aus {region}", offer_tags=["Film"], visibility="network")

    found = people(me)

    assert sorted(i["profile"]["region"] for i in found["items"]) == ["dresden", "erzgebirge", "lausitz", "meissen"]


def test_only_profiles_the_person_sees_in_the_directory_with_consent(people, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    make.person("lausitz", name="Für alle", offer_tags=["Film"], visibility="network")
    make.person("erzgebirge", name="Nur meine Region", offer_tags=["Film"], visibility="region")
    make.person("dresden", name="Nur Dresden", offer_tags=["Film"], visibility="region")
    make.person("meissen", name="Privat", offer_tags=["Film"])
    make.person("meissen", name="Ohne Einwilligung", offer_tags=["Film"], visibility="network", consent=False)
    archived = make.person("lausitz", name="Archiviert", offer_tags=["Film"], visibility="network")
    make.profile("dresden", name="Ohne Konto", offer_tags=["Film"], visibility="network")
    with make.inside("lausitz"):
        db.session.get(Profile, archived.id).archived_at = utcnow()
        db.session.commit()

    assert sorted(names(people(me))) == ["Für alle", "Nur meine Region", "Ohne Konto"]


def test_joining_a_region_brings_its_region_only_profiles_at_the_next_refresh(app, regions, people, make):
    from hub.accounts.models import Membership
    from hub.core.roles import Role

    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    make.person("dresden", name="Nur Dresden", offer_tags=["Film"], visibility="region")
    assert names(people(me)) == []

    with app.app_context(), all_regions():
        db.session.add(Membership(user_id=me.owner.id, region_id=regions["dresden"].id, role=Role.PARTICIPANT))
        db.session.commit()
        assert db.session.get(SuggestionState, me.owner.id).stale is True
    refresh_and_notify(app)

    assert names(people(me)) == ["Nur Dresden"]


def test_never_the_persons_own_profiles(app, regions, people, make):
    from hub.accounts import services as accounts
    from hub.core.roles import Role

    me = make.person("erzgebirge", need_tags=["Film"], offer_tags=["Regie"], visibility="network")
    with app.app_context(), all_regions():
        accounts.grant_role(db.session.get(User, me.owner.id), Role.PARTICIPANT, db.session.merge(regions["dresden"]))
        db.session.commit()
    make.profile("dresden", user=me.owner, name="Ich in Dresden", offer_tags=["Film"], need_tags=["Regie"],
                 visibility="network")  # fmt: skip
    make.person("lausitz", name="Jemand anderes", offer_tags=["Film"], visibility="network")

    assert names(people(me)) == ["Jemand anderes"]


def test_ranked_mutual_fit_first_then_by_how_many_tags_match(people, make):
    me = make.person("erzgebirge", need_tags=["Film", "Ton", "Licht"], offer_tags=["Bühnenbild"], visibility="network")
    make.person("lausitz", name="Ein Tag", offer_tags=["Film"], visibility="network")
    make.person("meissen", name="Drei Tags", offer_tags=["Film", "Ton", "Licht"], visibility="network")
    make.person("dresden", name="Beidseitig", offer_tags=["Ton"], need_tags=["Bühnenbild"], visibility="network")
    make.person("dresden", name="Zwei Tags", offer_tags=["Film", "Licht"], visibility="network")

    found = people(me)

    assert names(found) == ["Beidseitig", "Drei Tags", "Zwei Tags", "Ein Tag"]
    assert [i["mutual"] for i in found["items"]] == [True, False, False, False]
    assert [i["score"] for i in found["items"]] == [2, 3, 2, 1]


def test_the_home_shows_the_best_few_with_reasons_and_links_to_the_whole_list(client, auth, make):
    me = make.person("erzgebirge", need_tags=["Fotografie"], visibility="network")
    for n in range(6):
        make.person("lausitz", name=f"Fotograf:in {n}", offer_tags=["Fotografie"], visibility="network")
    auth.login(me.owner)

    home = client.get("/").get_data(as_text=True)
    section = re.search(r'<section id="people".*?</section>', home, re.S).group(0)

    assert text_of(section).count("bietet Fotografie – Sie suchen Fotografie") == 4
    assert 'href="/people/"' in section
    whole = text_of(client.get("/people/").get_data(as_text=True))
    assert "Menschen, die passen" in whole and whole.count("bietet Fotografie – Sie suchen Fotografie") == 6


def test_the_whole_list_is_paginated_with_the_hubs_pager(client, auth, people, make):
    me = make.person("erzgebirge", need_tags=["Fotografie"], visibility="network")
    for n in range(23):
        make.person("dresden", name=f"Bild {n:02d}", offer_tags=["Fotografie"], visibility="network")

    first, second = people(me, 1), people(me, 2)

    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (23, 2, 20, 3)
    assert not set(names(first)) & set(names(second))
    html = client.get("/people/?page=2").get_data(as_text=True)
    assert 'rel="prev"' in html and "Seite 2 von 2" in text_of(html)


# -- hide and save ------------------------------------------------------------------------------------------


def test_a_hidden_person_is_never_suggested_again_until_undone(client, auth, people, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    other = make.person("lausitz", name="Filmstudio", offer_tags=["Film"], visibility="network")
    assert names(people(me)) == ["Filmstudio"]

    assert client.post(f"/people/{other.id}/hide", data={"back": "home"}).status_code == 302
    assert names(people(me)) == []
    hidden = text_of(client.get("/people/hidden").get_data(as_text=True))
    assert "Filmstudio" in hidden and "Wieder vorschlagen" in hidden

    assert client.post(f"/people/{other.id}/unhide").status_code == 302
    assert names(people(me)) == ["Filmstudio"]


def test_hidden_stays_hidden_when_the_list_is_computed_again(app, people, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    other = make.person("lausitz", name="Filmstudio", offer_tags=["Film"], visibility="network")
    people(me)
    with app.app_context(), all_regions():
        db.session.add(HiddenPerson(user_id=me.owner.id, profile_id=other.id))
        db.session.commit()
    make.person("dresden", name="Neu dabei", offer_tags=["Film"], visibility="network")
    refresh_and_notify(app)

    assert names(people(me)) == ["Neu dabei"]


def test_a_saved_person_carries_a_star_and_is_listed_among_the_saved_people(client, auth, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    other = make.person("dresden", name="Filmstudio", offer_tags=["Film"], visibility="network")
    auth.login(me.owner)
    page = client.get(f"/directory/profiles/{other.id}").get_data(as_text=True)
    assert "☆ Speichern" in page

    answer = client.post(f"/directory/profiles/{other.id}/save", data={"back": "profile"})

    assert answer.headers["Location"].endswith(f"/directory/profiles/{other.id}")
    assert "★ Gespeichert" in client.get(f"/directory/profiles/{other.id}").get_data(as_text=True)
    assert "★ Gespeichert" in client.get("/people/").get_data(as_text=True)
    saved = text_of(client.get("/directory/favourites/").get_data(as_text=True))
    assert "Gespeicherte Personen" in saved and "Filmstudio" in saved
    assert client.get("/api/v1/favourites").get_json()["items"][0]["profile"]["display_name"] == "Filmstudio"

    client.post(f"/directory/profiles/{other.id}/unsave", data={"back": "favourites"})
    assert "Filmstudio" not in text_of(client.get("/directory/favourites/").get_data(as_text=True))


def test_ones_own_profile_cannot_be_saved_or_hidden(client, auth, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    auth.login(me.owner)

    assert client.put(f"/api/v1/favourites/{me.id}").status_code == 422
    assert client.put(f"/api/v1/people-to-meet/hidden/{me.id}").status_code == 422


def test_a_profile_one_cannot_see_cannot_be_saved_and_says_nothing_about_it(client, auth, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    private = make.person("dresden", name="Privat", offer_tags=["Film"])
    auth.login(me.owner)

    assert client.put(f"/api/v1/favourites/{private.id}").status_code == 404
    assert client.post(f"/directory/profiles/{private.id}/save").status_code == 404
    assert client.delete(f"/api/v1/favourites/{private.id}").status_code == 404


def test_a_saved_person_who_went_private_leaves_the_list_and_can_still_be_removed(app, client, auth, make):
    me = make.person("erzgebirge", visibility="network")
    other = make.person("dresden", name="Bald privat", visibility="network")
    auth.login(me.owner)
    client.put(f"/api/v1/favourites/{other.id}")
    with make.inside("dresden"):
        db.session.get(Profile, other.id).visibility = "private"
        db.session.commit()

    assert client.get("/api/v1/favourites").get_json()["total"] == 0
    assert client.delete(f"/api/v1/favourites/{other.id}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SavedPerson)) == 0


# -- kept fresh ---------------------------------------------------------------------------------------------


def test_a_profile_that_leaves_the_directory_leaves_every_list_at_once(app, people, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    other = make.person("lausitz", name="Filmstudio", offer_tags=["Film"], visibility="network")
    assert names(people(me)) == ["Filmstudio"]

    with make.inside("lausitz"):
        db.session.get(Profile, other.id).consent_withdrawn_at = utcnow()
        db.session.get(Profile, other.id).consent_given_at = None
        db.session.commit()

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 0  # the reasons went too
    assert names(people(me)) == []


def test_a_change_of_ones_own_tags_shows_at_the_next_visit(people, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    make.person("lausitz", name="Filmstudio", offer_tags=["Film"], visibility="network")
    make.person("dresden", name="Tonstudio", offer_tags=["Ton"], visibility="network")
    assert names(people(me)) == ["Filmstudio"]

    with make.inside("erzgebirge"):
        db.session.get(Profile, me.id).need_tags = ["Ton"]
        db.session.commit()

    assert names(people(me)) == ["Tonstudio"]


def test_new_people_who_fit_mark_the_list_stale_and_the_job_brings_them(app, people, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    people(me)
    make.person("dresden", name="Später dazu", offer_tags=["Film"], visibility="network")
    make.person("dresden", name="Passt nicht", offer_tags=["Keramik"], visibility="network")
    with app.app_context():
        assert db.session.get(SuggestionState, me.owner.id).stale is True

    refresh_and_notify(app)

    assert names(people(me)) == ["Später dazu"]


def test_a_notice_says_how_many_new_people_fit_once_a_day_at_most(app, people, make):
    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    people(me)  # the first list: nothing is new
    make.person("dresden", name="Neu 1", offer_tags=["Film"], visibility="network")
    make.person("lausitz", name="Neu 2", need_tags=["x"], offer_tags=["Film"], visibility="network")
    refresh_and_notify(app)

    told = notices_of(app, me)
    assert [n.subject for n in told] == ["2 neue Menschen passen zu Ihnen im Netzwerk"]
    assert told[0].link.endswith("/people/")
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "people_to_meet")).all()
        assert [m.recipient for m in mail] == [me.owner.email]

    make.person("meissen", name="Neu 3", offer_tags=["Film"], visibility="network")
    refresh_and_notify(app)
    assert len(notices_of(app, me)) == 1  # the same day: not yet

    with time_machine.travel(utcnow() + timedelta(days=1, hours=1)):
        refresh_and_notify(app)
    assert [n.subject for n in notices_of(app, me)][-1] == "1 neue Person passt zu Ihnen im Netzwerk"


def test_the_notice_follows_the_persons_e_mail_choice(app, people, make):
    from hub.notifications import services as notifications

    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    with app.app_context():
        user = db.session.get(User, me.owner.id)
        notifications.choose(user, emailed=set(notifications.emailed_topics(user)) - {"people_to_meet"})
        db.session.commit()
    people(me)
    make.person("dresden", name="Neu", offer_tags=["Film"], visibility="network")
    refresh_and_notify(app)

    assert len(notices_of(app, me)) == 1  # in the hub
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "people_to_meet")).all()
        assert mail == []  # but no e-mail


# -- cost ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/people/", "/api/v1/people-to-meet"])
def test_the_suggestions_cost_the_same_statements_for_few_and_many_people(app, client, auth, make, path):
    me = make.person("erzgebirge", need_tags=["Film", "Ton"], offer_tags=["Licht"], visibility="network")
    counts = []
    for batch in (2, 12):
        for n in range(batch):
            make.person(["lausitz", "dresden", "meissen"][n % 3], offer_tags=["Film"], need_tags=["Licht"],
                        visibility="network")  # fmt: skip
        with app.app_context():
            execute("meet.refresh")
        auth.logout()
        auth.login(me.owner)
        client.get(path)  # the first visit computes the list once
        with counted(app) as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_computing_a_list_costs_the_same_statements_for_few_and_many_people(app, make):
    from shared.directory.search import Viewer
    from shared.meet import services

    me = make.person("erzgebirge", need_tags=["Film"], offer_tags=["Licht"], visibility="network")
    counts = []
    for batch in (2, 12):
        for _ in range(batch):
            make.person("dresden", offer_tags=["Film"], need_tags=["Licht"], visibility="network")
        with app.app_context(), app.test_request_context():
            user = db.session.get(User, me.owner.id)
            viewer = Viewer.of(user)
            services.compute(viewer)  # the person's list exists: it is computed anew
            db.session.commit()
            with counted(app) as statements:
                services.compute(viewer)
                db.session.commit()
            counts.append(len(statements))
    assert counts[0] == counts[1], counts


# -- personal data ----------------------------------------------------------------------------------------------


def test_saved_and_hidden_people_are_in_the_export_and_go_with_the_account(app, people, make):
    from hub.privacy import services as privacy

    me = make.person("erzgebirge", need_tags=["Film"], visibility="network")
    studio = make.person("dresden", name="Filmstudio", offer_tags=["Film"], visibility="network")
    other = make.person("lausitz", name="Noch ein Studio", offer_tags=["Film"], visibility="network")
    people(me)
    with app.app_context(), all_regions():
        db.session.add(SavedPerson(user_id=me.owner.id, profile_id=studio.id))
        db.session.add(HiddenPerson(user_id=me.owner.id, profile_id=other.id))
        db.session.commit()
        user = db.session.get(User, me.owner.id)
        sections = {s["table"]: s for s in privacy.export_data(user)["sections"]}
        assert [r["profile_id"] for r in sections["meet_saved"]["rows"]] == [studio.id]
        assert [r["profile_id"] for r in sections["meet_hidden"]["rows"]] == [other.id]
        assert studio.id in [r["profile_id"] for r in sections["meet_suggestion"]["rows"]]

        studio_sections = {
            s["table"]: s for s in privacy.export_data(db.session.get(User, studio.owner.id))["sections"]
        }
        assert list(studio_sections["meet_saved"]["about_you"][0]) == ["created_at"]  # when, never by whom

        privacy.erase_person(user)
        db.session.commit()
        for model in (SavedPerson, HiddenPerson, Suggestion, SuggestionState):
            assert db.session.scalar(select(func.count()).select_from(model).where(model.user_id == me.owner.id)) == 0
