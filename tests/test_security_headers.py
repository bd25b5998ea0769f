"""Security headers on every answer, and no inline code anywhere, so the Content-Security-Policy holds.

Every route of ``app.url_map`` is called (GET where it answers GET, otherwise its own method) as a visitor,
a participant, a coordinator, the umbrella, an admin and the owner of the object in the URL; error answers
(404, 405, 429, 500), static files and downloads are checked on their own. Templates are scanned as
source, and the pages they render (with the demo-like world of tests/factories.py) as HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import url_for

from hub import create_app
from hub.core.extensions import limiter
from hub.core.security_headers import FILE_POLICY
from tests import test_isolation as isolation
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD, tiny_pdf

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(p for d in ("hub", "regions", "shared") for p in (ROOT / d).rglob("templates/**/*.html"))
HOME = isolation.HOME

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# URL arguments that are not objects of the world: a made-up token answers 404, which must carry the headers too.
NOT_OBJECTS = {"token": "no-such-token", "filename": "css/hub.css"}


def directives(response) -> dict[str, str]:
    """The response's Content-Security-Policy as {directive: sources}."""
    policy = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (p.strip() for p in policy.split(";")) if d}


def header_faults(response) -> list[str]:
    """What is missing or too weak in a response's security headers (empty: all is well)."""
    faults = [
        f"{name}: {response.headers.get(name)!r}"
        for name, value in EXPECTED.items()
        if response.headers.get(name) != value
    ]
    policy = directives(response)
    if not policy:
        return [*faults, "no Content-Security-Policy"]
    if policy.get("frame-ancestors") != "'none'":
        faults.append("frame-ancestors is not 'none'")
    for directive in ("script-src", "style-src", "default-src"):
        if "unsafe" in policy.get(directive, ""):
            faults.append(f"{directive} allows {policy[directive]}")
    if "sandbox" not in policy:
        if policy.get("object-src") != "'none'" or policy.get("base-uri") != "'none'":
            faults.append("object-src and base-uri must be 'none'")
        if policy.get("script-src") != "'self'" or policy.get("style-src") != "'self'":
            faults.append("scripts and styles only from the hub itself")
    if "camera=()" not in response.headers.get("Permissions-Policy", ""):
        faults.append("Permissions-Policy does not switch off the camera")
    if "Strict-Transport-Security" in response.headers:
        faults.append("HSTS over plain HTTP")
    return faults


