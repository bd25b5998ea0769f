"""Logs: a request id on every line, one line per request and per refusal, and nothing secret or personal
in a production log (a whole journey, in-process and through a real `hub run`, grepped line by line)."""

from __future__ import annotations

import http.client
import itertools
import json
import logging
import re
import secrets
import time
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text

from hub import create_app
from hub.core import logs
from hub.core.access import link_credential
from hub.core.db import db, utcnow
from hub.core.jobs.runner import execute
from hub.core.mail.models import OutboxMessage
from hub.core.mail.services import enqueue
from hub.core.settings import ConfigError
from hub.core.tenancy import all_regions
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD
from tests.processes import free_port, hub_process, stop

PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "BASE_URL": "https://hub.example.org",
    "PASSWORD_HASH_PROFILE": "cheapest",
    "MAIL_SERVER": "",
}
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def hub_records(caplog, logger: str | None = None) -> list[logging.LogRecord]:
    return [r for r in caplog.records if logger is None or r.name == logger]


def access_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "request"]


def refusals(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "access_denied"]


@pytest.fixture
def production_app(app):
    """The hub as production runs it (CSRF on, JSON logs, no mail server) on the test database."""
    production = create_app(
        {
            **PRODUCTION,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": app.instance_path,
        }
    )
    yield production
    with production.app_context():
        db.engine.dispose()
    logs.configure(app.config)  # the other tests' logging again


# -- request ids --------------------------------------------------------------------------------------


def test_every_response_carries_a_new_request_id_and_every_line_of_the_request_carries_it(client, caplog):
    caplog.set_level(logging.INFO)

    response = client.get("/login")

    request_id = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(request_id)
    (line,) = access_lines(caplog)
    assert (line.request_id, line.method, line.route, line.status) == (request_id, "GET", "/login", 200)
    assert line.endpoint == "accounts.login" and line.duration_ms >= 0
    assert client.get("/login").headers["X-Request-ID"] != request_id


def test_a_short_safe_incoming_request_id_is_kept(client, caplog):
    caplog.set_level(logging.INFO)

    response = client.get("/login", headers={"X-Request-ID": "lb-7f3a.2024:01_x"})

    assert response.headers["X-Request-ID"] == "lb-7f3a.2024:01_x"
    assert [r.request_id for r in access_lines(caplog)] == ["lb-7f3a.2024:01_x"]


@pytest.mark.parametrize(
    "incoming",
    ["x" * 65, "forged\x1b[2Jterminal", "two words", "<script>", "id;rm", "straße", "-leading", ""],
)
def test_an_unsafe_or_long_incoming_request_id_is_replaced(client, caplog, incoming):
    caplog.set_level(logging.INFO)

    response = client.get("/login", headers={"X-Request-ID": incoming})

    request_id = response.headers["X-Request-ID"]
    assert request_id != incoming and GENERATED_ID.fullmatch(request_id)
    assert [r.request_id for r in access_lines(caplog)] == [request_id]


def test_a_line_logged_inside_a_view_carries_the_request_user_and_region_but_no_address(app, client, make, caplog):
    person = make.participant("lausitz")
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    caplog.set_level(logging.INFO)
    caplog.clear()

    response = client.get("/lausitz/")

    (line,) = access_lines(caplog)
    assert (line.request_id, line.user_id, line.region, line.route) == (
        response.headers["X-Request-ID"],
        person.id,
        "lausitz",
        "/<region>/",
    )
    text_line = logs.TextFormatter().format(line)
    assert f"[req={line.request_id} user={person.id} region=lausitz]" in text_line
    assert "GET /<region>/ 200" in text_line
    assert person.email not in text_line and person.name not in text_line


def test_json_lines_carry_the_context_and_the_fields_of_the_event(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/login")

    entry = json.loads(logs.JsonFormatter().format(access_lines(caplog)[0]))

    assert entry["level"] == "INFO" and entry["logger"] == "hub.core.access"
    assert entry["event"] == "request" and entry["status"] == 200 and entry["route"] == "/login"
    assert GENERATED_ID.fullmatch(entry["request_id"])
    assert entry["time"].endswith("+00:00")


def test_a_job_s_lines_name_the_job_and_carry_no_request_id(app, ctx, caplog):
    old = utcnow() - timedelta(days=app.config["RETENTION_SENT_MAIL_DAYS"] + 1)
    db.session.add(OutboxMessage(recipient="old@example.org", subject="Alt", body="Alt\n", sent_at=old))
    db.session.commit()
    caplog.set_level(logging.INFO)

    execute("mail.retention")

    (line,) = [r for r in caplog.records if r.getMessage() == "job mail.retention: deleted 1"]
    assert (line.job, line.request_id, line.user_id) == ("mail.retention", None, None)
    assert "[job=mail.retention]" in logs.TextFormatter().format(line)


def test_text_in_development_and_json_in_production_unless_chosen(app, production_app):
    def formatter():
        (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "hub_handler", False)]
        return type(handler.formatter)

    assert formatter() is logs.JsonFormatter  # production_app was made last
    logs.configure(app.config)
    assert formatter() is logs.TextFormatter
    logs.configure({**app.config, "LOG_FORMAT": "json"})
    assert formatter() is logs.JsonFormatter


