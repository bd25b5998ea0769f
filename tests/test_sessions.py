"""Login sessions live in the database: logging out, a password change and "sign out everywhere" end them on
every device, whatever copies of the cookies exist; API tokens are a credential of their own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from hub import create_app
from hub.accounts.models import LoginSession, User
from hub.core.db import db, utcnow
from hub.core.jobs.runner import execute
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD
from tests.pages import CONFIRMED, bearer, page, shown

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1"
NEW_PASSWORD = "a brand new passphrase"


def log_in(client, person, *, remember: bool = False, agent: str = FIREFOX):
    data = {"email": person.email, "password": PASSWORD}
    if remember:
        data["remember"] = "true"
    client.environ_base["HTTP_USER_AGENT"] = agent  # this browser's from now on
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.status_code
    return response


def opens_account(client) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def copy_of(app, client, *names: str):
    """A second browser holding copies of the given cookies of ``client`` (and its User-Agent, as a thief would)."""
    thief = app.test_client()
    thief.environ_base["HTTP_USER_AGENT"] = client.environ_base.get("HTTP_USER_AGENT", "")
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        thief.set_cookie(name, cookie.value)
    return thief


def session_rows(app, person) -> list[LoginSession]:
    with app.app_context():
        rows = db.session.scalars(
            select(LoginSession).where(LoginSession.user_id == person.id).order_by(LoginSession.id)
        )
        found = list(rows)
        db.session.expunge_all()
        return found


def csrf_token_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# Logout ends the session everywhere --------------------------------------------------------------


def test_a_session_cookie_copied_before_logout_no_longer_opens_the_account(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person)
    thief = copy_of(app, client, "session")
    assert opens_account(thief), "the copy works while the session lives"
    client.post("/logout")
    assert not opens_account(thief)
    assert not opens_account(client)


def test_a_remember_cookie_copied_before_logout_no_longer_opens_the_account(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person, remember=True)
    thief = copy_of(app, client, "remember_token")
    witness = copy_of(app, client, "remember_token")
    assert opens_account(witness), "the remember cookie alone opens the account while the session lives"
    client.post("/logout")
    assert not opens_account(thief)
    assert not opens_account(witness)


def test_logging_out_ends_only_this_devices_session(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person)
    phone = app.test_client()
    log_in(phone, person, agent=SAFARI)
    client.post("/logout")
    assert opens_account(phone)
    assert len(session_rows(app, person)) == 1


def test_the_cookies_carry_no_account_id_and_the_database_no_raw_session_id(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person, remember=True)
    remembered = client.get_cookie("remember_token").value
    raw = remembered.split("|")[0]
    assert raw != str(person.id) and len(raw) >= 40
    [row] = session_rows(app, person)
    assert row.token_hash != raw and raw not in row.token_hash


# Password change and reset, sign out everywhere, ending one session ------------------------------


def test_a_password_change_ends_the_other_devices_but_not_this_one(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person)
    phone = app.test_client()
    log_in(phone, person, agent=SAFARI)
    remembered = app.test_client()
    log_in(remembered, person, remember=True)
    stolen = copy_of(app, remembered, "remember_token")
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert opens_account(client)
    assert not opens_account(phone)
    assert not opens_account(remembered)
    assert not opens_account(stolen)
    assert len(session_rows(app, person)) == 1


def test_a_password_reset_ends_every_session_of_the_account(app, client, make):
    from hub.accounts import services

    person = make.participant("erzgebirge")
    log_in(client, person, remember=True)
    with app.app_context():
        services.request_password_reset(person.email)
        raw = "a-known-reset-token-for-this-test"
        user = db.session.get(User, person.id)
        user.password_reset_hash = services._digest(raw)
        db.session.commit()
    stranger = app.test_client()
    response = stranger.post(
        f"/password/reset/{raw}", data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not opens_account(client)
    assert session_rows(app, person) == []


def test_sign_out_everywhere_ends_every_session_this_one_too(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person)
    phone = app.test_client()
    log_in(phone, person, remember=True, agent=SAFARI)
    stolen = copy_of(app, phone, "remember_token")
    response = client.post("/account/sessions/end-all", data=CONFIRMED)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    for browser in (client, phone, stolen):
        assert not opens_account(browser)
    assert session_rows(app, person) == []


def test_the_account_page_lists_the_active_sessions_with_device_and_this_device(app, client, make):
    person = make.participant("erzgebirge")
    other = make.participant("erzgebirge")
    log_in(client, person)
    log_in(app.test_client(), person, agent=SAFARI)
    log_in(app.test_client(), other)
    html = page(client.get("/account"))
    assert "Firefox (Linux)" in html and "Safari (iOS)" in html
    assert html.count(shown(app, "End session")) == 2, "another person's session is not listed"
    assert html.count(f"({shown(app, 'this device')})") == 1
    this_row = html[: html.index(f"({shown(app, 'this device')})")].rsplit("<tr>", 1)[1]
    assert "Firefox (Linux)" in this_row


def test_ending_one_listed_session_signs_that_device_out_only(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person)
    phone = app.test_client()
    log_in(phone, person, agent=SAFARI)
    mine, phones = session_rows(app, person)
    response = client.post(f"/account/sessions/{phones.id}/end", data=CONFIRMED)
    assert response.status_code == 302
    assert not opens_account(phone)
    assert opens_account(client)
    assert [row.id for row in session_rows(app, person)] == [mine.id]


def test_nobody_ends_another_persons_session(app, client, make):
    person = make.participant("erzgebirge")
    other = make.participant("erzgebirge")
    victim = app.test_client()
    log_in(victim, other)
    [theirs] = session_rows(app, other)
    log_in(client, person)
    assert client.post(f"/account/sessions/{theirs.id}/end").status_code == 404
    assert opens_account(victim)


def test_ending_this_devices_own_session_from_the_list_logs_it_out(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person)
    [mine] = session_rows(app, person)
    client.post(f"/account/sessions/{mine.id}/end", data=CONFIRMED)
    assert not opens_account(client)


# Expiry and retention --------------------------------------------------------------------------


def test_an_expired_session_opens_nothing_and_the_retention_job_deletes_its_row(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person)
    phone = app.test_client()
    log_in(phone, person, agent=SAFARI)
    expired, alive = session_rows(app, person)
    with app.app_context():
        db.session.execute(
            update(LoginSession).where(LoginSession.id == expired.id).values(expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    assert not opens_account(client)
    assert opens_account(phone)
    with app.app_context():
        assert execute("accounts.session_retention").summary["sessions"] == 1
    assert [row.id for row in session_rows(app, person)] == [alive.id]


def test_a_session_lasts_twelve_hours_and_a_remembered_one_two_weeks(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person)
    log_in(app.test_client(), person, remember=True)
    short, remembered = session_rows(app, person)
    assert short.expires_at - short.created_at == app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)
    assert remembered.expires_at - remembered.created_at == app.config["REMEMBER_COOKIE_DURATION"]


def test_last_seen_moves_on_after_a_few_minutes_not_at_every_request(app, client, make):
    person = make.participant("erzgebirge")
    log_in(client, person)
    [row] = session_rows(app, person)

    def seen_ago(minutes: int):
        with app.app_context():
            moment = utcnow() - timedelta(minutes=minutes)
            db.session.execute(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=moment))
            db.session.commit()
        return moment

    recent = seen_ago(1)
    client.get("/account")
    assert session_rows(app, person)[0].last_seen_at == recent
    long_ago = seen_ago(10)
    client.get("/account")
    assert session_rows(app, person)[0].last_seen_at > long_ago + timedelta(minutes=9)


# API tokens, CSRF, cookie flags -----------------------------------------------------------------


def test_api_tokens_keep_working_when_sessions_end(app, client, make):
    person = make.participant("erzgebirge")
    token = make.access_token(person)
    log_in(client, person)
    client.post("/account/sessions/end-all", data=CONFIRMED)
    assert app.test_client().get("/api/v1/me", headers=bearer(token.extra)).status_code == 200
    log_in(client, person)
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert app.test_client().get("/api/v1/me", headers=bearer(token.extra)).status_code == 200


def test_a_logged_out_sessions_csrf_token_is_refused(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    person = make.participant("erzgebirge")
    form = csrf_token_in(page(client.get("/login")))
    client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": form})
    token = csrf_token_in(page(client.get("/account")))
    thief = copy_of(app, client, "session")
    sent = {"lang": "en", "next": "/", "csrf_token": token}
    assert copy_of(app, client, "session").post("/language", data=sent).status_code == 302, "valid while logged in"
    client.post("/logout", data={"csrf_token": token})
    response = thief.post("/language", data=sent)
    assert response.status_code == 400
    assert shown(app, "The form has expired. Please reload the page and try again.") in page(response)


def test_csrf_tokens_expire_with_the_session(app, client, make, monkeypatch, time_machine):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    start = utcnow()
    time_machine.move_to(start, tick=False)
    token = csrf_token_in(page(client.get("/login")))
    sent = {"lang": "en", "next": "/", "csrf_token": token}
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    # Shortly before the end the form still works, and the cookie is signed anew by it.
    time_machine.move_to(start + lifetime - timedelta(hours=1), tick=False)
    assert client.post("/language", data=sent).status_code == 302
    time_machine.move_to(start + lifetime + timedelta(hours=1), tick=False)
    assert client.post("/language", data=sent).status_code == 400


@pytest.mark.parametrize("secure", [True, False])
def test_the_remember_cookie_is_secure_when_the_session_cookie_is(app, make, secure):
    other = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SESSION_COOKIE_SECURE": secure,
        }
    )
    person = make.participant("erzgebirge")
    response = other.test_client().post(
        "/login", data={"email": person.email, "password": PASSWORD, "remember": "true"}
    )
    [remember] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert ("; Secure" in remember) is secure
    assert "; HttpOnly" in remember


def test_a_signed_in_request_loads_session_account_memberships_and_regions_in_one_statement(app, client, auth, make):
    """The loader runs on every request: one statement, however many regions the person belongs to."""
    from hub.accounts.models import Membership
    from hub.core.roles import Role
    from hub.core.tenancy import all_regions
    from hub.core.tenancy.models import Region
    from tests.statements import counted

    person = make.participant("lausitz")
    auth.login(person)
    url, window = "/api/v1/calendar", {"start": "2026-03-01", "end": "2026-03-02"}
    assert client.get(url, query_string=window).status_code == 200

    def statements() -> list[str]:
        with counted(app) as sent:
            assert client.get(url, query_string=window).status_code == 200
        return sent

    one = statements()
    with app.app_context(), all_regions():
        for region in db.session.scalars(select(Region).where(Region.slug != "lausitz")):
            db.session.add(Membership(user_id=person.id, region_id=region.id, role=Role.PARTICIPANT))
        db.session.commit()
    many = statements()
    assert len(many) == len(one)
    loads = [s for s in many if "login_session" in s and s.lstrip().upper().startswith("SELECT")]
    assert len(loads) == 1 and "membership" in loads[0] and "region" in loads[0]
    assert not [s for s in many if s.lstrip().upper().startswith("SELECT") and "FROM membership" in s]