class InlineCode(HTMLParser):
    """Finds what a strict CSP refuses in HTML: inline scripts, <style>, style="", on…="" and javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    """Every piece of inline code in a page."""
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


# In template source: inline <script> (one with src is fine), <style>, style= and on…= attributes, javascript: URLs.
TEMPLATE_INLINE = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=\s*[\"'{]|javascript:", re.I
)


# -- the scanners catch what they are for -----------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<p style="color:red">x</p>',
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<svg><rect width="4" style="fill:red"/></svg>',
    ],
)
def test_the_scanners_find_inline_code(html):
    assert inline_code(html)
    assert TEMPLATE_INLINE.search(html)


def test_the_scanners_accept_scripts_and_styles_from_files():
    html = '<link rel="stylesheet" href="/static/css/hub.css"><script src="/static/js/api-docs.js"></script>'
    html += '<div data-spec-url="/x" class="bar"><svg><rect width="40" fill="#000"/></svg></div>'
    assert inline_code(html) == []
    assert not TEMPLATE_INLINE.search(html)


# -- templates and rendered pages -------------------------------------------------------------------


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_carry_no_inline_script_style_or_event_handler(template):
    source = template.read_text(encoding="utf-8")
    found = [m.group(0) for m in TEMPLATE_INLINE.finditer(source)]
    assert not found, f"move these into hub/static (CSS classes, data-* and a script file): {found}"


ROLES = ("visitor", "participant", "coordinator", "umbrella", "admin", "owner")
_ANSWERS: dict[int, dict] = {}


def _url(app, world, rule) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "region":
            values[arg] = HOME
        elif arg in NOT_OBJECTS:
            values[arg] = NOT_OBJECTS[arg]
        else:
            values[arg] = world.samples[HOME][arg].id
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _login(app, email):
    client = app.test_client()
    if email:
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302, email
    return client


def _owner(world, rule) -> str | None:
    owners = sorted(
        {made.owner.email for arg in rule.arguments if (made := world.samples[HOME].get(arg)) and made.owner}
    )
    return owners[0] if owners else None


def answers(app, make) -> dict:
    """Every route's answer to every role, computed once per run: {(role, method, rule): (status, headers, body)}.

    Reading routes first; then each state-changing route once as the coordinator (with an empty form).
    """
    if id(app) in _ANSWERS:
        return _ANSWERS[id(app)]
    world = isolation.built_world(app, make)
    admin = make.admin()
    emails = {
        "visitor": None,
        "participant": world.actors["participant"].email,
        "coordinator": world.actors["coordinator"].email,
        "umbrella": world.actors["umbrella"].email,
        "admin": admin.email,
    }
    clients = {role: _login(app, email) for role, email in emails.items()}
    owner_clients: dict[str, object] = {}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    found = {}
    for rule in (r for r in rules if "GET" in r.methods):
        url = _url(app, world, rule)
        for role in ROLES:
            if role == "owner":
                email = _owner(world, rule)
                if email is None:
                    continue
                client = owner_clients.setdefault(email, _login(app, email))
            else:
                client = clients[role]
            response = client.get(url)
            found[(role, "GET", rule.rule)] = (response.status_code, response.headers, response.get_data())
    unsafe = [r for r in rules if "GET" not in r.methods]
    for rule in sorted(unsafe, key=lambda r: r.endpoint == "accounts.logout"):  # log out last
        url = _url(app, world, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = clients["coordinator"].open(url, method=method, data={})
            found[("coordinator", method, rule.rule)] = (response.status_code, response.headers, response.get_data())
    _ANSWERS[id(app)] = found
    return found


class Answer:
    """A recorded answer, readable like a response."""

    def __init__(self, status, headers, body):
        self.status_code, self.headers, self.body = status, headers, body


@pytest.mark.slow
def test_every_route_answers_every_role_with_the_security_headers(app, make):
    found = answers(app, make)
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    assert {key[2] for key in found} == routes, "every route was called"
    assert sum(status == 200 for status, _h, _b in found.values()) > 150, "most reading routes answer for real"
    faults = {
        f"{role} {method} {rule} ({status})": problems
        for (role, method, rule), (status, headers, body) in found.items()
        if (problems := header_faults(Answer(status, headers, body)))
    }
    assert not faults, faults
    assert not [key for key, (status, _h, _b) in found.items() if status >= 500]


def test_rendered_pages_of_every_role_carry_no_inline_code(app, make):
    found = answers(app, make)
    # Pages, error pages and forms answered with their errors (the state-changing routes' empty forms).
    pages = {
        key: body.decode("utf-8")
        for key, (status, headers, body) in found.items()
        if headers.get("Content-Type", "").startswith("text/html")
    }
    for role in ("visitor", "participant", "coordinator", "umbrella", "admin"):
        assert sum(key[0] == role and found[key][0] == 200 for key in pages) >= 5, f"{role} saw pages"
    assert any(key[1] == "POST" and found[key][0] in (400, 422) for key in pages), "forms with errors were scanned"
    assert any("<svg" in html for html in pages.values()), "the charts (SVG drawn in Python) were scanned"
    assert any('name="csrf_token"' in html or "<form" in html for html in pages.values()), "form macros were scanned"
    faults = {f"{role} {m} {rule}": found_ for (role, m, rule), html in pages.items() if (found_ := inline_code(html))}
    assert not faults, faults


# -- error answers, static files, downloads ---------------------------------------------------------


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """An app of its own with routes that fail on purpose (a crash, a tight rate limit)."""
    database = tmp_path_factory.mktemp("headers") / "hub.sqlite3"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "RATELIMIT_ENABLED": True})

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("boom")

    @app.get("/limited")
    @limiter.limit("1 per day")
    def limited():
        return "ok"

    return app


@pytest.mark.parametrize(
    "method,path,status",
    [
        ("GET", "/no/such/page", 404),
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/account/password", 405),
        ("DELETE", "/api/v1/regions", 405),
        ("GET", "/boom", 500),
        ("GET", "/api/v1/boom", 500),
    ],
)
def test_error_answers_carry_the_headers(bare_app, method, path, status):
    response = bare_app.test_client().open(path, method=method)
    assert response.status_code == status
    assert header_faults(response) == []


def test_the_rate_limits_answer_carries_the_headers(bare_app):
    client = bare_app.test_client()
    assert client.get("/limited").status_code == 200
    response = client.get("/limited")
    assert response.status_code == 429
    assert header_faults(response) == []


@pytest.mark.parametrize("path", ["/static/css/hub.css", "/regions.css", "/api/v1/docs/assets/swagger-ui-bundle.js"])
def test_static_files_carry_the_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert header_faults(response) == []


def test_the_api_documentation_page_runs_under_the_policy(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert inline_code(response.get_data(as_text=True)) == []
    assert directives(response)["script-src"] == "'self'"


def test_an_uploaded_document_is_sandboxed(app, make, auth, client):
    match = make.match(HOME)
    document = make.document(match, data=tiny_pdf(), filename="konzept.pdf")
    auth.login(make.coordinator(HOME))
    response = client.get(f"/{HOME}/matches/documents/{document.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Security-Policy"] == FILE_POLICY
    assert "sandbox" in directives(response)
    assert header_faults(response) == []


def test_exports_are_served_as_sandboxed_attachments(make, auth, client):
    auth.login(make.coordinator(HOME))
    response = client.get(f"/{HOME}/profiles/export.xlsx")
    assert response.status_code == 200
    assert "sandbox" in directives(response)
    assert directives(response)["default-src"] == "'none'"


# -- HTTPS, proxies, configuration -------------------------------------------------------------------


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://hub.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def _app_with(tmp_path, **config):
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", **config})


def test_behind_a_trusted_proxy_its_https_counts(tmp_path):
    client = _app_with(tmp_path, PROXY_FIX=1).test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_a_forwarded_header_is_ignored_when_no_proxy_is_trusted(client):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_can_be_switched_off(tmp_path):
    client = _app_with(tmp_path, HSTS_SECONDS=0).test_client()
    assert "Strict-Transport-Security" not in client.get("/login", base_url="https://hub.test").headers


def test_the_page_policy_can_be_extended_by_configuration(tmp_path):
    client = _app_with(
        tmp_path, CONTENT_SECURITY_POLICY={"img-src": "'self' data: https://images.example"}
    ).test_client()
    policy = directives(client.get("/login"))
    assert policy["img-src"] == "'self' data: https://images.example"
    assert policy["script-src"] == "'self'"
