"""Saved searches of the directory: keep a search under a name, open it again, and hear when a new profile fits.

- **Saving** keeps the search exactly as the directory's schema loads it (its words and filters, never its page),
  under a name the person gives or one made from the search („Fotografie · Dresden · Organisationen"); at most
  20 per person, each name once, each search once; an unknown filter or region is refused.
- **Opening** runs the directory's own search, as the person may see the directory now.
- **The notice** (job ``saved_searches.notices``, topic ``saved_searches``): a profile that comes into the
  person's view of the directory and fits, or changes so that it now fits, is announced once per saved search,
  in one notice per search and run that names how many; never a profile the person may not see, one without
  consent, the person's own, or one that fitted when the search was saved. The job looks only at the entries
  that changed since it last looked, so its statements do not grow with the directory.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.core.db import db, utcnow
from hub.core.tenancy import all_regions
from hub.notifications.models import Notification
from shared.saved_searches.models import SavedSearch, SavedSearchHit
from tests.factories import PASSWORD
from tests.pages import CONFIRMED, bearer
from tests.statements import counted

FOTO = {"q": "Fotografie", "region": "dresden", "kind": "organisation"}


# -- helpers -------------------------------------------------------------------------------------------------


def browser(app, person):
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


def saved(app, person) -> list[SavedSearch]:
    with app.app_context():
        rows = list(
            db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == person.id).order_by(SavedSearch.id))
        )
        db.session.expunge_all()
        return rows


def notices(app, person) -> list[Notification]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == person.id, Notification.topic == "saved_searches")
                .order_by(Notification.id)
            )
        )
        db.session.expunge_all()
        return rows


def run_notices(app) -> dict:
    from hub.core.jobs.runner import execute

    with app.app_context():
        run = execute("saved_searches.notices")
        assert run.outcome == "ok", run.error
        return dict(run.summary)


def later(app, minutes: int = 60) -> None:
    """Let time pass for the saved searches: they last looked an hour ago (beyond the job's look-back)."""
    with app.app_context():
        for search in db.session.scalars(select(SavedSearch)):
            search.checked_at = search.checked_at - timedelta(minutes=minutes)
        db.session.commit()


def change_profile(make, made, consent: bool = False, **fields) -> None:
    """Change a profile as its form would (``consent``: the person consents to being listed, too)."""
    from regions.profiles import services as profiles

    with make.inside(made.region):
        profile = profiles.get_profile(made.id)
        if fields:
            profiles.update_profile(profile, fields)
        if consent:
            profiles.give_consent(profile, None)
        db.session.commit()


@pytest.fixture
def seeker(make):
    """Bea, a participant in Erzgebirge who looks for photographers of other regions."""
    return make.participant("erzgebirge", name="Bea Sucht")


def save(app, person, **values):
    return browser(app, person).post("/directory/saved/", data=values)


# -- saving ----------------------------------------------------------------------------------------------------


def test_the_directory_offers_to_save_the_search_with_a_name_made_from_it(app, seeker):
    page = browser(app, seeker).get("/directory/", query_string=FOTO).get_data(as_text=True)

    assert "Suche speichern" in page
    assert 'value="Fotografie · Dresden · Organisationen"' in page
    for key, value in FOTO.items():
        assert f'name="{key}" value="{value}"' in page
    assert "Gespeicherte Suchen" in page


def test_a_saved_search_keeps_the_words_and_filters_as_the_directory_loads_them_and_nothing_of_the_page(app, seeker):
    response = save(app, seeker, q="  Fotografie   Film ", region="dresden", kind="organisation", page="3", tag="")

    [search] = saved(app, seeker)
    assert search.query == {"q": "Fotografie Film", "region": "dresden", "kind": "organisation"}
    assert search.name == "Fotografie Film · Dresden · Organisationen"
    assert search.notify is True
    # Back on the directory with that very search, told that it is saved.
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/directory/?")
    assert "Fotografie+Film" in response.headers["Location"] and "page" not in response.headers["Location"]


def test_a_name_and_the_notice_are_the_persons_choice(app, seeker):
    save(app, seeker, name="Fotos für das Sommerfest", notify=["0"], **FOTO)

    [search] = saved(app, seeker)
    assert (search.name, search.notify) == ("Fotos für das Sommerfest", False)


def test_the_form_ticks_the_notice_by_sending_its_checkbox_before_the_hidden_no(app, seeker):
    save(app, seeker, notify=["1", "0"], **FOTO)

    assert saved(app, seeker)[0].notify is True


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"q": "Holz", "kind": "robot"}, "kind", "Muss eines davon sein"),
        ({"q": "Holz", "region": "atlantis"}, "region", "Diese Region gibt es nicht"),
        ({"q": "Holz", "name": "x" * 81}, "name", "Länge"),
        ({}, None, "Suchen Sie nach etwas"),
    ],
    ids=["unknown kind", "unknown region", "too long a name", "no search at all"],
)
def test_a_search_that_is_not_one_of_the_directory_is_refused_beside_its_field(app, seeker, values, field, message):
    response = save(app, seeker, **values)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    if field:
        assert f'href="#f-{field}"' in html
    assert saved(app, seeker) == []


