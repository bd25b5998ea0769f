"""The shared directory: German-friendly search over all regions, only what the viewer may see."""

from __future__ import annotations

import re

import pytest

from hub.core.db import db
from shared.directory.search import DirectoryQuery, Viewer, search
from shared.directory.text import fold, terms
from tests.statements import counted


def _viewer(app, made_user):
    from hub.accounts.sessions import load_account

    return Viewer.of(load_account(made_user.id))


def _names(app, viewer_user, **query):
    with app.test_request_context():
        result = search(_viewer(app, viewer_user), DirectoryQuery(**query))
        return [p.display_name for p in result.profiles], result


# -- folding --------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["Möbelbau", "mobelbau", "moebelbau", "MÖBELBAU", "MOEBELBAU"])
def test_every_spelling_of_an_umlaut_folds_alike(spelling):
    assert fold(spelling) == fold("Möbelbau")


def test_sharp_s_folds_to_ss():
    assert fold("Straße") == fold("strasse") == fold("STRASSE")


def _fold_word_by_word(text: str) -> str:
    """Folding as it is specified: marks dropped character by character, then each word's ae/oe/ue in turn."""
    import unicodedata

    text = text.casefold().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"ae|oe|ue", lambda m: m.group(0)[0], w) for w in re.findall(r"[^\W_]+", text))


def test_folding_is_the_word_by_word_rule_on_any_text():
    import random

    rnd = random.Random(20261207)
    alphabet = "aeouAEOUäöüÄÖÜßẞ éèçñåøæœǅǈﬁﬀ½²Ｆｕ-_.,!?0123 \u0301\u0308\u0323ΑὈδЁйउदשָׁ"
    texts = ["Möbelbau MOEBELBAU Straße", "Queue aee oaee uoee ueae Neue Blue", "Ὀδυσσεύς Ёлка उदाहरण שָׁלוֹם"]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))) for _ in range(3000)]
    assert [fold(t) for t in texts] == [_fold_word_by_word(t) for t in texts]


def test_search_syntax_never_reaches_the_engine():
    assert terms('"foo" NEAR(bar) * -baz (qux OR') == ["foo", "near", "bar", "baz", "qux", "or"]


# -- search ---------------------------------------------------------------------------------------


@pytest.fixture
def network(make):
    """A viewer in Lausitz and profiles in several regions with different visibility."""
    viewer = make.participant("lausitz")
    people = {
        "network_erz": make.profile(
            "erzgebirge",
            name="Tischlerei Möbelbau Schneeberg",
            visibility="network",
            town="Schneeberg",
            offer_tags=["Möbelbau", "Holz"],
            kind="organisation",
            sector="Handwerk",
        ),
        "region_erz": make.profile(
            "erzgebirge", name="Holzdesign Regional", visibility="region", offer_tags=["Möbelbau"]
        ),
        "private_erz": make.profile("erzgebirge", name="Möbelbau Privat", visibility="private"),
        "no_consent": make.profile("meissen", name="Möbelbau ohne Einwilligung", visibility="network", consent=False),
        "archived": make.profile("meissen", name="Möbelbau Archiviert", visibility="network"),
        "street": make.profile(
            "dresden",
            name="Atelier an der Königsbrücker Straße",
            visibility="network",
            submarkets=["design"],
            offer_tags=["Grafik"],
        ),
        "own_region": make.profile("lausitz", name="Lausitzer Möbelbau", visibility="region", town="Bautzen"),
    }
    from hub.core.tenancy import all_regions
    from regions.profiles.models import Profile
    from regions.profiles.services import archive

    with make.app.app_context(), all_regions():
        archive(db.session.get(Profile, people["archived"].id))
        db.session.commit()
    return viewer, people


@pytest.mark.parametrize("q", ["Möbelbau", "mobelbau", "moebelbau", "MÖBELBAU", "möbel"])
def test_umlaut_spellings_find_the_same_profiles(app, network, q):
    viewer, _ = network
    names, _ = _names(app, viewer, q=q)
    assert sorted(names) == ["Lausitzer Möbelbau", "Tischlerei Möbelbau Schneeberg"]


