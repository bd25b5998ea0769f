"""The JSON API at /api/v1 as a program meets it: bearer tokens, JSON errors, the OpenAPI document,
the self-hosted docs, and CSRF only where a browser session is at work."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from hub.accounts import services
from hub.accounts.models import AccessToken, User
from hub.core.db import db
from hub.core.roles import Role
from hub.core.settings import load_region_registry
from hub.core.tenancy import all_regions
from tests.factories import PASSWORD
from tests.pages import bearer

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def assert_json_error(response, code: int) -> dict:
    """An error answered the API way: JSON with the code, never an HTML page."""
    assert response.status_code == code
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert body["code"] == code
    assert body["message"]
    assert "<html" not in response.get_data(as_text=True)
    return body


def csrf_token_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page carries a CSRF token"
    return found.group(1)


@pytest.fixture
def openapi(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


# Regions ---------------------------------------------------------------------------------------


def test_regions_are_listed_in_registry_order_with_their_organisation(client):
    response = client.get("/api/v1/regions")
    assert response.status_code == 200
    listed = [(r["slug"], r["name"], r["organisation"]) for r in response.get_json()]
    registry = [(r["slug"], r["name"], r["organisation"]) for r in load_region_registry()]
    assert len(listed) == 4
    assert listed == registry
    assert [slug for slug, _, _ in listed] == ["erzgebirge", "meissen", "lausitz", "dresden"]


def test_regions_need_no_login(client):
    response = client.get("/api/v1/regions")
    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers


# The current user ------------------------------------------------------------------------------


def test_me_without_credentials_answers_401_in_json_with_a_bearer_challenge(client):
    response = client.get("/api/v1/me")
    assert_json_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Location" not in response.headers, "an API client is not sent to the HTML login page"


def test_me_with_a_bearer_token_shows_the_user_and_their_memberships(app, client, make, regions):
    person = make.participant("erzgebirge", name="Anna API", email="anna@example.org")
    with app.app_context(), all_regions():
        user = db.session.get(User, person.id)
        services.grant_role(user, Role.COORDINATOR, db.session.merge(regions["lausitz"], load=False))
        db.session.commit()
    token = make.access_token(person)
    response = client.get("/api/v1/me", headers=bearer(token.extra))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == person.id
    assert body["name"] == "Anna API"
    assert body["email"] == "anna@example.org"
    assert body["global_role"] is None
    assert sorted((m["region"], m["role"]) for m in body["memberships"]) == [
        ("erzgebirge", "participant"),
        ("lausitz", "coordinator"),
    ]


def test_me_never_reveals_secrets_of_the_account(client, make):
    person = make.participant("erzgebirge")
    token = make.access_token(person)
    text = client.get("/api/v1/me", headers=bearer(token.extra)).get_data(as_text=True)
    for secret in ("password", "session_token", "argon2", "token_hash"):
        assert secret not in text


def test_a_token_works_although_the_client_kept_a_cookie_from_a_page(client, make):
    """A script that first opened a page (and got a cookie with a flash message) still authenticates by token."""
    person = make.participant("erzgebirge")
    token = make.access_token(person)
    assert client.get("/erzgebirge/matches/").status_code == 302  # to the login page, with a flash message
    assert client.get_cookie("session") is not None
    response = client.get("/api/v1/me", headers=bearer(token.extra))
    assert response.status_code == 200
    assert response.get_json()["id"] == person.id
    assert "Set-Cookie" not in response.headers, "a token call neither reads nor writes the session"


def test_global_roles_show_in_me(client, make):
    umbrella = make.umbrella()
    token = make.access_token(umbrella)
    body = client.get("/api/v1/me", headers=bearer(token.extra)).get_json()
    assert body["global_role"] == "umbrella"
    assert body["memberships"] == []


def test_using_a_token_records_when_it_was_last_used(app, client, make):
    person = make.participant("erzgebirge")
    token = make.access_token(person)
    client.get("/api/v1/me", headers=bearer(token.extra))
    with app.app_context():
        assert db.session.get(AccessToken, token.id).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cimis_this-token-does-not-exist",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "cimis_without-a-scheme",
    ],
)
def test_unknown_or_malformed_credentials_answer_401(client, make, header):
    make.access_token(make.participant("erzgebirge"))
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert_json_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_answers_401(app, client, make):
    person = make.participant("erzgebirge")
    token = make.access_token(person)
    assert client.get("/api/v1/me", headers=bearer(token.extra)).status_code == 200
    with app.app_context():
        services.revoke_access_token(db.session.get(User, person.id), token.id)
        db.session.commit()
    assert_json_error(client.get("/api/v1/me", headers=bearer(token.extra)), 401)


def test_token_of_a_deactivated_account_answers_401(app, client, make):
    person = make.participant("erzgebirge")
    token = make.access_token(person)
    with app.app_context():
        db.session.get(User, person.id).active = False
        db.session.commit()
    assert_json_error(client.get("/api/v1/me", headers=bearer(token.extra)), 401)


def test_token_keeps_working_after_a_password_change(app, client, make):
    person = make.participant("erzgebirge")
    token = make.access_token(person)
    with app.app_context():
        services.set_password(db.session.get(User, person.id), "a brand new passphrase")
        db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(token.extra))
    assert response.status_code == 200
    assert response.get_json()["id"] == person.id


def test_bearer_scheme_is_case_insensitive(client, make):
    token = make.access_token(make.participant("erzgebirge"))
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {token.extra}"}).status_code == 200


def test_a_browser_session_works_for_the_api_too(client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["email"] == person.email


# CSRF: needed for browser sessions, not for bearer tokens ----------------------------------------


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def locale_of(app, user_id: int) -> str | None:
    with app.app_context():
        return db.session.get(User, user_id).locale


def test_session_post_without_csrf_token_is_refused(app, client, make, csrf_on):
    person = make.participant("erzgebirge")
    login_form = client.get("/login")
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    response = client.post(
        "/login",
        data={
            "email": person.email,
            "password": PASSWORD,
            "csrf_token": csrf_token_in(login_form.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    refused = client.post("/account/tokens", data={"name": "sneaky"})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(AccessToken)).all() == []


def test_session_post_with_csrf_token_works(app, client, make, auth, csrf_on):
    person = make.participant("erzgebirge")
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    token = csrf_token_in(client.get("/account").get_data(as_text=True))
    response = client.post("/account/tokens", data={"name": "with token", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert [t.name for t in db.session.scalars(select(AccessToken))] == ["with token"]


def test_csrf_token_of_another_session_is_refused(app, client, make, csrf_on):
    person = make.participant("erzgebirge")
    foreign_token = csrf_token_in(app.test_client().get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": foreign_token})
    assert response.status_code == 400


def test_bearer_authenticated_api_post_needs_no_csrf_token(app, make):
    from flask_login import current_user, login_required

    from hub import create_app
    from tests.conftest import TEST_CONFIG

    person = make.participant("erzgebirge")
    token = make.access_token(person)
    api_app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "WTF_CSRF_ENABLED": True}
    )

    @api_app.post("/api/v1/echo")
    @login_required
    def echo():
        return {"email": current_user.email}

    program = api_app.test_client()
    response = program.post("/api/v1/echo", headers=bearer(token.extra))
    assert response.status_code == 200
    assert response.get_json() == {"email": person.email}
    assert program.post("/api/v1/echo").status_code == 401  # no credentials at all: say so
    browser = api_app.test_client()
    login_page = browser.get("/login").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    browser.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_token})
    assert browser.get("/account").status_code == 200
    assert browser.post("/api/v1/echo").status_code == 400  # a browser's cookie session still needs the CSRF token


def test_bearer_tokens_open_the_api_but_not_the_pages(app, make):
    person = make.participant("erzgebirge")
    token = make.access_token(person)
    program = app.test_client()
    assert program.get("/api/v1/me", headers=bearer(token.extra)).status_code == 200
    response = program.get("/account", headers=bearer(token.extra))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_post_with_a_bogus_bearer_header_still_needs_csrf(app, client, make, csrf_on):
    person = make.participant("erzgebirge")
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    response = client.post("/account/tokens", data={"name": "sneaky"}, headers=bearer("nonsense"))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(AccessToken)).all() == []


# OpenAPI document ------------------------------------------------------------------------------


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document: dict, ref: str):
    assert ref.startswith("#/"), f"only local references: {ref}"
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_openapi_document_is_valid_openapi_3(openapi):
    assert re.fullmatch(r"3\.\d+\.\d+", openapi["openapi"])
    assert isinstance(openapi["info"]["title"], str) and openapi["info"]["title"]
    assert isinstance(openapi["info"]["version"], str) and openapi["info"]["version"]
    assert isinstance(openapi["paths"], dict) and openapi["paths"]
    schemes = openapi.get("components", {}).get("securitySchemes", {})
    for path, item in openapi["paths"].items():
        assert path.startswith("/"), path
        templated = set(re.findall(r"{([^}]+)}", path))
        path_params = {p["name"] for p in item.get("parameters", []) if p.get("in") == "path"}
        operations = {m: op for m, op in item.items() if m in HTTP_METHODS}
        assert operations, f"{path} has no operation"
        for method, op in operations.items():
            assert op["responses"], f"{method} {path} documents no response"
            for code in op["responses"]:
                assert code == "default" or re.fullmatch(r"[1-5](\d\d|XX)", code), (path, code)
            declared = path_params | {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
            assert declared == templated, f"{method} {path}: path parameters {declared} vs {templated}"
            for p in item.get("parameters", []) + op.get("parameters", []):
                if p.get("in") == "path":
                    assert p["required"] is True
            for requirement in op.get("security", []) + openapi.get("security", []):
                assert set(requirement) <= set(schemes), f"{method} {path}: unknown scheme in {requirement}"
    for ref in set(_refs(openapi)):
        assert _resolve(openapi, ref) is not None, ref


def test_openapi_lists_the_hubs_endpoints_with_bearer_auth(openapi):
    paths = {p.rstrip("/") for p in openapi["paths"]}
    assert {"/api/v1/regions", "/api/v1/me", "/api/v1/regions/{region}/members"} <= paths
    assert openapi["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    members = next(v for k, v in openapi["paths"].items() if k.rstrip("/") == "/api/v1/regions/{region}/members")
    assert {"bearerAuth": []} in members["get"]["security"]
    assert {"bearerAuth": []} in openapi["paths"]["/api/v1/me"]["get"]["security"]


def test_every_api_route_is_in_the_openapi_document(app, openapi):
    documented = {
        (path, method.upper()) for path, item in openapi["paths"].items() for method in item if method in HTTP_METHODS
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        if rule.endpoint.startswith("api_docs.") or rule.endpoint == "api-docs.openapi_json":
            continue  # the documentation itself: the docs page, its assets, the document
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (path, method) not in documented:
                missing.append(f"{method} {path} ({rule.endpoint})")
    assert missing == []


def test_openapi_document_needs_no_login(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200


# The docs page ---------------------------------------------------------------------------------


def test_docs_page_and_its_assets_load_from_the_hub_itself(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="swagger-ui"' in html
    external = [
        url for url in re.findall(r"""https?://[^\s"'<>)]+""", html) if urlsplit(url).hostname not in ("localhost",)
    ]
    assert external == []
    linked = re.findall(r"""(?:src|href|data-spec-url)="([^"]+)\"""", html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in linked)
    assert any(url.endswith("swagger-ui.css") for url in linked)
    assert any(url.endswith("openapi.json") for url in linked)
    for url in linked:
        parts = urlsplit(url)
        assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), url
        asset = client.get(parts.path)
        assert asset.status_code == 200, url
        assert asset.data, url