def test_each_name_once_each_search_once(app, seeker):
    save(app, seeker, name="Fotos", **FOTO)

    same_name = save(app, seeker, name="fotos", q="Film")
    same_search = save(app, seeker, name="Noch einmal", **FOTO)

    assert same_name.status_code == 422 and "diesem Namen" in same_name.get_data(as_text=True)
    assert same_search.status_code == 422 and "schon gespeichert, als „Fotos“" in same_search.get_data(as_text=True)
    assert [s.name for s in saved(app, seeker)] == ["Fotos"]


def test_twenty_saved_searches_at_most_with_a_clear_word(app, seeker):
    for n in range(20):
        save(app, seeker, q=f"Suche{n}")

    response = save(app, seeker, q="Suche21")

    assert response.status_code == 422
    assert "20 gespeicherte Suchen" in response.get_data(as_text=True)
    assert len(saved(app, seeker)) == 20


# -- the list: open, rename, notice, delete -------------------------------------------------------------------


def test_the_list_shows_the_searches_in_words_and_opening_one_runs_it_in_the_directory(app, make, seeker):
    make.profile(
        "dresden", name="Fotostudio Elbe", kind="organisation", visibility="network", offer_tags=["Fotografie"]
    )
    make.profile(
        "dresden", name="Fotografin Privat", kind="organisation", visibility="private", offer_tags=["Fotografie"]
    )
    save(app, seeker, **FOTO)
    [search] = saved(app, seeker)
    client = browser(app, seeker)

    page = client.get("/directory/saved/").get_data(as_text=True)
    opened = client.get(f"/directory/saved/{search.id}", follow_redirects=True).get_data(as_text=True)

    assert "Fotografie · Dresden · Organisationen" in page and "Benachrichtigung an" in page
    assert "Fotostudio Elbe" in opened and "Fotografin Privat" not in opened


def test_renaming_switching_the_notice_and_deleting_after_the_question(app, seeker):
    save(app, seeker, **FOTO)
    save(app, seeker, name="Zweite", q="Film")
    first, second = saved(app, seeker)
    client = browser(app, seeker)

    assert client.post(f"/directory/saved/{first.id}/rename", data={"name": "Fotos Dresden"}).status_code == 302
    taken = client.post(f"/directory/saved/{first.id}/rename", data={"name": "zweite"})
    assert client.post(f"/directory/saved/{first.id}/notice", data={"notify": "0"}).status_code == 302
    asked = client.post(f"/directory/saved/{second.id}/delete")

    assert taken.status_code == 422 and 'href="#f-name"' in taken.get_data(as_text=True)
    assert asked.status_code == 200 and "„Zweite“ löschen?" in asked.get_data(as_text=True)
    assert [(s.name, s.notify) for s in saved(app, seeker)] == [("Fotos Dresden", False), ("Zweite", True)]

    assert client.post(f"/directory/saved/{second.id}/delete", data=CONFIRMED).status_code == 302
    assert [s.name for s in saved(app, seeker)] == ["Fotos Dresden"]