@pytest.mark.parametrize("setting", [{"LOG_FORMAT": "xml"}, {"LOG_LEVEL": "LOUD"}])
def test_an_unknown_log_format_or_level_refuses_to_start(app, setting):
    with pytest.raises(ConfigError, match="HUB_LOG_"):
        create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **setting})
    logs.configure(app.config)


# -- refused authorisations ---------------------------------------------------------------------------


def test_a_member_of_another_region_is_refused_and_logged_with_user_region_and_route(client, auth, make, caplog):
    person = make.participant("erzgebirge")
    auth.login(person)
    caplog.set_level(logging.INFO)

    assert client.get("/lausitz/members/").status_code == 403

    (line,) = refusals(caplog)
    assert line.levelno == logging.WARNING and line.name == "hub.security"
    where = ("/<region>/members/", "lausitz")
    assert (line.reason, line.user_id, line.route, line.region) == ("other_region", person.id, *where)
    assert line.getMessage() == "access_denied reason=other_region GET /<region>/members/"
    assert person.email not in logs.TextFormatter().format(line)


def test_a_wrong_role_is_refused_and_logged(client, auth, make, caplog):
    person = make.participant("erzgebirge")
    auth.login(person)
    caplog.set_level(logging.INFO)

    assert client.post("/erzgebirge/members/invitations", data={"email": "x@example.org"}).status_code == 403

    assert [(r.reason, r.user_id, r.region, r.method) for r in refusals(caplog)] == [
        ("wrong_role", person.id, "erzgebirge", "POST")
    ]


def test_the_api_s_role_checks_and_region_wall_are_logged(client, make, caplog):
    person = make.participant("erzgebirge")
    token = make.access_token(person)
    bearer = {"Authorization": f"Bearer {token.extra}"}
    caplog.set_level(logging.INFO)

    assert client.get("/api/v1/regions/erzgebirge/profiles/", headers=bearer).status_code == 403
    assert client.get("/api/v1/regions/lausitz/profiles/", headers=bearer).status_code == 403

    assert [(r.reason, r.user_id, r.region, r.route) for r in refusals(caplog)] == [
        ("wrong_role", person.id, "erzgebirge", "/api/v1/regions/<region>/profiles/"),
        ("other_region", person.id, "lausitz", "/api/v1/regions/<region>/profiles/"),
    ]
    assert not [r for r in caplog.records if token.extra in r.getMessage()]


def test_an_object_of_another_region_answers_404_and_is_logged_as_a_cross_region_attempt(client, auth, make, caplog):
    coordinator = make.coordinator("erzgebirge")
    foreign = make.profile("lausitz")
    auth.login(coordinator)
    caplog.set_level(logging.INFO)

    assert client.get(f"/erzgebirge/profiles/{foreign.id}/edit").status_code == 404
    assert client.get(f"/erzgebirge/profiles/{foreign.id + 1000}/edit").status_code == 404  # no such profile

    assert [(r.reason, r.user_id, r.region) for r in refusals(caplog)] == [
        ("other_region_object", coordinator.id, "erzgebirge")
    ]


def test_the_umbrella_s_attempt_to_change_a_region_is_logged(client, auth, make, caplog):
    umbrella = make.umbrella()
    auth.login(umbrella)
    caplog.set_level(logging.INFO)

    assert client.post("/lausitz/members/invitations", data={"email": "x@example.org"}).status_code == 403

    assert [(r.reason, r.user_id) for r in refusals(caplog)] == [("read_only", umbrella.id)]


def test_a_form_sent_without_its_csrf_token_is_logged_as_a_refusal(production_app, caplog):
    caplog.set_level(logging.INFO)

    response = production_app.test_client().post("/password/forgot", data={"email": "someone@example.org"})

    assert response.status_code == 400
    assert [(r.reason, r.route, r.user_id) for r in refusals(caplog)] == [("csrf", "/password/forgot", None)]