def test_strasse_finds_strasse_with_sharp_s(app, network):
    viewer, _ = network
    assert _names(app, viewer, q="strasse")[0] == ["Atelier an der Königsbrücker Straße"]
    assert _names(app, viewer, q="königsbrücker straße")[0] == ["Atelier an der Königsbrücker Straße"]


def test_private_region_only_unconsented_and_archived_profiles_stay_hidden_from_other_regions(app, network):
    viewer, _ = network
    names, result = _names(app, viewer)
    assert "Holzdesign Regional" not in names
    assert "Möbelbau Privat" not in names
    assert "Möbelbau ohne Einwilligung" not in names
    assert "Möbelbau Archiviert" not in names
    assert sorted(names) == [
        "Atelier an der Königsbrücker Straße",
        "Lausitzer Möbelbau",
        "Tischlerei Möbelbau Schneeberg",
    ]
    assert result.total == 3


def test_region_only_profiles_are_seen_by_their_own_region(app, make, network):
    member = make.participant("erzgebirge")
    names, _ = _names(app, member, q="möbelbau")
    assert "Holzdesign Regional" in names and "Möbelbau Privat" not in names


def test_the_coordination_also_sees_its_regions_private_profiles(app, make, network):
    coordinator = make.coordinator("erzgebirge")
    names, _ = _names(app, coordinator, q="möbelbau")
    assert "Möbelbau Privat" in names and "Möbelbau Archiviert" not in names
    assert "Möbelbau ohne Einwilligung" not in names  # Meißen's, not consented


def test_umbrella_sees_every_active_profile(app, make, network):
    names, result = _names(app, make.umbrella(), q="möbelbau")
    assert result.total == 5 and "Möbelbau Archiviert" not in names


def test_withdrawing_consent_takes_the_profile_out_at_once(app, make, network):
    viewer, people = network
    from hub.core.tenancy import region_scope
    from regions.profiles.models import Profile
    from regions.profiles.services import withdraw_consent

    with app.app_context(), region_scope(make.regions["erzgebirge"].id):
        withdraw_consent(db.session.get(Profile, people["network_erz"].id), None)
        db.session.commit()
    assert "Tischlerei Möbelbau Schneeberg" not in _names(app, viewer, q="möbelbau")[0]


def test_editing_a_profile_updates_the_index(app, make, network):
    viewer, people = network
    from hub.core.tenancy import region_scope
    from regions.profiles.models import Profile

    with app.app_context(), region_scope(make.regions["dresden"].id):
        db.session.get(Profile, people["street"].id).pitch = "Wir bauen Kletterwände"
        db.session.commit()
    assert _names(app, viewer, q="kletterwande")[0] == ["Atelier an der Königsbrücker Straße"]


def test_deleting_a_profile_removes_it_from_the_index(app, make, network):
    viewer, people = network
    from hub.core.tenancy import region_scope
    from regions.profiles.models import Profile

    with app.app_context(), region_scope(make.regions["dresden"].id):
        db.session.delete(db.session.get(Profile, people["street"].id))
        db.session.commit()
    assert _names(app, viewer, q="strasse")[0] == []


def test_filters_and_their_counts(app, network):
    viewer, _ = network
    names, result = _names(app, viewer, q="möbelbau", region="erzgebirge")
    assert names == ["Tischlerei Möbelbau Schneeberg"]
    regions = {f.value: f.count for f in result.facets["region"]}
    assert regions == {"erzgebirge": 1}
    _, everything = _names(app, viewer)
    assert {f.value: f.count for f in everything.facets["region"]} == {"erzgebirge": 1, "lausitz": 1, "dresden": 1}
    assert {f.value: f.count for f in everything.facets["kind"]} == {"organisation": 1, "creative": 2}
    assert {f.label: f.count for f in everything.facets["tag"]}["Möbelbau"] == 1
    names, _ = _names(app, viewer, tag="möbelbau")
    assert names == ["Tischlerei Möbelbau Schneeberg"]
    names, _ = _names(app, viewer, submarket="design")
    assert names == ["Atelier an der Königsbrücker Straße"]
    names, _ = _names(app, viewer, town="Bautzen")
    assert names == ["Lausitzer Möbelbau"]
    names, _ = _names(app, viewer, kind="organisation", sector="Handwerk")
    assert names == ["Tischlerei Möbelbau Schneeberg"]