def test_someone_elses_saved_search_does_not_exist_for_you(app, make, seeker):
    save(app, seeker, **FOTO)
    [search] = saved(app, seeker)
    other = browser(app, make.participant("dresden"))

    assert other.get(f"/directory/saved/{search.id}").status_code == 404
    assert other.post(f"/directory/saved/{search.id}/rename", data={"name": "Meins"}).status_code == 404
    assert other.post(f"/directory/saved/{search.id}/delete", data=CONFIRMED).status_code == 404
    assert "Fotografie" not in other.get("/directory/saved/").get_data(as_text=True)
    assert [s.name for s in saved(app, seeker)] == ["Fotografie · Dresden · Organisationen"]


def test_the_api_runs_a_saved_search_as_the_directory_does(app, make, seeker):
    make.profile(
        "dresden", name="Fotostudio Elbe", kind="organisation", visibility="network", offer_tags=["Fotografie"]
    )
    token = make.access_token(seeker).extra
    client = app.test_client()

    created = client.post("/api/v1/directory/saved-searches", json=FOTO, headers=bearer(token))
    results = client.get(f"/api/v1/directory/saved-searches/{created.get_json()['id']}/results", headers=bearer(token))
    listed = client.get("/api/v1/directory/saved-searches", headers=bearer(token)).get_json()
    direct = client.get("/api/v1/directory", query_string=FOTO, headers=bearer(token)).get_json()

    assert created.status_code == 201 and created.get_json()["name"] == "Fotografie · Dresden · Organisationen"
    assert [p["display_name"] for p in results.get_json()["results"]] == ["Fotostudio Elbe"]
    assert results.get_json()["results"] == direct["results"]
    assert listed["limit"] == 20 and [s["query"] for s in listed["saved_searches"]] == [FOTO]


def test_the_api_refuses_a_filter_the_directory_does_not_know(app, make, seeker):
    token = make.access_token(seeker).extra

    response = app.test_client().post(
        "/api/v1/directory/saved-searches", json={"q": "Holz", "colour": "blau"}, headers=bearer(token)
    )

    assert response.status_code == 422 and "colour" in response.get_json()["errors"]["json"]
    assert saved(app, seeker) == []


# -- the notice ------------------------------------------------------------------------------------------------


def photographer(make, region="dresden", name=None, **fields):
    """An organisation offering photography, shown to the network unless said otherwise."""
    values = {"kind": "organisation", "visibility": "network", "offer_tags": ["Fotografie"], **fields}
    return make.profile(region, name=name, **values)


def test_a_new_profile_that_fits_is_announced_once_with_a_link_to_the_search(app, make, seeker):
    photographer(make, name="Schon da")  # fitted when the search was saved: no news
    save(app, seeker, **FOTO)
    later(app)
    photographer(make, name="Neu Eins")
    photographer(make, name="Neu Zwei")

    first = run_notices(app)
    second = run_notices(app)

    [notice] = notices(app, seeker)
    [search] = saved(app, seeker)
    assert first["notices"] == 1 and second["notices"] == 0
    assert (
        notice.subject == "2 neue Profile passen zu Ihrer gespeicherten Suche „Fotografie · Dresden · Organisationen“"
    )
    assert notice.link.endswith(f"/directory/saved/{search.id}")
    with app.app_context():
        from hub.core.mail.models import OutboxMessage

        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == seeker.email))
        assert mail is not None and mail.topic == "saved_searches" and "Neu Eins" not in mail.body