def test_docs_starter_script_loads_nothing_from_elsewhere(client):
    html = client.get("/api/v1/docs/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    own = [s for s in scripts if "swagger-ui-bundle" not in s]
    assert own, "a script of the hub starts Swagger UI"
    for src in own:
        text = client.get(src).get_data(as_text=True)
        assert re.findall(r"https?://", text) == []
    assert "<script>" not in html, "no inline script (CSP-friendly)"


# Members of a region ---------------------------------------------------------------------------


def test_coordinator_lists_the_members_of_their_region_with_a_token(client, make):
    coordinator = make.coordinator("erzgebirge", name="Carla Koordinatorin")
    make.participant("erzgebirge", name="Egon Erz")
    make.participant("meissen", name="Mia Meissen")
    token = make.access_token(coordinator)
    response = client.get("/api/v1/regions/erzgebirge/members/", headers=bearer(token.extra))
    assert response.status_code == 200
    members = response.get_json()
    assert sorted((m["name"], m["role"]) for m in members) == [
        ("Carla Koordinatorin", "coordinator"),
        ("Egon Erz", "participant"),
    ]
    assert all(m["email"] and m["id"] and m["user_id"] for m in members)


def test_coordinator_cannot_list_another_regions_members(client, make):
    make.participant("meissen", name="Mia Meissen")
    token = make.access_token(make.coordinator("erzgebirge"))
    response = client.get("/api/v1/regions/meissen/members/", headers=bearer(token.extra))
    assert_json_error(response, 403)
    assert "Mia Meissen" not in response.get_data(as_text=True)


def test_participant_cannot_list_members(client, make):
    participant = make.participant("erzgebirge")
    make.participant("erzgebirge", name="Egon Erz")
    token = make.access_token(participant)
    response = client.get("/api/v1/regions/erzgebirge/members/", headers=bearer(token.extra))
    assert_json_error(response, 403)
    assert "Egon Erz" not in response.get_data(as_text=True)


def test_members_without_credentials_answer_401(client, make):
    make.participant("erzgebirge", name="Egon Erz")
    response = client.get("/api/v1/regions/erzgebirge/members/")
    assert_json_error(response, 401)
    assert "Egon Erz" not in response.get_data(as_text=True)


def test_umbrella_reads_every_regions_members(client, make):
    make.participant("meissen", name="Mia Meissen")
    token = make.access_token(make.umbrella())
    response = client.get("/api/v1/regions/meissen/members/", headers=bearer(token.extra))
    assert response.status_code == 200
    assert [m["name"] for m in response.get_json()] == ["Mia Meissen"]


# Errors are JSON -------------------------------------------------------------------------------


def test_unknown_api_path_answers_404_in_json(client):
    assert_json_error(client.get("/api/v1/no-such-thing"), 404)


def test_unknown_region_in_the_api_answers_404_in_json(client, make):
    token = make.access_token(make.admin())
    assert_json_error(client.get("/api/v1/regions/atlantis/members/", headers=bearer(token.extra)), 404)


def test_wrong_method_in_the_api_answers_405_in_json(client):
    assert_json_error(client.post("/api/v1/regions"), 405)


def test_forbidden_in_the_api_answers_403_in_json(client, make):
    token = make.access_token(make.participant("lausitz"))
    body = assert_json_error(client.get("/api/v1/regions/erzgebirge/members/", headers=bearer(token.extra)), 403)
    assert body["status"]


def test_a_nul_character_in_any_text_is_refused_by_name_and_stores_nothing(app, client, make):
    """PostgreSQL cannot store it: a 422 naming the field, never a 500 (and the same on SQLite)."""
    coordinator = bearer(make.access_token(make.coordinator("erzgebirge")).extra)
    profile = make.profile("erzgebirge", name="Holzwerk", pitch="Möbel")
    event = make.event("erzgebirge", questions=[{"key": "q1", "label": "Organisation", "required": False}])
    member = bearer(make.access_token(make.participant("erzgebirge")).extra)
    url = f"/api/v1/regions/erzgebirge/profiles/{profile.id}"
    cases = [
        (client.patch(url, json={"pitch": "Mö\x00bel"}, headers=coordinator), "pitch"),
        (client.patch(url, json={"offer_tags": ["Holz", "Mö\x00bel"]}, headers=coordinator), "offer_tags"),
        (
            client.post(
                f"/api/v1/calendar/events/{event.id}/registration", json={"answers": {"q1": "\x00"}}, headers=member
            ),
            "answers",
        ),
    ]
    for response, name in cases:
        body = assert_json_error(response, 422)
        assert list(body["errors"]["json"]) == [name]
    assert client.get(url, headers=coordinator).get_json()["pitch"] == "Möbel"
    registrations = client.get(f"/api/v1/regions/erzgebirge/events/{event.id}/registrations", headers=coordinator)
    assert registrations.get_json() == []
