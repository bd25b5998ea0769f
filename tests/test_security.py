"""Security properties that hold for every route: ids beyond the database's range, links in e-mails.

Generated from ``app.url_map`` like the isolation suite, so a new route is covered without editing
this file.
"""

from __future__ import annotations

import logging
import re

import pytest
from werkzeug.routing import IntegerConverter

from tests.test_isolation import _RULES

TOO_LARGE = [2**31, 2**63, 10**30]


def _int_rules():
    return [rule for rule in _RULES if any(isinstance(conv, IntegerConverter) for conv in rule._converters.values())]


def _url(rule, value: int) -> str:
    parts = {}
    for name, conv in rule._converters.items():
        parts[name] = str(value) if isinstance(conv, IntegerConverter) else ("erzgebirge" if name == "region" else "x")
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", lambda m: parts[m.group(1)], rule.rule)


INT_CASES = [
    pytest.param(rule.rule, method, id=f"{method} {rule.rule}")
    for rule in _int_rules()
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
]


def test_there_are_numeric_id_routes_to_check():
    assert len(INT_CASES) > 50


@pytest.mark.parametrize(("path", "method"), INT_CASES)
def test_an_id_beyond_the_columns_range_answers_404_not_500(app, make, auth, client, caplog, path, method):
    """/events/2147483648 used to reach PostgreSQL ("integer out of range") and answer 500 with a traceback."""
    rule = next(r for r in _RULES if r.rule == path)
    admin = make.admin()
    auth.login(admin)
    caplog.set_level(logging.ERROR)
    for value in TOO_LARGE:
        url = _url(rule, value)
        for who in (client, app.test_client()):
            response = who.open(url, method=method)
            assert response.status_code in (404, 405), (url, response.status_code)  # 405: a text route matched
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_largest_id_the_column_holds_still_reaches_the_view(app, make, auth, client):
    auth.login(make.admin())
    assert client.get(f"/calendar/events/{2**31 - 1}").status_code == 404  # no such event, but no error
    assert client.get(f"/api/v1/regions/erzgebirge/events/{2**31 - 1}").status_code == 404


def test_openapi_states_the_bounds_of_path_ids(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    params = [
        p
        for path in spec["paths"].values()
        for p in path.get("parameters", [])
        if p["in"] == "path" and p["schema"].get("type") == "integer"
    ]
    assert params
    assert all(p["schema"].get("maximum") == 2**31 - 1 for p in params)


@pytest.mark.parametrize("value", [2**31, 2**63, -1, 0])
def test_an_id_beyond_range_in_a_request_body_is_refused_with_the_field_named(app, make, value):
    coordinator = make.coordinator("erzgebirge")
    token = make.access_token(coordinator).extra
    response = app.test_client().post(
        "/api/v1/regions/erzgebirge/speed-dating/sessions",
        json={"event_id": value, "name": "Runde"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert "event_id" in response.get_json()["errors"]["json"]


API_WRITES = [
    pytest.param(rule, method, id=f"{method} {rule.rule}")
    for rule in _RULES
    if rule.rule.startswith("/api/")
    for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})
]


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize(("rule", "method"), API_WRITES)
def test_an_unauthenticated_api_write_answers_401_not_a_csrf_error(app, csrf_on, rule, method):
    """Without credentials the API says so (401 with a Bearer challenge), as the OpenAPI document declares."""
    response = app.test_client().open(_url(rule, 1), method=method, json={})
    assert response.status_code in (401, 404, 405), response.status_code
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["code"] == 401


def test_there_are_api_writes_to_check():
    assert len(API_WRITES) > 30