def test_a_profile_that_changes_so_that_it_now_fits_is_announced(app, make, seeker):
    studio = photographer(make, name="Studio Ohne", offer_tags=["Film"])
    save(app, seeker, **FOTO)
    later(app)

    change_profile(make, studio, offer_tags=["Film", "Fotografie"])
    run_notices(app)

    assert [n.subject[:1] for n in notices(app, seeker)] == ["E"]  # „Ein neues Profil passt …“


def test_a_profile_that_shows_itself_to_the_network_or_consents_is_announced(app, make, seeker):
    hidden = photographer(make, name="Noch privat", visibility="private")
    save(app, seeker, **FOTO)
    later(app)
    run_notices(app)
    assert notices(app, seeker) == []

    change_profile(make, hidden, visibility="network", consent=True)
    later(app)
    run_notices(app)

    assert len(notices(app, seeker)) == 1


def test_nothing_about_profiles_the_person_may_not_see_or_without_consent(app, make, seeker):
    save(app, seeker, **FOTO)
    later(app)
    photographer(make, name="Privat", visibility="private")
    photographer(make, name="Nur Region Dresden", visibility="region")
    photographer(make, name="Ohne Einwilligung", consent=False)
    photographer(make, name="Andere Sparte", offer_tags=["Keramik"])
    photographer(make, name="Andere Region", region="meissen")

    summary = run_notices(app)

    assert summary["candidates"] == 3 and summary["notices"] == 0  # the two without consent are not even looked at
    assert notices(app, seeker) == []


def test_the_coordination_of_a_region_hears_of_its_own_region_visible_profiles_as_the_directory_shows_them(app, make):
    coordinator = make.coordinator("dresden")
    save(app, coordinator, **FOTO)
    later(app)
    photographer(make, name="Nur Region Dresden", visibility="region")

    run_notices(app)

    assert len(notices(app, coordinator)) == 1


def test_not_twice_when_a_profile_changes_again_or_hides_and_shows_itself(app, make, seeker):
    save(app, seeker, **FOTO)
    later(app)
    studio = photographer(make, name="Wechselhaft")
    run_notices(app)

    change_profile(make, studio, pitch="Neuer Text über Fotografie")
    change_profile(make, studio, visibility="private")
    change_profile(make, studio, visibility="network")
    later(app)
    run_notices(app)

    assert len(notices(app, seeker)) == 1


def test_no_notice_with_the_notice_off_nor_about_ones_own_profile(app, make, seeker):
    save(app, seeker, name="Still", notify=["0"], **FOTO)
    save(app, seeker, name="Eigenes", q="Eigenwerbung")
    later(app)
    make.profile("erzgebirge", user=seeker, name="Bea Eigenwerbung", visibility="network")
    photographer(make, name="Neu")

    assert run_notices(app)["notices"] == 0
    assert notices(app, seeker) == []


def test_switching_the_notice_on_again_counts_from_then_on(app, make, seeker):
    save(app, seeker, notify=["0"], **FOTO)
    later(app)
    photographer(make, name="Während es aus war")
    [search] = saved(app, seeker)
    browser(app, seeker).post(f"/directory/saved/{search.id}/notice", data={"notify": "1"})

    run_notices(app)

    assert notices(app, seeker) == []


def test_the_persons_email_choice_applies(app, make, seeker):
    from hub.notifications.models import NotificationSettings

    with app.app_context():
        db.session.add(NotificationSettings(user_id=seeker.id, muted_topics=["saved_searches"], digest="weekly"))
        db.session.commit()
    save(app, seeker, **FOTO)
    later(app)
    photographer(make, name="Neu")

    run_notices(app)

    from hub.core.mail.models import OutboxMessage

    assert len(notices(app, seeker)) == 1, "told in the hub"
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == seeker.email)) is None