def test_a_permitted_request_logs_no_refusal(client, auth, make, caplog):
    auth.login(make.coordinator("lausitz"))
    caplog.set_level(logging.INFO)

    assert client.get("/lausitz/members/").status_code == 200
    assert refusals(caplog) == []


# -- mail in the log ----------------------------------------------------------------------------------


RESET_MAIL = "Hallo Erika,\n\nIhr Link: https://hub.example.org/password/reset/Zz9-geheim\n"


def test_in_development_without_a_mail_server_the_mail_is_printed_and_the_line_says_so(app, ctx, caplog):
    caplog.set_level(logging.INFO)
    with app.test_request_context():
        enqueue("demo@example.org", "Ihr neues Passwort", RESET_MAIL)
        db.session.flush()

    (line,) = hub_records(caplog, "hub.core.mail.demo")
    assert "development without HUB_MAIL_SERVER: printed here for the demo (never in production)" in line.getMessage()
    assert "To: demo@example.org" in line.getMessage()
    assert "/password/reset/Zz9-geheim" in line.getMessage()  # the demo's links can be clicked


def test_in_production_a_queued_mail_is_logged_by_id_and_topic_only(production_app, caplog):
    caplog.set_level(logging.DEBUG)
    with production_app.app_context(), production_app.test_request_context():
        message = enqueue("secret-person@example.org", "Ihr neues Passwort", RESET_MAIL)
        db.session.flush()
        number = message.id
        db.session.rollback()

    lines = [r.getMessage() for r in caplog.records if r.name.startswith("hub.core.mail")]
    assert lines == [f"mail {number} queued, topic essential; HUB_MAIL_SERVER is not set, so it waits in the outbox"]
    everything = "\n".join(logs.JsonFormatter().format(r) for r in caplog.records)
    for secret in ("secret-person", "Erika", "Zz9-geheim", "Ihr neues Passwort"):
        assert secret not in everything


# -- masking ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ('"GET /password/reset/AbC-123_xyz HTTP/1.1" 200', '"GET /password/reset/*** HTTP/1.1" 200'),
        ("https://hub.example.org/invitations/tok.en-1/", "https://hub.example.org/invitations/***/"),
        ("/unsubscribe/eyJlIjoiYSJ9.sig/undo", "/unsubscribe/***/undo"),
        ("/calendar/feeds/s3cr3t/mine.ics?x=1", "/calendar/feeds/***/mine.ics?x=1"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
        ("Cookie: session=.eJw.abc; lang=de", "Cookie: session=***; lang=de"),
        ("/lausitz/members/invitations/12/revoke", "/lausitz/members/invitations/12/revoke"),
        ("/invitations/<token>", "/invitations/<token>"),
    ],
)
def test_link_tokens_bearer_tokens_and_cookies_are_masked_in_every_line(ctx, line, masked):
    assert logs.redact(line) == masked


def test_in_production_addresses_and_the_values_quoted_by_a_database_error_are_masked_too(app, production_app):
    error = "IntegrityError: duplicate key\nDETAIL:  Key (email)=(anna@example.org) already exists.\n[SQL: INSERT …]"
    limit = "ratelimit 5 per 1 minute (login:anna@example.org) exceeded at endpoint: accounts.login"

    with production_app.app_context():
        assert logs.redact(error) == "IntegrityError: duplicate key\nDETAIL:  ***\n[SQL: INSERT …]"
        assert logs.redact(limit) == "ratelimit 5 per 1 minute (login:***@***) exceeded at endpoint: accounts.login"
    with app.app_context():  # a developer sees them
        assert logs.redact(error) == error and logs.redact(limit) == limit


def test_a_library_line_with_a_token_in_its_path_is_masked_before_any_handler_sees_it(caplog):
    caplog.set_level(logging.INFO)

    logging.getLogger("some.library").error("could not serve %s", "/password/reset/Secret123")
    logging.getLogger("werkzeug").info('127.0.0.1 - - [x] "%s" %s %s', "GET /invitations/Secret123 HTTP/1.1", 200, 5)

    assert [r.getMessage() for r in caplog.records] == ["could not serve /password/reset/***"]


