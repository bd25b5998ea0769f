"""The optional second factor (TOTP, RFC 6238): set up with a QR code, log in with a code used once,
recovery codes, turning it off; required for admins and the umbrella in production."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from hub.accounts.models import RecoveryCode, User
from hub.accounts.security_log import SecurityEvent
from hub.core.db import db, utcnow
from tests.factories import PASSWORD
from tests.pages import page, shown


def secret_of(app, person) -> str | None:
    with app.app_context():
        return db.session.get(User, person.id).totp_secret


def is_enabled(app, person) -> bool:
    with app.app_context():
        return db.session.get(User, person.id).two_factor_enabled


def next_code(secret: str) -> str:
    """A code of the coming time step (accepted, and never the one the set-up just used)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def set_up(app, client, person) -> tuple[str, list[str]]:
    """Turn the second factor on through the pages; returns the secret and the recovery codes shown."""
    client.get("/account/two-factor")
    secret = secret_of(app, person)
    response = client.post("/account/two-factor/enable", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.status_code
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", page(response))
    return secret, codes


def opens_account(client) -> bool:
    return client.get("/account").status_code == 200


def password_step(client, person, **extra):
    return client.post("/login", data={"email": person.email, "password": PASSWORD, **extra})


def events(app, kind: str) -> list[SecurityEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind)))
        db.session.expunge_all()
        return found


@pytest.fixture
def person(make):
    return make.participant("erzgebirge")


# Setting up ---------------------------------------------------------------------------------------


def test_the_set_up_page_shows_a_local_svg_qr_code_and_the_key_for_manual_entry(app, client, auth, person):
    auth.login(person)
    html = page(client.get("/account/two-factor"))
    secret = secret_of(app, person)
    assert secret and secret in html
    assert '<img src="data:image/svg+xml' in html
    assert "style=" not in html.split("<main", 1)[-1] and "<script" not in html.split("<main", 1)[-1]
    assert not is_enabled(app, person), "the secret waits for a first code"


def test_setting_up_with_a_valid_code_turns_it_on_and_shows_ten_recovery_codes_once(app, client, auth, person):
    auth.login(person)
    _secret, codes = set_up(app, client, person)
    assert is_enabled(app, person)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == person.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored), "only hashes are stored"
    again = page(client.get("/account/two-factor"))
    assert not any(code in again for code in codes)
    assert len(events(app, "two_factor_enabled")) == 1


def test_a_wrong_code_does_not_turn_it_on(app, client, auth, person):
    auth.login(person)
    client.get("/account/two-factor")
    response = client.post("/account/two-factor/enable", data={"code": "000000"})
    assert response.status_code == 422
    assert shown(app, "This code is not valid. Please enter the current code from your app.") in page(response)
    assert not is_enabled(app, person)


def test_a_refused_code_starts_no_set_up_the_person_did_not_open(app, client, auth, person):
    """Only the set-up page and the actions write: rendering a refusal shows the set-up as it is."""
    auth.login(person)
    response = client.post("/account/two-factor/enable", data={"code": "000000"})
    assert response.status_code == 422
    assert shown(app, "Please start the set-up again.") in page(response)
    assert secret_of(app, person) is None, "no secret was written for a page the person never opened"
    assert 'href="/account/two-factor"' in page(response)


def test_a_refused_code_shows_the_set_up_under_way_again(app, client, auth, person):
    auth.login(person)
    client.get("/account/two-factor")
    secret = secret_of(app, person)
    response = client.post("/account/two-factor/enable", data={"code": ""})
    assert response.status_code == 422
    assert secret in page(response) and secret_of(app, person) == secret


# Logging in ---------------------------------------------------------------------------------------


def test_login_asks_for_the_code_after_the_password_and_opens_nothing_before(app, client, auth, person):
    auth.login(person)
    secret, _codes = set_up(app, client, person)
    auth.logout()
    response = password_step(client, person)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert not opens_account(client)
    assert client.get("/api/v1/me").status_code == 401
    response = client.post("/login/code", data={"code": next_code(secret)})
    assert response.status_code == 302
    assert opens_account(client)


def test_a_code_works_once(app, client, auth, person):
    auth.login(person)
    secret, _codes = set_up(app, client, person)
    auth.logout()
    code = next_code(secret)
    password_step(client, person)
    client.post("/login/code", data={"code": code})
    assert opens_account(client)
    auth.logout()
    password_step(client, person)
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 422
    assert not opens_account(client)


