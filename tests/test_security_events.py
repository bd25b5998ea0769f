"""Security events of accounts: each sign-in, failed sign-in, sign-out, password change and reset, ended session,
sign-out everywhere and API token appears once, with its kind and account; admins read them all, each person
their own."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hub.accounts import services
from hub.accounts.models import AccessToken, LoginSession, User
from hub.accounts.security_log import SecurityEvent
from hub.core.db import db, utcnow
from tests.factories import PASSWORD
from tests.pages import CONFIRMED, page, shown

NEW_PASSWORD = "a brand new passphrase"


def logged(app) -> list[SecurityEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)))
        db.session.expunge_all()
        return found


def kinds(app) -> list[tuple[str, int | None]]:
    return [(e.kind, e.user_id) for e in logged(app)]


def test_a_login_and_a_logout_are_logged_once_each(app, client, auth, make):
    person = make.participant("erzgebirge")
    auth.login(person)
    auth.logout()
    assert kinds(app) == [("login", person.id), ("logout", person.id)]
    login = logged(app)[0]
    assert login.email == person.email and login.ip_address == "127.0.0.1"


def test_a_failed_login_keeps_the_address_tried_never_the_password(app, client, auth, make):
    person = make.participant("erzgebirge")
    auth.login(person, "wrong horse battery staple")
    auth.login("Nobody@Example.org", "another secret guess")
    wrong_password, unknown = logged(app)
    assert (wrong_password.kind, wrong_password.user_id, wrong_password.email) == (
        "login_failed",
        person.id,
        person.email,
    )
    assert (unknown.kind, unknown.user_id, unknown.email) == ("login_failed", None, "nobody@example.org")
    for event in (wrong_password, unknown):
        stored = repr((event.email, event.detail, event.device, event.ip_address))
        assert "horse" not in stored and "guess" not in stored


def test_password_change_and_reset_are_logged(app, client, auth, make):
    person = make.participant("erzgebirge")
    auth.login(person)
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    with app.app_context():
        user = db.session.get(User, person.id)
        user.password_reset_hash = services._digest("known-token")
        user.password_reset_expires_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    app.test_client().post("/password/reset/known-token", data={"password": PASSWORD, "password_confirm": PASSWORD})
    assert kinds(app) == [("login", person.id), ("password_changed", person.id), ("password_reset", person.id)]


def test_ending_a_session_and_signing_out_everywhere_are_logged(app, client, auth, make):
    person = make.participant("erzgebirge")
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Android 14) Chrome/126.0 Mobile"
    phone.post("/login", data={"email": person.email, "password": PASSWORD})
    auth.login(person)
    with app.app_context():
        phones = db.session.scalars(select(LoginSession).order_by(LoginSession.id)).first()
    client.post(f"/account/sessions/{phones.id}/end", data=CONFIRMED)
    client.post("/account/sessions/end-all", data=CONFIRMED)
    assert kinds(app)[2:] == [("session_ended", person.id), ("signed_out_everywhere", person.id)]
    ended, everywhere = logged(app)[2:]
    assert ended.detail == {"session": "Chrome (Android)"}
    assert everywhere.detail == {"sessions": "1"}


def test_api_tokens_made_and_revoked_are_logged(app, client, auth, make):
    person = make.participant("erzgebirge")
    auth.login(person)
    client.post("/account/tokens", data={"name": "Tabellen-Export"})
    with app.app_context():
        token_id = db.session.scalar(select(AccessToken.id))
    client.post(f"/account/tokens/{token_id}/revoke", data=CONFIRMED)
    client.post(f"/account/tokens/{token_id}/revoke")
    assert kinds(app)[1:] == [("token_created", person.id), ("token_revoked", person.id)]
    assert logged(app)[1].detail == {"token": "Tabellen-Export"}


def test_each_person_sees_their_own_recent_security_events_on_the_account_page(app, client, auth, make):
    person = make.participant("erzgebirge")
    other = make.participant("erzgebirge")
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}  # the failures come from another client: no back-off for this one
    wrong = "wrong horse battery staple"
    app.test_client().post("/login", data={"email": other.email, "password": wrong}, environ_base=elsewhere)
    app.test_client().post("/login", data={"email": person.email, "password": wrong}, environ_base=elsewhere)
    auth.login(person)
    html = page(client.get("/account"))
    section = html[html.index(shown(app, "Recent security events")) :]
    assert section.count(shown(app, "Failed sign-in")) == 1
    assert section.count(shown(app, "Signed in")) == 1


def test_admins_read_every_accounts_security_events_and_nobody_else(app, client, auth, make):
    admin = make.admin()
    person = make.participant("erzgebirge")
    app.test_client().post(
        "/login",
        data={"email": person.email, "password": "wrong horse battery staple"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},  # another client, so the reader's login is not slowed down
    )
    for reader in (person, make.umbrella(), make.coordinator("erzgebirge")):
        browser = app.test_client()
        browser.post("/login", data={"email": reader.email, "password": PASSWORD})
        assert browser.get("/admin/security").status_code == 403
    auth.login(admin)
    html = page(client.get("/admin/security"))
    assert person.email in html and shown(app, "Failed sign-in") in html and shown(app, "wrong password") in html
    only_failed = page(client.get("/admin/security", query_string={"kind": "login_failed"}))
    assert person.email in only_failed and admin.email not in only_failed
    assert client.get("/admin/security", query_string={"kind": "nonsense"}).status_code == 422
    assert client.get("/admin/security", query_string={"page": "0"}).status_code == 422
