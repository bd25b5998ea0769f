"""The dashboards keep their counts for a few minutes (shared/reports/snapshots.py).

A dashboard and the region comparison show counts kept at most REPORT_FIGURES_SECONDS ago, say when they
were counted, and count anew on request, which replaces the kept counts for everyone. The key names the
regions and the period, so no region's page shows counts kept for another. When the cache cannot be reached
the page counts as if nothing were kept. (The rest of the suite runs with keeping switched off, as it
reads dashboards right after changing data; tests/test_dashboard_numbers.py checks that a report built
again from its kept rows equals the independent count.)
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date

import pytest

from hub import create_app
from hub.core.db import utcnow
from hub.core.extensions import cache
from tests.conftest import TEST_CONFIG, AuthActions
from tests.pages import page
from tests.statements import counted
from tests.test_reports_pages import kpi
from tests.test_throttle import redis_url

REGION, OTHER = "erzgebirge", "lausitz"
KEPT = 300


@pytest.fixture
def keeping(app, monkeypatch):
    """Counts kept for five minutes, from an empty cache."""
    monkeypatch.setitem(app.config, "REPORT_FIGURES_SECONDS", KEPT)
    with app.app_context():
        cache.clear()
    yield
    with app.app_context():
        cache.clear()


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(utcnow(), tick=False)
    return time_machine


@pytest.fixture
def cohort(make):
    return make.cohort(name="CIMIS II 2026/27", starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 31))


def counted_at(html: str) -> str:
    found = re.search(r'<form method="get" class="counted-at">.*?<p class="meta">(.*?)</p>', html, re.S)
    assert found, "the page says when its figures were counted"
    return found.group(1)


def test_a_dashboard_shows_its_kept_counts_until_someone_counts_anew(client, auth, make, cohort, keeping):
    make.match(REGION, cohort)
    auth.login(make.coordinator(REGION))
    url = f"/{REGION}/dashboard?cohort={cohort.id}"
    first = page(client.get(url))
    assert kpi(first, "active_matches") == "1"
    make.match(REGION, cohort)
    kept = page(client.get(url))
    assert kpi(kept, "active_matches") == "1", "the kept counts are shown"
    assert counted_at(kept) == counted_at(first)
    assert kpi(page(client.get(url + "&fresh=1")), "active_matches") == "2", "counting anew sees the new match"
    assert kpi(page(client.get(url)), "active_matches") == "2", "and replaces the kept counts"


def test_the_page_offers_to_count_anew_with_its_filters_and_its_tabs_do_not_repeat_that(
    client, auth, make, cohort, keeping
):
    auth.login(make.umbrella())
    html = page(client.get(f"/umbrella/dashboard?cohort={cohort.id}&region={OTHER}&fresh=1"))
    form = re.search(r'<form method="get" class="counted-at">(.*?)</form>', html, re.S).group(1)
    assert f'name="cohort" value="{cohort.id}"' in form and f'name="region" value="{OTHER}"' in form
    assert 'name="fresh" value="1"' in form and 'type="submit"' in form
    tabs = re.search(r'<nav class="tabs".*?</nav>', html, re.S).group(0)
    assert "fresh" not in tabs and f"cohort={cohort.id}" in tabs


def test_kept_counts_are_counted_anew_once_their_time_is_over(client, auth, make, cohort, keeping, clock):
    make.match(REGION, cohort)
    auth.login(make.coordinator(REGION))
    url = f"/{REGION}/dashboard?cohort={cohort.id}"
    assert kpi(page(client.get(url)), "active_matches") == "1"
    make.match(REGION, cohort)
    clock.shift(KEPT - 1)
    assert kpi(page(client.get(url)), "active_matches") == "1"
    clock.shift(2)
    assert kpi(page(client.get(url)), "active_matches") == "2"


def test_no_region_is_shown_the_counts_kept_for_another(app, client, auth, make, cohort, keeping):
    make.match(REGION, cohort)
    make.match(OTHER, cohort)
    make.match(OTHER, cohort)
    auth.login(make.coordinator(REGION))
    assert kpi(page(client.get(f"/{REGION}/dashboard?cohort={cohort.id}")), "active_matches") == "1"
    other = app.test_client()
    AuthActions(other).login(make.coordinator(OTHER))
    assert kpi(page(other.get(f"/{OTHER}/dashboard?cohort={cohort.id}")), "active_matches") == "2"
    umbrella = app.test_client()
    AuthActions(umbrella).login(make.umbrella())
    assert kpi(page(umbrella.get(f"/umbrella/dashboard?cohort={cohort.id}")), "active_matches") == "3"
    assert kpi(page(umbrella.get(f"/umbrella/dashboard?cohort={cohort.id}&region={REGION}")), "active_matches") == "1"


def test_a_dashboard_from_kept_counts_runs_none_of_the_counting_statements(app, client, auth, make, cohort, keeping):
    make.match(REGION, cohort)
    auth.login(make.umbrella())
    url = f"/umbrella/dashboard?cohort={cohort.id}"
    with counted(app) as first:
        page(client.get(url))
    with counted(app) as again:
        page(client.get(url))
    assert sum("GROUP BY" in s for s in first) >= 8
    assert not [s for s in again if "GROUP BY" in s]
    assert len(again) <= len(first) - 12


def test_the_region_comparison_keeps_its_counts_too(client, auth, make, cohort, keeping, clock):
    make.match(REGION, cohort)
    auth.login(make.umbrella())
    url = f"/umbrella/compare?cohort={cohort.id}"
    first = page(client.get(url))
    clock.shift(120)
    assert counted_at(page(client.get(url))) == counted_at(first)
    assert counted_at(page(client.get(url + "&fresh=1"))) != counted_at(first)


def test_exports_always_count_anew(client, auth, make, cohort, keeping):
    make.match(REGION, cohort)
    auth.login(make.umbrella())
    page(client.get(f"/umbrella/dashboard?cohort={cohort.id}"))
    make.match(REGION, cohort)
    export = client.get(f"/umbrella/dashboard/export?cohort={cohort.id}&table=matches&format=csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[-1][-1] == "2", rows[-1]  # the total row's total: both matches


def test_when_the_cache_cannot_be_reached_the_dashboard_is_counted_anyway(
    client, auth, make, cohort, keeping, monkeypatch, caplog
):
    import redis

    def unreachable(*args, **kwargs):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    make.match(REGION, cohort)
    auth.login(make.coordinator(REGION))
    html = page(client.get(f"/{REGION}/dashboard?cohort={cohort.id}"))
    assert kpi(html, "active_matches") == "1"
    assert "could not be read" in caplog.text and "could not be kept" in caplog.text


def test_every_worker_and_host_reads_the_counts_kept_in_redis(app, make, cohort):
    """Two apps (two hosts) on one database and one Redis: what one counted the other shows, and counting
    anew on one replaces the counts for both."""
    url, prefix = redis_url(), f"hub-test-{uuid.uuid4().hex}"
    config = {
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": app.instance_path,
        "REDIS_URL": url,
        "REDIS_KEY_PREFIX": prefix,
        "REPORT_FIGURES_SECONDS": KEPT,
        # Flask-Limiter is one object for every app of a process: an app on Redis would move the other tests' rate
        # limits into Redis, where the stopped clock of tests/test_throttle.py does not reach. Only the cache is
        # on Redis here.
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_STORAGE_OPTIONS": {},
    }
    hosts = [create_app(config).test_client() for _ in range(2)]
    coordinator = make.coordinator(REGION)
    for host in hosts:
        AuthActions(host).login(coordinator)
    dashboard = f"/{REGION}/dashboard?cohort={cohort.id}"
    try:
        make.match(REGION, cohort)
        one = page(hosts[0].get(dashboard))
        make.match(REGION, cohort)
        other = page(hosts[1].get(dashboard))
        assert kpi(one, "active_matches") == kpi(other, "active_matches") == "1"
        assert counted_at(one) == counted_at(other)
        assert kpi(page(hosts[1].get(dashboard + "&fresh=1")), "active_matches") == "2"
        assert kpi(page(hosts[0].get(dashboard)), "active_matches") == "2"
    finally:
        import redis

        server = redis.Redis.from_url(url)
        keys = list(server.scan_iter(f"{prefix}:*"))
        assert any(b":cache:report-figures/" in k for k in keys), keys
        server.delete(*keys)