def test_a_database_error_s_traceback_in_production_carries_no_form_data(production_app, caplog):
    @production_app.post("/test-only/fails")
    @link_credential
    def fails():
        from flask import request

        db.session.execute(text("INSERT INTO region (id, slug) VALUES (NULL, :slug)"), {"slug": request.form["slug"]})

    caplog.set_level(logging.DEBUG)
    response = production_app.test_client().post("/test-only/fails", data={"slug": "geheimer-formularwert"})

    assert response.status_code == 500
    (line,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert line.getMessage() == "unhandled error on POST /test-only/fails" and "IntegrityError" in line.exc_text
    assert "geheimer-formularwert" not in logs.JsonFormatter().format(line)
    assert "geheimer-formularwert" not in logs.TextFormatter().format(line)


# -- the production journey ---------------------------------------------------------------------------


_VISITORS = itertools.count(2)


def _own_address() -> str:
    """Each visitor comes from an address of its own (all of 127.0.0.0/8 is loopback), as people do:
    one visitor's failed login must not slow down another's."""
    return f"127.0.{next(_VISITORS) % 250}.{next(_VISITORS) % 250 + 2}"


class InProcessBrowser:
    """One visitor of the in-process app, with its own cookies and address."""

    def __init__(self, app):
        self.client = app.test_client()
        self.address = _own_address()

    def request(self, method: str, path: str, data=None, headers=None) -> tuple[int, str]:
        response = self.client.open(
            path, method=method, data=data, headers=headers or {}, environ_base={"REMOTE_ADDR": self.address}
        )
        return response.status_code, response.get_data(as_text=True)

    def cookies(self) -> list[str]:
        return [cookie.value for cookie in self.client._cookies.values()]


class HTTPBrowser:
    """One visitor of a real server over HTTP, with its own cookies."""

    def __init__(self, port: int):
        self.port = port
        self.jar: dict[str, str] = {}
        self.address = _own_address()

    def request(self, method: str, path: str, data=None, headers=None) -> tuple[int, str]:
        from urllib.parse import urlencode

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(self.address, 0))
        headers = dict(headers or {})
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.jar[name] = morsel.value
                else:
                    self.jar.pop(name, None)
        status, page = response.status, response.read().decode("utf-8", "replace")
        connection.close()
        return status, page

    def cookies(self) -> list[str]:
        return list(self.jar.values())


def _submit(browser, path: str, data: dict, form_page: str | None = None) -> tuple[int, str]:
    """Fill in a form as a browser does: open its page, send it back with the page's CSRF token."""
    status, page = browser.request("GET", form_page or path)
    assert status == 200, (form_page or path, status)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, f"{form_page or path} carries a CSRF token"
    return browser.request("POST", path, data={**data, "csrf_token": token.group(1)})


def _latest_mail(app, recipient: str, needle: str) -> OutboxMessage:
    with app.app_context(), all_regions():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient, OutboxMessage.body.contains(needle))
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"a mail with {needle} to {recipient}"
        db.session.expunge(message)
        return message


def _token_after(prefix: str, body: str) -> str:
    return re.search(re.escape(prefix) + r"([^/\s]+)", body).group(1)