def test_best_match_comes_first(app, make):
    viewer = make.participant("lausitz")
    make.profile("dresden", name="Grafik Studio", visibility="network", pitch="Grafik, Grafik und noch mehr Grafik")
    make.profile("dresden", name="Tischlerei", visibility="network", description="Auch ein wenig Grafik.")
    assert _names(app, viewer, q="grafik")[0][0] == "Grafik Studio"


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"unbalanced',
        "NEAR(",
        "*",
        "-",
        "(((",
        "a OR",
        "AND",
        "NOT x",
        "^",
        ":",
        "x:y",
        "'; DROP TABLE profile; --",
        "\\",
        "%",
        "_",
        "🙂",
        "  ",
    ],
)
def test_full_text_syntax_in_the_query_is_harmless(client, auth, make, network, q):
    viewer, _ = network
    auth.login(viewer)
    response = client.get("/directory/", query_string={"q": q})
    assert response.status_code == 200


def test_pagination(app, make):
    viewer = make.participant("lausitz")
    for i in range(25):
        make.profile("meissen", name=f"Studio {i:02d}", visibility="network")
    names, result = _names(app, viewer, per_page=20)
    assert len(names) == 20 and result.total == 25 and result.pages == 2
    names2, _ = _names(app, viewer, per_page=20, page=2)
    assert len(names2) == 5 and not set(names) & set(names2)


# -- pages ----------------------------------------------------------------------------------------


