"""The directory's facet counts: kept counters for a search without words, bounded reading for the rest.

Every count is checked against a brute-force count over the profiles themselves, with the visibility rule written
out again here, for random networks (seeded) and after random changes; the kept counters equal a full recount.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import select

from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.profiles.vocab import Visibility
from shared.directory import search as directory_search
from shared.directory.search import DirectoryQuery, Viewer, search
from shared.directory.text import facet_key
from tests.statements import counted

REGIONS = ("erzgebirge", "meissen", "lausitz", "dresden")
TOWNS = ("Aue", "Bautzen", "Pirna", "")
SECTORS = ("Handwerk", "IT", "")
TAGS = ("Holz", "Möbelbau", "Grafik", "Licht", "Glas", "Geheim")
SUBMARKETS = ("design", "music", "film")


def _account(app, user_id):
    from hub.accounts.sessions import load_account

    with app.app_context():
        return Viewer.of(load_account(user_id))


def _random_network(make, rng: random.Random, lausitz, owner) -> list[int]:
    """Profiles of every kind of visibility, consent and archive state; some owned by the viewers."""
    ids = [
        make.profile("erzgebirge", user=owner, name="Eigenes Privat", visibility="private", offer_tags=["Eigen"]).id,
        make.profile("dresden", user=owner, name="Eigenes", visibility="network", consent=False, town="Pirna").id,
        make.profile("meissen", user=lausitz, name="Regional", visibility="region", offer_tags=["Holz"]).id,
    ]
    for i in range(36):
        kind = rng.choice(("creative", "organisation"))
        fields = {
            "town": rng.choice(TOWNS),
            "offer_tags": rng.sample(TAGS, rng.randint(0, 3)),
            "need_tags": rng.sample(TAGS, rng.randint(0, 2)),
        }
        if kind == "organisation":
            fields["sector"] = rng.choice(SECTORS)
        else:
            fields["submarkets"] = rng.sample(SUBMARKETS, rng.randint(0, 2))
        made = make.profile(
            rng.choice(REGIONS),
            kind=kind,
            name=f"Studio {i:02d}",
            visibility=rng.choice(("network", "network", "region", "private")),
            consent=rng.random() < 0.85,
            **fields,
        )
        ids.append(made.id)
    return ids


def _sees(viewer: Viewer, profile) -> bool:
    """The visibility rule, written out again over the profiles (not the index)."""
    if profile.archived_at is not None or viewer.user_id is None:
        return False
    if viewer.sees_all or profile.user_id == viewer.user_id:
        return True
    listed = profile.has_consent
    if listed and profile.visibility == Visibility.NETWORK:
        return True
    if listed and profile.visibility == Visibility.REGION and profile.region_id in viewer.member_regions:
        return True
    return profile.region_id in viewer.coordinated_regions


def _brute_force(app, viewer: Viewer, query: DirectoryQuery) -> tuple[int, dict[str, Counter]]:
    from hub.core.tenancy.models import Region
    from regions.profiles.models import Profile

    facets = {name: Counter() for name in ("region", "kind", "town", "sector", "submarket", "tag")}
    total = 0
    with app.app_context(), all_regions():
        slugs = {r.id: r.slug for r in db.session.scalars(select(Region))}
        for p in db.session.scalars(select(Profile)):
            tags = {facet_key(t) for t in p.tags} - {""}
            if not _sees(viewer, p):
                continue
            if query.region and slugs[p.region_id] != query.region or query.kind and p.kind.value != query.kind:
                continue
            if query.tag and facet_key(query.tag) not in tags or query.town and p.town.strip() != query.town:
                continue
            if query.submarket and query.submarket not in p.submarkets:
                continue
            total += 1
            facets["region"][slugs[p.region_id]] += 1
            facets["kind"][p.kind.value] += 1
            facets["town"].update([p.town.strip()] if p.town.strip() else [])
            facets["sector"].update([p.sector.strip()] if p.sector.strip() else [])
            facets["submarket"].update(p.submarkets)
            facets["tag"].update(tags)
    return total, facets


def _found(app, viewer: Viewer, query: DirectoryQuery):
    with app.test_request_context():
        result = search(viewer, query)
        return result, {name: Counter({f.value: f.count for f in values}) for name, values in result.facets.items()}


QUERIES = (
    DirectoryQuery(),
    DirectoryQuery(region="erzgebirge"),
    DirectoryQuery(kind="organisation"),
    DirectoryQuery(region="lausitz", kind="creative"),
    DirectoryQuery(region="nowhere"),
    DirectoryQuery(tag="holz"),
    DirectoryQuery(town="Aue", kind="creative"),
)


def _check_every_count(app, viewers, ids):
    for viewer in viewers:
        for query in QUERIES:
            total, expected = _brute_force(app, viewer, query)
            result, found = _found(app, viewer, query)
            assert (result.total, result.total_exact, result.counts_exact) == (total, True, True), (viewer, query)
            assert found == expected, (viewer, query)
            assert len(result.profiles) == min(total, query.per_page)


def _change_some(app, rng: random.Random, ids: list[int]) -> None:
    from regions.profiles import services
    from regions.profiles.models import Profile

    with app.app_context(), app.test_request_context(), all_regions():
        for profile_id in rng.sample(ids, 12):
            profile = db.session.get(Profile, profile_id)
            if profile is None:
                continue
            change = rng.choice(("visibility", "consent", "archive", "unarchive", "delete", "tags", "town"))
            if change == "visibility":
                profile.visibility = Visibility(rng.choice(("network", "region", "private")))
            elif change == "consent":
                (services.withdraw_consent if profile.has_consent else services.give_consent)(profile, None)
            elif change == "archive":
                services.archive(profile)
            elif change == "unarchive":
                services.unarchive(profile)
            elif change == "delete":
                db.session.delete(profile)
            elif change == "tags":
                profile.offer_tags = rng.sample(TAGS, rng.randint(0, 3))
            else:
                profile.town = rng.choice(TOWNS)
            db.session.flush()
        db.session.commit()


def _kept_counters(app) -> set[tuple]:
    from shared.directory.models import DirectoryCount

    with app.app_context(), all_regions():
        table = DirectoryCount.__table__
        return {tuple(row) for row in db.session.execute(select(table))}


@pytest.mark.parametrize("seed", [20261207, 7])
def test_every_count_equals_a_brute_force_count_for_random_networks_and_changes(app, make, seed):
    rng = random.Random(seed)
    lausitz = make.participant("lausitz")
    owner = make.participant("erzgebirge")
    coordinator = make.coordinator("meissen")
    umbrella = make.umbrella()
    ids = _random_network(make, rng, lausitz, owner)
    viewers = [_account(app, made.id) for made in (lausitz, owner, coordinator, umbrella)]

    _check_every_count(app, viewers, ids)
    _change_some(app, rng, ids)
    _check_every_count(app, viewers, ids)

    kept = _kept_counters(app)
    from shared.directory.index import rebuild_all

    with app.app_context():
        rebuild_all(db.session)
        db.session.commit()
    assert _kept_counters(app) == kept, "the counters kept on every change equal a full recount"
    assert all(row[-1] > 0 for row in kept), "no counter stays behind at 0"


def test_a_tag_only_in_profiles_the_viewer_cannot_see_is_never_counted(app, make):
    viewer = make.participant("lausitz")
    make.profile("erzgebirge", name="Privat", visibility="private", offer_tags=["Geheimtipp"])
    make.profile("erzgebirge", name="Regional", visibility="region", offer_tags=["Geheimtipp"])
    make.profile("meissen", name="Ohne Einwilligung", visibility="network", consent=False, offer_tags=["Geheimtipp"])
    make.profile("dresden", name="Offen", visibility="network", offer_tags=["Holz"])
    result, found = _found(app, _account(app, viewer.id), DirectoryQuery())
    assert found["tag"] == Counter({"holz": 1}) and result.total == 1
    coordinator = make.coordinator("erzgebirge")
    _result, found = _found(app, _account(app, coordinator.id), DirectoryQuery())
    assert found["tag"] == Counter({"geheimtipp": 2, "holz": 1})


def test_ones_own_private_profile_is_counted_for_oneself_only(app, make):
    owner = make.participant("lausitz")
    make.profile("dresden", user=owner, name="Mein Privates", visibility="private", offer_tags=["Eigenes"])
    result, found = _found(app, _account(app, owner.id), DirectoryQuery(region="dresden"))
    assert result.total == 1 and found["tag"] == Counter({"eigenes": 1}) and found["region"] == Counter(dresden=1)
    other = make.participant("lausitz")
    result, _found_counts = _found(app, _account(app, other.id), DirectoryQuery(region="dresden"))
    assert result.total == 0


def test_filters_no_counter_knows_find_nothing_rather_than_fail(app, make, client, auth):
    """An unknown region or a sector nobody has: the counters hold no row for it, and the search says 0 (found by
    schemathesis as a 500)."""
    viewer = make.participant("lausitz")
    make.profile("dresden", name="Offen", visibility="network", kind="creative", offer_tags=["Holz"])
    auth.login(viewer)
    for query in (
        {"q": "", "region": "0" * 40, "kind": "creative", "submarket": "music", "sector": "0" * 120},
        {"region": "nirgendwo", "kind": "creative", "sector": "Unbekannt"},
        {"kind": "organisation", "submarket": "music", "sector": "Unbekannt"},
    ):
        body = client.get("/api/v1/directory", query_string=query).get_json()
        assert (body["total"], body["results"]) == (0, []), query
        assert client.get("/directory/", query_string=query).status_code == 200


def test_a_frequent_word_reads_the_first_hits_and_says_so_on_the_page_and_in_the_api(
    app, make, client, auth, monkeypatch
):
    viewer = make.participant("lausitz")
    for i in range(6):
        make.profile("dresden", name=f"Grafik Studio {i}", visibility="network", offer_tags=["Grafik"])
    make.profile("dresden", name="Grafik Privat", visibility="private", offer_tags=["Grafik"])
    monkeypatch.setattr(directory_search, "BOUND", 4)
    result, found = _found(app, _account(app, viewer.id), DirectoryQuery(q="grafik"))
    assert (result.total, result.total_exact, result.counts_exact) == (4, False, False)
    assert found["tag"] == Counter(grafik=4) and found["region"] == Counter(dresden=4)
    assert len(result.profiles) == 4 and "Grafik Privat" not in [p.display_name for p in result.profiles]
    auth.login(viewer)
    page = client.get("/directory/", query_string={"q": "grafik"}).get_data(as_text=True)
    assert "Mindestens 4 Profile gefunden." in page and "Die Zahlen zählen die ersten 4 Treffer." in page
    body = client.get("/api/v1/directory", query_string={"q": "grafik"}).get_json()
    assert (body["total"], body["total_exact"], body["counts_exact"]) == (4, False, False)
    # Below the bound everything is exact, with or without words.
    monkeypatch.setattr(directory_search, "BOUND", 50)
    body = client.get("/api/v1/directory", query_string={"q": "grafik"}).get_json()
    assert (body["total"], body["total_exact"], body["counts_exact"]) == (6, True, True)
    assert client.get("/api/v1/directory").get_json()["counts_exact"] is True


def test_the_first_page_costs_the_same_statements_at_any_size(app, client, auth, make):
    viewer = make.participant("lausitz")
    auth.login(viewer)
    counts = []
    for batch in (3, 30):
        for i in range(batch):
            make.profile("dresden", name=f"Studio {batch}-{i}", visibility="network", offer_tags=["Grafik", f"T{i}"])
        with counted(app) as statements:
            assert client.get("/directory/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("walk_share", [0.0, 2.0])
def test_a_filter_walked_in_name_order_or_looked_up_finds_and_counts_the_same(app, make, monkeypatch, walk_share):
    rng = random.Random(11)
    lausitz = make.participant("lausitz")
    owner = make.participant("erzgebirge")
    _random_network(make, rng, lausitz, owner)
    monkeypatch.setattr(directory_search, "WALK_SHARE", walk_share)
    monkeypatch.setattr(directory_search, "READ_ALL", 0)  # read the first by name, not every hit
    viewer = _account(app, lausitz.id)
    queries = (
        DirectoryQuery(tag="holz"),
        DirectoryQuery(town="Aue", kind="creative"),
        DirectoryQuery(tag="glas"),
        DirectoryQuery(submarket=SUBMARKETS[0]),  # PostgreSQL walks it by the entries' own facets
        DirectoryQuery(submarket=SUBMARKETS[1], region="dresden", kind="creative"),
    )
    for query in queries:
        total, expected = _brute_force(app, viewer, query)
        result, found = _found(app, viewer, query)
        assert (result.total, found) == (total, expected)
        assert [p.display_name for p in result.profiles] == sorted(p.display_name for p in result.profiles)


def test_the_pager_stops_at_the_last_page_of_the_bound_and_says_why(app, make, client, auth, monkeypatch):
    viewer = make.participant("lausitz")
    for i in range(7):
        make.profile("dresden", name=f"Grafik Studio {i}", visibility="network", offer_tags=["Grafik"])
    monkeypatch.setattr(directory_search, "BOUND", 4)
    auth.login(viewer)
    why = "Nur die ersten 4 Treffer können gezeigt werden."
    first = client.get("/directory/", query_string={"q": "grafik", "per_page": 2}).get_data(as_text=True)
    assert 'rel="next"' in first and why not in first
    last = client.get("/directory/", query_string={"q": "grafik", "per_page": 2, "page": 2}).get_data(as_text=True)
    assert "Seite 2 von 2" in last and 'rel="next"' not in last and why in last
    assert last.count("profile-card") >= 2
    beyond = client.get("/directory/", query_string={"q": "grafik", "per_page": 2, "page": 3}).get_data(as_text=True)
    assert why in beyond and "Nichts gefunden" not in beyond and "Seite 3 von 2" not in beyond
    assert "Zurück zu Seite 2" in beyond and "page=2" in beyond and "per_page=2" in beyond
    body = client.get("/api/v1/directory", query_string={"q": "grafik", "per_page": 2, "page": 3}).get_json()
    assert (body["results"], body["total_exact"], body["pages"]) == ([], False, 2)
    # Below the bound the pager has no such note.
    monkeypatch.setattr(directory_search, "BOUND", 50)
    exact = client.get("/directory/", query_string={"q": "grafik", "per_page": 2, "page": 4}).get_data(as_text=True)
    assert "Seite 4 von 4" in exact and "können gezeigt werden" not in exact


def test_above_the_bound_the_hits_are_the_first_by_id_ranked_among_themselves(app, make, monkeypatch):
    viewer = make.participant("lausitz")
    made = []
    for i in range(8):  # the later a profile, the better it matches: a rank-first bound would take the last ones
        words = " ".join(["Grafik"] * (i + 1))
        made.append(make.profile("dresden", name=f"Studio {i}", visibility="network", description=words).id)
    monkeypatch.setattr(directory_search, "BOUND", 4)
    first = sorted(made)[:4]
    for page in (1, 2):
        result, _found_counts = _found(app, _account(app, viewer.id), DirectoryQuery(q="grafik", per_page=2, page=page))
        assert result.total_exact is False and result.total == 4
        assert {p.id for p in result.profiles} <= set(first)
    with app.test_request_context():
        ranked = search(_account(app, viewer.id), DirectoryQuery(q="grafik", per_page=4)).profiles
        assert [p.id for p in ranked] == sorted(first, reverse=True)  # best first: the most "Grafik" of the four


def test_a_filter_few_entries_pass_is_read_whole_and_counted_exactly(app, make, monkeypatch):
    viewer = make.participant("lausitz")
    for i in range(6):
        make.profile("dresden", name=f"Studio {i}", visibility="network", town="Pirna", offer_tags=["Holz"])
    make.profile("dresden", name="Studio Privat", visibility="private", town="Pirna")
    make.profile("dresden", name="Anderswo", visibility="network", town="Freital")
    monkeypatch.setattr(directory_search, "BOUND", 4)
    query = DirectoryQuery(town="Pirna", per_page=4)
    # 7 entries pass the filter (the counters count the private one too): at most 2 × 4, so all are read.
    result, found = _found(app, _account(app, viewer.id), query)
    assert (result.total, result.total_exact, result.counts_exact, result.pages) == (6, True, True, 2)
    assert found["tag"] == Counter(holz=6) and found["town"] == Counter(Pirna=6)
    assert [p.display_name for p in result.profiles] == [f"Studio {i}" for i in range(4)]
    # More than READ_ALL × BOUND: the first 4 by name, and the page says "at least".
    monkeypatch.setattr(directory_search, "READ_ALL", 1)
    result, found = _found(app, _account(app, viewer.id), query)
    assert (result.total, result.total_exact, result.counts_exact) == (4, False, False)
    assert found["tag"] == Counter(holz=4)


def test_the_region_and_kind_narrow_what_is_read_whole(app, make, monkeypatch):
    viewer = make.participant("lausitz")
    for region in ("dresden", "meissen", "erzgebirge"):
        for i in range(3):
            make.profile(region, name=f"Werk {region} {i}", kind="organisation", visibility="network", sector="IT")
    monkeypatch.setattr(directory_search, "BOUND", 2)
    # 9 entries of the sector, 3 of them in Dresden: at most 2 × 2 there, so read whole and exact.
    result, found = _found(app, _account(app, viewer.id), DirectoryQuery(sector="IT", region="dresden"))
    assert (result.total, result.total_exact) == (3, True) and found["sector"] == Counter(IT=3)
    result, _found_counts = _found(app, _account(app, viewer.id), DirectoryQuery(sector="IT", kind="creative"))
    assert (result.total, result.total_exact) == (0, True)
    result, _found_counts = _found(app, _account(app, viewer.id), DirectoryQuery(sector="IT"))
    assert (result.total, result.total_exact) == (2, False)