def test_wrong_codes_count_as_failed_logins_in_the_same_back_off(app, client, auth, person, time_machine):
    auth.login(person)
    secret, _codes = set_up(app, client, person)
    auth.logout()
    start = utcnow() + timedelta(seconds=60)  # past the time step of the code that confirmed the set-up
    time_machine.move_to(start, tick=False)
    password_step(client, person)
    waits = []
    for _ in range(3):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 422
        refused = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
        assert refused.status_code == 429, "even the right code waits out the back-off"
        waits.append(int(refused.headers["Retry-After"]))
        time_machine.shift(timedelta(seconds=waits[-1]))
    assert waits == sorted(waits) and waits[-1] > waits[0], waits
    failed = events(app, "login_failed")
    assert len(failed) == 3 and {e.user_id for e in failed} == {person.id}
    assert {e.detail["reason"] for e in failed} == {"code"}
    assert client.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 302


def test_the_code_step_times_out(app, client, auth, person, time_machine):
    auth.login(person)
    secret, _codes = set_up(app, client, person)
    auth.logout()
    start = utcnow()
    time_machine.move_to(start, tick=False)
    password_step(client, person)
    time_machine.move_to(start + timedelta(seconds=app.config["TWO_FACTOR_STEP_SECONDS"] + 1), tick=False)
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not opens_account(client)


def test_a_recovery_code_logs_in_once(app, client, auth, person):
    auth.login(person)
    _secret, codes = set_up(app, client, person)
    auth.logout()
    password_step(client, person)
    assert client.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    assert opens_account(client)
    auth.logout()
    password_step(client, person)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 422
    assert not opens_account(client)
    [used] = events(app, "recovery_code_used")
    assert used.user_id == person.id and used.detail["left"] == "9"


def test_a_remembered_login_with_the_second_factor_stays_remembered(app, client, auth, person):
    auth.login(person)
    secret, _codes = set_up(app, client, person)
    auth.logout()
    password_step(client, person, remember="true")
    client.post("/login/code", data={"code": next_code(secret)})
    assert client.get_cookie("remember_token") is not None


# Turning it off and new recovery codes -----------------------------------------------------------


def test_turning_it_off_needs_the_password_or_a_code(app, client, auth, person):
    auth.login(person)
    secret, _codes = set_up(app, client, person)
    response = client.post("/account/two-factor/disable", data={"password_or_code": "not my password"})
    assert response.status_code == 422 and is_enabled(app, person)
    assert client.post("/account/two-factor/disable", data={"password_or_code": PASSWORD}).status_code == 302
    assert not is_enabled(app, person) and secret_of(app, person) is None
    with app.app_context():
        assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == person.id)).all() == []
    assert len(events(app, "two_factor_disabled")) == 1
    auth.logout()
    assert password_step(client, person).headers["Location"] != "/login/code"
    assert opens_account(client)


def test_turning_it_off_with_a_current_code(app, client, auth, person):
    auth.login(person)
    secret, _codes = set_up(app, client, person)
    response = client.post("/account/two-factor/disable", data={"password_or_code": next_code(secret)})
    assert response.status_code == 302 and not is_enabled(app, person)


def test_new_recovery_codes_replace_the_old_ones(app, client, auth, person, time_machine):
    auth.login(person)
    _secret, old = set_up(app, client, person)
    response = client.post("/account/two-factor/recovery-codes", data={"password": PASSWORD})
    new = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", page(response))
    assert len(new) == 10 and not set(new) & set(old)
    auth.logout()
    password_step(client, person)
    assert client.post("/login/code", data={"code": old[0]}).status_code == 422
    time_machine.move_to(utcnow() + timedelta(seconds=2))  # past the wrong code's back-off
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302


# Required in production --------------------------------------------------------------------------


@pytest.fixture
def production(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV", "production")


@pytest.mark.parametrize("role", ["admin", "umbrella"])
def test_admins_and_the_umbrella_set_it_up_first_in_production(app, client, make, production, role):
    staff = getattr(make, role)()
    response = password_step(client, staff)
    assert response.headers["Location"].endswith("/account/two-factor")
    for path in ("/umbrella", "/account", "/umbrella/audit"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/account/two-factor"), path
    assert client.get("/api/v1/me").status_code == 403
    set_up(app, client, staff)
    assert client.get("/umbrella").status_code == 200


def test_where_required_it_cannot_be_turned_off(app, client, make, production):
    admin = make.admin()
    password_step(client, admin)
    set_up(app, client, admin)
    response = client.post("/account/two-factor/disable", data={"password_or_code": PASSWORD})
    assert response.status_code == 422
    assert is_enabled(app, admin)


def test_participants_are_not_asked_in_production(app, client, production, person):
    password_step(client, person)
    assert opens_account(client)


def test_outside_production_admins_are_not_forced(app, client, make):
    admin = make.admin()
    password_step(client, admin)
    assert client.get("/umbrella").status_code == 200