def production_journey(app, make, open_browser) -> list[str]:
    """A day of the hub in production; returns every secret and personal datum that came up."""
    n = secrets.token_hex(3)
    coordinator = make.coordinator("lausitz", name=f"Henriette Koordinatorin{n}", email=f"henriette.{n}@example.org")
    person = make.participant("lausitz", name=f"Wilhelmine Teilnehmerin{n}", email=f"wilhelmine.{n}@example.org")
    token = make.access_token(coordinator).extra
    invitee_email, invitee_name = f"ottokar.{n}@example.org", f"Ottokar Neuling{n}"
    wrong_password, new_password = f"falsch-{n}-passwort", f"neues-{n}-passwort!"
    invitee_password = f"otto-{n}-passwort!"
    visitors = []

    def browser():
        visitors.append(open_browser())
        return visitors[-1]

    # A failed login, then a good one (remembered).
    stranger = browser()
    assert _submit(stranger, "/login", {"email": person.email, "password": wrong_password})[0] == 422
    member = browser()
    assert _submit(member, "/login", {"email": person.email, "password": PASSWORD, "remember": "y"})[0] == 302
    assert member.request("GET", "/account")[0] == 200

    # A private calendar feed, fetched by a calendar program.
    assert _submit(member, "/calendar/subscribe", {})[0] == 302
    status, page = member.request("GET", "/calendar/subscribe")
    assert status == 200
    feed = _token_after("/calendar/feeds/", page)
    assert stranger.request("GET", f"/calendar/feeds/{feed}/mine.ics")[0] == 200

    # A forgotten password: the link from the mail, a new password.
    assert _submit(stranger, "/password/forgot", {"email": person.email})[0] == 302
    reset_mail = _latest_mail(app, person.email, "/password/reset/")
    reset = _token_after("/password/reset/", reset_mail.body)
    reset_path = f"/password/reset/{reset}"
    assert _submit(stranger, reset_path, {"password": new_password, "password_confirm": new_password})[0] == 302

    # The coordinator invites someone, who accepts.
    staff = browser()
    assert _submit(staff, "/login", {"email": coordinator.email, "password": PASSWORD})[0] == 302
    invitation_form = {"email": invitee_email, "name": invitee_name, "role": "participant"}
    assert _submit(staff, "/lausitz/members/invitations", invitation_form, form_page="/lausitz/members/")[0] == 302
    invitation_mail = _latest_mail(app, invitee_email, "/invitations/")
    invitation = _token_after("/invitations/", invitation_mail.body)
    newcomer = browser()
    accept = {"name": invitee_name, "password": invitee_password, "password_confirm": invitee_password}
    assert _submit(newcomer, f"/invitations/{invitation}", accept)[0] == 302
    assert newcomer.request("GET", "/lausitz/")[0] == 200

    # A script with the coordinator's token: its own region, and a refused look into another.
    api, bearer = browser(), {"Authorization": f"Bearer {token}"}
    assert api.request("GET", "/api/v1/me", headers=bearer)[0] == 200
    assert api.request("GET", "/api/v1/regions/erzgebirge/profiles/", headers=bearer)[0] == 403

    # The unsubscribe link of the reset mail, opened and clicked.
    unsubscribe_path = urlsplit(reset_mail.unsubscribe_url).path
    unsubscribe = _token_after("/unsubscribe/", unsubscribe_path)
    assert stranger.request("GET", unsubscribe_path)[0] == 200
    assert stranger.request("POST", unsubscribe_path)[0] == 200

    cookies = [value for visitor in visitors for value in visitor.cookies() if len(value) >= 16]
    assert len(cookies) >= 3, "the session and remember-me cookies of the people who logged in"
    return [
        PASSWORD,
        wrong_password,
        new_password,
        invitee_password,
        token,
        feed,
        reset,
        invitation,
        unsubscribe,
        *cookies,
        person.email,
        coordinator.email,
        invitee_email,
        person.name,
        coordinator.name,
        invitee_name,
        f"Teilnehmerin{n}",
        f"Koordinatorin{n}",
        f"Neuling{n}",
    ]


def _leaks(lines: list[str], secret_values: list[str]) -> list[tuple[str, str]]:
    return [(value, line) for line in lines for value in secret_values if value in line]


def test_a_production_journey_logs_no_password_token_link_cookie_address_or_name(app, make, production_app, caplog):
    caplog.set_level(logging.DEBUG)

    secret_values = production_journey(app, make, lambda: InProcessBrowser(production_app))

    records = caplog.records
    formats = (logging.LogRecord.getMessage, logs.JsonFormatter().format, logs.TextFormatter().format)
    lines = [form(record) for record in records for form in formats]
    assert _leaks(lines, secret_values) == []
    routes = {r.route for r in records if getattr(r, "event", None) == "request"}
    assert {"/password/reset/<token>", "/invitations/<token>", "/unsubscribe/<token>"} <= routes
    assert "/calendar/feeds/<token>/mine.ics" in routes
    assert any(re.fullmatch(r"mail \d+ queued, topic essential; .*outbox", r.getMessage()) for r in records)
    assert [r.reason for r in records if getattr(r, "event", None) == "access_denied"] == ["other_region"]


@pytest.mark.slow
@pytest.mark.processes
def test_a_real_production_server_writes_no_secret_to_its_log(app, make):
    port = free_port()
    settings = {**PRODUCTION, "LOG_LEVEL": "DEBUG"}
    server = hub_process(app, "run", "--host", "127.0.0.1", "--port", str(port), **settings)
    try:
        _wait_until_serving(server, port)
        secret_values = production_journey(app, make, lambda: HTTPBrowser(port))
    finally:
        code, output = stop(server)
    lines = output.splitlines()
    assert _leaks(lines, secret_values) == []
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(e.get("route") == "/password/reset/<token>" and e.get("status") == 302 for e in entries), output
    assert any(e.get("reason") == "other_region" and e.get("region") == "erzgebirge" for e in entries), output


def _wait_until_serving(server, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/login")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")