def test_directory_needs_login(client):
    response = client.get("/directory/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_directory_page_shows_results_and_facets(client, auth, network):
    viewer, _ = network
    auth.login(viewer)
    page = client.get("/directory/", query_string={"q": "moebelbau"}).get_data(as_text=True)
    assert "Tischlerei Möbelbau Schneeberg" in page and "Lausitzer Möbelbau" in page
    assert "Holzdesign Regional" not in page
    assert "2 Profile gefunden" in page


def _chips(page: str) -> dict[str, str]:
    """The active filters above the results: chip text -> where its link goes (the search without it)."""
    from html import unescape

    chips = re.search(r'<ul class="chips"[^>]*>(.*?)</ul>', page, re.S)
    if not chips:
        return {}
    found = re.findall(r'<a class="chip" href="([^"]*)">(.*?)<span aria-hidden', chips.group(1), re.S)
    return {" ".join(unescape(text).split()): unescape(href) for href, text in found}


def test_active_filters_are_chips_that_each_take_their_own_filter_away(client, auth, network):
    viewer, _ = network
    auth.login(viewer)
    page = client.get("/directory/", query_string={"q": "holz", "region": "erzgebirge", "kind": "organisation"})
    chips = _chips(page.get_data(as_text=True))
    assert chips == {
        "Region: Erzgebirge": "/directory/?kind=organisation&q=holz",
        "Art: Organisation": "/directory/?region=erzgebirge&q=holz",
    }
    assert 'href="/directory/?q=holz">Alle Filter entfernen</a>' in page.get_data(as_text=True)


def test_without_filters_there_are_no_chips(client, auth, network):
    viewer, _ = network
    auth.login(viewer)
    assert _chips(client.get("/directory/").get_data(as_text=True)) == {}


def test_the_filters_wait_in_a_closed_panel_so_that_the_results_come_first(client, auth, network):
    viewer, _ = network
    auth.login(viewer)
    page = client.get("/directory/", query_string={"region": "erzgebirge"}).get_data(as_text=True)
    panel = re.search(r'<details (class="panel filters"[^>]*)>\s*<summary>(.*?)</summary>(.*?)</details>', page, re.S)
    assert panel, "the facets are behind a disclosure"
    attributes, summary, facets = panel.groups()
    assert " open" not in attributes
    assert "Filtern" in summary and "1 aktiv" in summary, "the closed panel says that a filter is on"
    assert 'aria-current="true"' in facets and "Organisation" in facets, "the chosen region and the other facets"
    assert panel.end() < page.index("Tischlerei Möbelbau Schneeberg"), "one line, then the results"


def test_a_result_card_shows_initials_without_a_picture_and_offers_one_action(client, auth, network, make):
    viewer, people = network
    make.profile("dresden", name="Studio mit Bild", visibility="network", picture=True)
    auth.login(viewer)
    page = client.get("/directory/").get_data(as_text=True)
    start = page.find('<li class="card media-card profile-card region-erzgebirge">')
    assert start > 0, "the Erzgebirge profile is a card in its region's colour"
    card = page[start : page.find('<li class="card media-card', start + 1)]
    assert '<span class="avatar avatar-placeholder" aria-hidden="true">TM</span>' in card
    assert '<span class="badge region region-erzgebirge">Erzgebirge</span>' in card
    actions = re.findall(r'<a class="button[^"]*" href="([^"]+)"', card)
    assert actions == [f"/directory/profiles/{people['network_erz'].id}#contact"]
    picture = r'<img class="avatar" src="/directory/profiles/\d+/picture" alt=""'
    assert re.search(picture, page), "a picture when there is one"


def test_ones_own_card_leads_to_editing_the_profile(client, auth, make):
    owner = make.participant("lausitz")
    make.profile("lausitz", user=owner, name="Mein Studio", visibility="network")
    auth.login(owner)
    page = client.get("/directory/").get_data(as_text=True)
    assert re.search(r'<a class="button secondary" href="/lausitz/profile">Ihr Profil bearbeiten</a>', page)


def test_the_profile_page_makes_asking_for_contact_its_primary_action(client, auth, network):
    viewer, people = network
    auth.login(viewer)
    page = client.get(f"/directory/profiles/{people['network_erz'].id}").get_data(as_text=True)
    head = re.search(r'<header class="profile-head card">(.*?)</header>', page, re.S).group(1)
    assert '<a class="button" href="#contact">Um Kontakt bitten</a>' in head
    assert '<section id="contact"' in page and 'action="/directory/profiles/' in page


def test_the_profile_page_offers_an_email_once_the_details_are_shown(client, auth, make):
    viewer = make.participant("lausitz")
    shown = make.profile(
        "dresden",
        name="Offenes Studio",
        visibility="network",
        contact_visibility="members",
        contact_email="studio@kontakt.example",
    )
    auth.login(viewer)
    page = client.get(f"/directory/profiles/{shown.id}").get_data(as_text=True)
    head = re.search(r'<header class="profile-head card">(.*?)</header>', page, re.S).group(1)
    assert '<a class="button" href="mailto:studio@kontakt.example">E-Mail schreiben</a>' in head
    assert "Um Kontakt bitten" not in page


def _profile_page(client, profile_id: int) -> tuple[str, str]:
    """The profile page and its head (where its primary actions are)."""
    page = client.get(f"/directory/profiles/{profile_id}").get_data(as_text=True)
    return page, re.search(r'<header class="profile-head card">(.*?)</header>', page, re.S).group(1)


def test_in_accepted_contact_the_profile_page_offers_to_write_a_message(client, auth, make):
    me = make.person("lausitz", name="Studio Lausitz", visibility="network")
    erika = make.person("erzgebirge", name="Erika Holzbau", visibility="network")
    contact = make.accepted_contact(me, erika)
    auth.login(me.owner)

    page, head = _profile_page(client, erika.id)

    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>.*?</form>', head, re.S)
    assert form and form.group(1) == f"/contacts/{contact.id}/conversation" and "Nachricht schreiben" in form.group(0)
    assert "Um Kontakt bitten" not in page.split('<article class="profile-page')[1]
    assert client.post(form.group(1)).headers["Location"].startswith("/conversations/")


def test_without_an_accepted_contact_there_is_nothing_to_write_in(client, auth, make):
    me = make.person("lausitz", visibility="network")
    erika = make.person("erzgebirge", name="Erika Holzbau", visibility="network")
    auth.login(me.owner)
    page, _head = _profile_page(client, erika.id)
    profile = page.split('<article class="profile-page')[1]
    assert "Nachricht schreiben" not in profile and "/conversation" not in profile
    assert "Um Kontakt bitten" in profile


def test_a_request_sent_is_not_offered_again_the_page_says_it_is_sent(client, auth, make):
    me = make.person("lausitz", visibility="network")
    erika = make.person("erzgebirge", name="Erika Holzbau", visibility="network")
    make.contact_request(me, erika)
    auth.login(me.owner)

    page, head = _profile_page(client, erika.id)

    assert "Anfrage gesendet" in head and "Anfrage gesendet" in page.split('<section id="contact"')[1]
    assert f'action="/directory/profiles/{erika.id}/contact"' not in page  # no second request form
    profile = page.split('<article class="profile-page')[1]
    assert "Um Kontakt bitten" not in profile and "Nachricht schreiben" not in profile


def test_a_request_received_is_answered_on_the_contacts_page_not_asked_back(client, auth, make):
    me = make.person("lausitz", visibility="network")
    erika = make.person("erzgebirge", name="Erika Holzbau", visibility="network")
    make.contact_request(erika, me)
    auth.login(me.owner)

    page, _head = _profile_page(client, erika.id)

    contact = page.split('<section id="contact"')[1]
    assert "Erika Holzbau hat Sie um Kontakt gebeten." in contact and 'href="/contacts/"' in contact
    assert f'action="/directory/profiles/{erika.id}/contact"' not in page


def test_invalid_filters_answer_a_clear_message(client, auth, network):
    viewer, _ = network
    auth.login(viewer)
    response = client.get("/directory/", query_string={"kind": "dragon", "page": "x"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Keine gültige ganze Zahl." in page


def test_directory_page_query_count_does_not_grow_with_the_page_size(app, client, auth, make):

    viewer = make.participant("lausitz")
    for i in range(30):
        make.profile(
            "dresden",
            name=f"Studio {i:02d}",
            visibility="network",
            offer_tags=["Grafik", f"Tag{i}"],
            picture=(i % 2 == 0),
        )
    auth.login(viewer)
    counts = {}
    for per_page in (5, 30):
        with counted(app) as statements:
            assert client.get("/directory/", query_string={"per_page": per_page, "q": "studio"}).status_code == 200
        counts[per_page] = len(statements)
    assert counts[5] == counts[30]
    assert counts[30] <= 8


def test_bulk_profile_updates_are_refused_so_the_index_cannot_fall_behind(app, make):
    from sqlalchemy import update

    from hub.core.tenancy import region_scope
    from regions.profiles.models import Profile
    from shared.directory.index import IndexBypassError

    make.profile("dresden", name="Studio", visibility="network")
    with app.app_context(), region_scope(make.regions["dresden"].id):
        with pytest.raises(IndexBypassError):
            db.session.execute(update(Profile).values(pitch="bulk"))
        db.session.rollback()


def test_reindex_command_rebuilds_the_index(app, make, runner):
    viewer = make.participant("lausitz")
    make.profile("dresden", name="Studio Neu", visibility="network")
    from hub.core.tenancy import all_regions
    from shared.directory.models import DirectoryEntry

    with app.app_context(), all_regions():
        db.session.execute(DirectoryEntry.__table__.delete())
        db.session.commit()
    assert _names(app, viewer)[0] == []
    result = runner.invoke(args=["directory", "reindex"])
    assert "rebuilt for 1 profiles" in result.output
    assert _names(app, viewer)[0] == ["Studio Neu"]