def test_the_sweep_costs_the_same_statements_however_large_the_directory(app, make):
    """A run reads the saved searches, the entries changed since, what the searches knew, and then one search per
    saved search with changed profiles; the directory's other profiles cost nothing."""
    people = [make.participant("erzgebirge") for _ in range(3)]
    for n, person in enumerate(people):
        save(app, person, q="Fotografie", name=f"Suche {n}")
    run_notices(app)

    def statements() -> int:
        later(app, minutes=5)  # within the look-back: the same changed entries are looked at again
        with counted(app) as sent:
            summary = run_notices(app)
        assert summary["notices"] == 0
        return len([s for s in sent if "job_run" not in s])

    photographer(make, name="Geändert", region="meissen")
    assert run_notices(app)["notices"] == len(people)
    few = statements()
    for n in range(30):
        make.profile("lausitz", name=f"Unbewegt {n}", visibility="network", offer_tags=["Fotografie"])
    with app.app_context():  # their entries changed long ago
        from shared.directory.models import DirectoryEntry

        with all_regions():
            for entry in db.session.scalars(select(DirectoryEntry)):
                if entry.name_key.startswith("unbewegt"):
                    entry.changed_at = utcnow() - timedelta(days=30)
            db.session.commit()

    assert statements() == few
    # The saved searches, their owners, their memberships, the changed entries, the regions, one search per saved
    # search (restricted to the changed profiles), what the searches knew, and moving them on: nothing per profile.
    assert few == 7 + len(people)


def test_a_quiet_run_is_a_few_reads(app, make):
    for n in range(5):
        save(app, make.participant("erzgebirge"), q=f"Suche{n}")
    run_notices(app)

    with counted(app) as sent:
        summary = run_notices(app)

    assert summary == {"searches": 5, "candidates": 0, "notices": 0}
    # the saved searches with their owners and memberships, and the entries changed since: nothing written
    assert len([s for s in sent if "job_run" not in s]) == 4


# -- the index's clock ----------------------------------------------------------------------------------------


def test_a_change_the_search_does_not_see_leaves_the_entrys_clock(app, make):
    from shared.directory.models import DirectoryEntry

    studio = photographer(make, name="Uhr")

    def changed_at():
        with app.app_context(), all_regions():
            return db.session.get(DirectoryEntry, studio.id).changed_at

    first = changed_at()
    change_profile(make, studio, contact_phone="0351 123")
    assert changed_at() == first
    change_profile(make, studio, pitch="Jetzt mit Fotografie")
    assert changed_at() > first


def test_rebuilding_the_index_is_no_news(app, make):
    from shared.directory.index import rebuild_all
    from shared.directory.models import DirectoryEntry

    photographer(make, name="Alt")
    photographer(make, name="Auch alt", region="lausitz")

    def clocks():
        with app.app_context(), all_regions():
            return dict(db.session.execute(select(DirectoryEntry.profile_id, DirectoryEntry.changed_at)).all())

    before = clocks()
    with app.app_context():
        rebuild_all(db.session)
        db.session.commit()

    assert clocks() == before


# -- personal data ---------------------------------------------------------------------------------------------


def test_saved_searches_are_in_the_export_and_go_with_the_account(app, make, seeker):
    save(app, seeker, name="Fotos", **FOTO)
    later(app)
    photographer(make, name="Neu")
    run_notices(app)
    client = browser(app, seeker)

    export = client.get("/api/v1/me/export").get_json()
    section = next(s for s in export["sections"] if s["table"] == "saved_search")
    assert [(r["name"], r["query"]) for r in section["rows"]] == [("Fotos", FOTO)]

    client.post("/account/delete", data={"password": PASSWORD, "confirmation": seeker.email})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0
        assert db.session.scalar(select(func.count()).select_from(SavedSearchHit)) == 0


def test_the_demo_keeps_one_saved_search_for_alte_brauerei(app):
    from hub.accounts.services import user_by_email
    from hub.core.demo import DOMAIN
    from shared.saved_searches.demo import load_demo

    with app.app_context():
        from hub.core.demo import load_demo as load_network

        load_network()
        db.session.commit()
        user = user_by_email(f"alte-brauerei@{DOMAIN}")
        [search] = db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)).all()
        assert search.name == "Fotografie · Kreative" and search.notify
        assert load_demo() == 0
