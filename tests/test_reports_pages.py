"""The report pages and the KPI API: who may see what, bad filters, and the cost of a dashboard.

The numbers themselves are checked against independent counts in tests/test_dashboard_numbers.py;
here the pages' behaviour: the umbrella reads all regions, a coordinator their own, a participant
nothing; a bad filter is a clear message beside its field and never a 500; a dashboard costs the same
number of SQL statements for a small and a larger network.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.pages import field_error, form_error, page, shown, shown_field_message
from tests.statements import counted

REGION, OTHER = "erzgebirge", "lausitz"


@pytest.fixture
def cohort(make):
    return make.cohort(name="CIMIS II 2026/27", starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 31))


def kpi(html: str, key: str) -> str:
    """The value of a key figure at the top of a dashboard, as shown."""
    found = re.search(rf'<div class="kpi" id="kpi-{key}"><dt>.*?</dt><dd>(.*?)</dd></div>', html, re.S)
    assert found, f"no key figure {key}"
    return found.group(1).strip()


def test_the_umbrella_sees_every_region_on_one_dashboard(client, auth, make, cohort):
    make.match(REGION, cohort)
    make.match(OTHER, cohort)
    auth.login(make.umbrella())
    html = page(client.get(f"/umbrella/dashboard?cohort={cohort.id}"))
    assert kpi(html, "active_matches") == "2"
    for name in ("Erzgebirge", "Meißen", "Lausitz", "Dresden"):
        assert f'<th scope="row">{name}</th>' in html
    assert "<svg" in html and 'role="img"' in html


def test_one_region_can_be_chosen_on_the_umbrella_dashboard(client, auth, make, cohort):
    make.match(REGION, cohort)
    make.match(OTHER, cohort)
    auth.login(make.umbrella())
    html = page(client.get(f"/umbrella/dashboard?cohort={cohort.id}&region={OTHER}"))
    assert kpi(html, "active_matches") == "1"
    assert '<th scope="row">Erzgebirge</th>' not in html


def test_a_coordinator_sees_the_same_dashboard_for_their_region_only(client, auth, make, cohort):
    make.match(REGION, cohort)
    make.match(OTHER, cohort, title="Fremdes Match")
    auth.login(make.coordinator(REGION))
    response = client.get(f"/{REGION}/dashboard?cohort={cohort.id}")
    assert response.status_code == 200
    html = page(response)
    assert kpi(html, "active_matches") == "1"
    main = html.split("<main", 1)[1].split("</main>")[0]
    assert '<th scope="row">Lausitz</th>' not in main, "no row of another region (its name may head a column)"
    assert "Fremdes Match" not in main
    assert client.get(f"/{OTHER}/dashboard").status_code == 403
    assert client.get("/umbrella/dashboard").status_code == 403


def test_participants_see_no_dashboard(client, auth, make):
    auth.login(make.participant(REGION))
    assert client.get(f"/{REGION}/dashboard").status_code == 403
    assert client.get("/umbrella/dashboard").status_code == 403
    assert client.get("/api/v1/kpis").status_code == 403


def test_the_umbrella_reads_a_regions_dashboard_but_admins_and_umbrella_change_nothing_there(client, auth, make):
    auth.login(make.umbrella())
    assert client.get(f"/{REGION}/dashboard").status_code == 200
    assert client.post(f"/{REGION}/dashboard").status_code in (403, 405)


@pytest.mark.parametrize(
    "query,field,msgid",
    [
        ("from=2027-01-01&to=2026-01-01", "to", "The end must not be before the start."),
        ("cohort=999999", "cohort", "There is no such cohort."),
        ("from=2000-01-01&to=2026-01-01", "from", "Please choose a period of at most ten years."),
        ("region=atlantis", "region", "There is no such region."),
    ],
)
def test_a_bad_filter_is_named_beside_its_field(app, client, auth, make, query, field, msgid):
    auth.login(make.umbrella())
    response = client.get(f"/umbrella/dashboard?{query}")
    assert response.status_code == 422
    assert field_error(page(response), field) == shown_field_message(app, msgid)


def test_a_date_that_is_no_date_is_refused_in_german(client, auth, make):
    auth.login(make.umbrella())
    response = client.get("/umbrella/dashboard?from=gestern")
    assert response.status_code == 422
    assert field_error(page(response), "from") == "Kein gültiges Datum."


def _statements(app, client, url: str) -> int:
    with counted(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_a_dashboard_costs_the_same_statements_for_a_small_and_a_larger_network(app, client, auth, make, cohort):
    auth.login(make.umbrella())
    url = f"/umbrella/dashboard?cohort={cohort.id}"
    make.match(REGION, cohort)
    small = _statements(app, client, url)
    for region in ("erzgebirge", "meissen", "lausitz", "dresden"):
        make.match(region, cohort)
        make.event(region)
    assert _statements(app, client, url) == small


def test_the_kpi_api_gives_the_dashboards_numbers_with_exact_money(client, auth, make, cohort):
    made = make.match(REGION, cohort)
    auth.login(make.umbrella())
    body = client.get(f"/api/v1/kpis?cohort={cohort.id}").get_json()
    assert body["period"] == {
        "from": "2026-09-01",
        "to": "2027-03-31",
        "cohort": {"id": cohort.id, "name": cohort.name},
    }
    assert body["regions"] == ["erzgebirge", "meissen", "lausitz", "dresden"]
    funding = body["tables"]["funding"]
    row = next(r for r in funding["rows"] if r["region_slug"] == REGION)
    assert (row["matches"], row["budget"], row["paid"], row["remaining"]) == (1, "2500.00", "0.00", "2500.00")
    assert funding["total"]["budget"] == "2500.00"
    headline = {item["key"]: item["value"] for item in body["headline"]}
    assert headline["active_matches"] == 1
    assert (
        made.id in [r["match_id"] for r in body["tables"]["overdue"]["rows"]] or body["tables"]["overdue"]["rows"] == []
    )


def test_a_coordinator_reads_their_regions_kpis_and_no_other(client, auth, make, cohort):
    make.match(REGION, cohort)
    auth.login(make.coordinator(REGION))
    body = client.get(f"/api/v1/regions/{REGION}/kpis?cohort={cohort.id}").get_json()
    assert body["regions"] == [REGION]
    assert client.get(f"/api/v1/regions/{OTHER}/kpis").status_code == 403
    assert client.get("/api/v1/kpis").status_code == 403


@pytest.mark.parametrize(
    "query,field",
    [
        ("from=2027-01-01&to=2026-01-01", "to"),
        ("cohort=999999", "cohort"),
        ("from=nie", "from"),
        ("region=x", "region"),
    ],
)
def test_bad_kpi_queries_name_the_field(client, auth, make, query, field):
    auth.login(make.umbrella())
    response = client.get(f"/api/v1/kpis?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]


def test_the_kpi_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/kpis" in paths and "/api/v1/regions/{region}/kpis" in paths


def test_the_timeline_shows_events_and_milestones_of_all_regions_on_one_axis(client, auth, make):
    from datetime import UTC, datetime, timedelta

    soon = datetime.now(UTC) + timedelta(days=10)
    make.event(REGION, title="Auftakt im Erzgebirge", start=soon)
    make.event(OTHER, title="Netzwerktreffen Lausitz", start=soon + timedelta(days=3))
    auth.login(make.umbrella())
    html = page(client.get("/umbrella/timeline"))
    assert "Auftakt im Erzgebirge" in html and "Netzwerktreffen Lausitz" in html
    assert html.count("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"") == 1  # the one timeline chart


def test_the_dashboard_is_reachable_from_the_navigation(client, auth, make):
    auth.login(make.umbrella())
    assert 'href="/umbrella/dashboard"' in page(client.get("/umbrella"))
    auth.logout()
    auth.login(make.coordinator(REGION))
    assert f'href="/{REGION}/dashboard"' in page(client.get(f"/{REGION}/"))


def test_the_umbrella_overview_links_each_cohorts_funder_report(client, auth, make, cohort):
    auth.login(make.umbrella())
    html = page(client.get("/umbrella"))
    assert re.search(r"<title>(.*?)</title>", html, re.S).group(1) == "Alle Regionen · CIMIS Hub"
    assert f'href="/umbrella/reports/cohort/{cohort.id}.pdf"' in html
    response = client.get(f"/umbrella/reports/cohort/{cohort.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    "query,msgid",
    [
        ("format=pdf", "Choose CSV or XLSX."),
        ("table=nothing&format=csv", "There is no such table."),
        ("table=all&format=csv", "A CSV file holds one table; choose a table or XLSX."),
    ],
)
def test_a_bad_export_request_says_what_is_wrong(app, client, auth, make, query, msgid):
    auth.login(make.coordinator(REGION))
    response = client.get(f"/{REGION}/dashboard/export?{query}")
    assert response.status_code == 422
    assert form_error(page(response)) == shown(app, msgid)


def test_an_export_downloads_one_table_or_all(client, auth, make, cohort):
    make.match(REGION, cohort)
    auth.login(make.coordinator(REGION))
    csv = client.get(f"/{REGION}/dashboard/export?cohort={cohort.id}&table=matches&format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.decode("utf-8-sig").splitlines()[1].startswith("Erzgebirge;0;1;")
    xlsx = client.get(f"/{REGION}/dashboard/export?cohort={cohort.id}")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
