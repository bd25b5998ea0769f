"""Accounts as people meet them: logging in, invitations, password reset, the account page, tokens,
and the coordinator's member management.

Visible texts are compared in the default language (German) through ``shown()``: until the German
catalogue exists, that is the English msgid; once it exists, the test checks the German text.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import func, select

from hub.accounts import services
from hub.accounts.models import AccessToken, Invitation, Membership, User
from hub.accounts.passwords import verify_password
from hub.core.db import db, utcnow
from hub.core.extensions import limiter
from hub.core.mail.models import OutboxMessage
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from tests.factories import PASSWORD
from tests.pages import CONFIRMED, field_error, flashes, form_error, page, refusal_shown, shown, shown_field_message

NEW_PASSWORD = "a brand new passphrase"


# Helpers ---------------------------------------------------------------------------------------


def too_short_password(app) -> str:
    """What a page says about a password outside 12 to 128 characters."""
    return shown_field_message(app, "Length must be between {min} and {max}.", min=12, max=128)


def redirect_path(response) -> str:
    """Where a redirect points (query unquoted), checked to stay on this host."""
    target = urlsplit(response.headers["Location"])
    assert target.netloc in ("", "localhost"), response.headers["Location"]
    return target.path + (f"?{unquote(target.query)}" if target.query else "")


def user_row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def password_of(app, user_id: int) -> str:
    return user_row(app, user_id).password_hash


def checks_password(app, user_id: int, password: str) -> bool:
    with app.app_context():
        return verify_password(password_of(app, user_id), password)


def memberships_of(app, user_id: int) -> dict[str, Role]:
    """The user's roles by region slug."""
    with app.app_context(), all_regions():
        rows = db.session.scalars(select(Membership).where(Membership.user_id == user_id)).all()
        return {m.region.slug: m.role for m in rows}


def membership_id(app, user_id: int, region: str) -> int:
    with app.app_context(), all_regions():
        return next(
            m.id
            for m in db.session.scalars(select(Membership).where(Membership.user_id == user_id))
            if m.region.slug == region
        )


def outbox(app, recipient: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if recipient is not None:
            query = query.where(OutboxMessage.recipient == recipient)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def link_in(message: OutboxMessage, path: str) -> str:
    """The token of the link to ``path`` in an e-mail body."""
    found = re.search(rf"https?://[^/\s]+{re.escape(path)}(\S+)", message.body)
    assert found, message.body
    return found.group(1)


def invitations(app, email: str | None = None) -> list[Invitation]:
    with app.app_context(), all_regions():
        query = select(Invitation).order_by(Invitation.id)
        if email is not None:
            query = query.where(Invitation.email == email)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def is_logged_in(client) -> bool:
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and redirect_path(response).startswith("/login"), response.status_code
    return False


@pytest.fixture
def coordinator(make, auth):
    """A coordinator of Erzgebirge, logged in on ``client``."""
    person = make.coordinator("erzgebirge", name="Clara Koordinatorin")
    assert auth.login(person).status_code == 302
    return person


# Login and logout ------------------------------------------------------------------------------


def test_login_with_correct_password_starts_a_session(client, make, auth):
    person = make.participant("erzgebirge", name="Paula Teilnehmerin")
    response = auth.login(person)
    assert response.status_code == 302
    assert redirect_path(response) == "/"
    account = client.get("/account")
    assert account.status_code == 200
    assert "Paula Teilnehmerin" in page(account)
    assert person.email in page(account)


def test_login_records_the_time_of_the_last_login(app, make, auth):
    person = make.participant("erzgebirge")
    assert user_row(app, person.id).last_login_at is None
    auth.login(person)
    assert user_row(app, person.id).last_login_at is not None


def test_login_with_a_hash_of_the_old_parameters_stores_one_of_the_new(app, make, auth, monkeypatch):
    """Hashes made before issue 19 (RFC 9106 low-memory: 64 MiB, t=3, p=4) become OWASP's Argon2id (19 MiB, t=2,
    p=1) at the next login, and the old one keeps working until then."""
    from argon2 import extract_parameters

    from hub.accounts.passwords import OWASP_ARGON2ID, hasher

    person = make.participant("erzgebirge")
    monkeypatch.setitem(app.config, "PASSWORD_HASH_PROFILE", "default")
    with app.app_context():
        old = hasher("rfc9106_low_memory").hash(PASSWORD)
        db.session.get(User, person.id).password_hash = old
        db.session.commit()
    assert auth.login(person).status_code == 302
    stored = user_row(app, person.id).password_hash
    assert stored != old
    assert extract_parameters(stored) == OWASP_ARGON2ID
    assert (OWASP_ARGON2ID.memory_cost, OWASP_ARGON2ID.time_cost, OWASP_ARGON2ID.parallelism) == (19456, 2, 1)
    with app.app_context():
        assert verify_password(stored, PASSWORD)


def test_login_is_case_insensitive_in_the_email_address(client, make, auth):
    make.participant("erzgebirge", email="mixed@example.org")
    assert auth.login("  MIXED@Example.org ").status_code == 302
    assert is_logged_in(client)


def test_wrong_password_is_refused_with_a_message(app, client, make, auth):
    person = make.participant("erzgebirge")
    response = auth.login(person, "not the password")
    assert response.status_code == 422
    assert form_error(page(response)) == shown(app, "E-mail address or password is wrong.")
    assert not is_logged_in(client)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(app, client, make, auth):
    person = make.participant("erzgebirge")
    wrong_password = auth.login(person, "not the password")
    unknown = auth.login("nobody@example.org", PASSWORD)
    assert unknown.status_code == wrong_password.status_code == 422
    assert form_error(page(unknown)) == form_error(page(wrong_password))
    assert form_error(page(unknown)) == shown(app, "E-mail address or password is wrong.")
    assert not is_logged_in(client)


def test_inactive_user_cannot_log_in_and_gets_the_same_answer(app, client, make, auth):
    person = make.participant("erzgebirge")
    with app.app_context():
        db.session.get(User, person.id).active = False
        db.session.commit()
    response = auth.login(person)
    assert response.status_code == 422
    assert form_error(page(response)) == shown(app, "E-mail address or password is wrong.")
    assert not is_logged_in(client)


def test_deactivating_a_user_ends_their_running_session(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    assert is_logged_in(client)
    with app.app_context():
        db.session.get(User, person.id).active = False
        db.session.commit()
    assert not is_logged_in(client)


def test_login_without_fields_names_the_missing_fields(app, client):
    response = client.post("/login", data={})
    assert response.status_code == 422
    required = shown_field_message(app, "This field is required.")
    assert field_error(page(response), "email") == required
    assert field_error(page(response), "password") == required


def test_logout_ends_the_session(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    response = auth.logout()
    assert response.status_code == 302
    assert redirect_path(response) == "/"
    assert shown(app, "You have been logged out.") in page(client.get("/"))
    assert not is_logged_in(client)


def test_pages_for_members_send_visitors_to_the_login_with_a_way_back(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert redirect_path(response) == "/login?next=/account"


# The `next` target after login ------------------------------------------------------------------


def test_login_returns_to_a_page_on_this_host(client, make):
    person = make.participant("erzgebirge")
    response = client.post("/login", data={"email": person.email, "password": PASSWORD, "next": "/x"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/x"


@pytest.mark.parametrize(
    "target",
    [
        "http://evil.example/",
        "https://evil.example/account",
        "//evil.example",
        "///evil.example",
        " //evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "evil.example",
    ],
)
def test_login_never_redirects_to_another_host(client, make, target):
    person = make.participant("erzgebirge")
    response = client.post("/login", data={"email": person.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logged_in_user_visiting_login_goes_to_a_safe_next_page(client, make, auth):
    auth.login(make.participant("erzgebirge"))
    assert client.get("/login?next=/account").headers["Location"] == "/account"
    assert client.get("/login?next=//evil.example/").headers["Location"] == "/"


# Throttling ------------------------------------------------------------------------------------


def test_a_wrong_password_makes_the_same_client_wait_before_trying_that_account_again(
    app, client, make, auth, time_machine
):
    time_machine.move_to(utcnow(), tick=False)
    person = make.participant("erzgebirge")
    assert auth.login(person, "wrong password").status_code == 422
    response = auth.login(person)  # even the right password, until the wait is over
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert '<html lang="de">' in page(response)
    assert (
        form_error(page(response))
        == "Zu viele Fehlversuche. Bitte warten Sie 1 Sekunde, bevor Sie es erneut versuchen."
    )
    assert not is_logged_in(client)
    time_machine.shift(1)
    assert auth.login(person).status_code == 302


def test_login_back_off_ignores_case_and_spaces_of_the_address(client, make, auth, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    person = make.participant("erzgebirge", email="limit@example.org")
    for seconds, variant in enumerate(["limit@example.org", "LIMIT@example.org", " Limit@Example.org"]):
        assert auth.login(variant, "wrong password").status_code == 422
        time_machine.shift(2**seconds)  # each wait, exactly
    assert auth.login("limit@EXAMPLE.ORG", "wrong password").status_code == 422
    response = auth.login(person)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "8"  # the fourth failure of one account, however it was spelt


def test_login_back_off_of_one_account_leaves_other_accounts_alone(client, make, auth):
    locked = make.participant("erzgebirge")
    other = make.participant("erzgebirge")
    for _ in range(3):
        auth.login(locked, "wrong password")
    assert auth.login(locked).status_code == 429
    assert auth.login(other).status_code == 302


def test_login_page_itself_is_not_throttled(client, make, auth):
    person = make.participant("erzgebirge")
    for _ in range(6):
        auth.login(person, "wrong password")
    for _ in range(30):
        assert client.get("/login").status_code == 200


def test_login_limit_per_ip_follows_the_configuration_of_each_request(app, client, monkeypatch, auth):
    # With the configured default (30 per minute), four different addresses are merely wrong.
    for n in range(4):
        assert auth.login(f"someone{n}@example.org", "wrong password").status_code == 422
    limiter.reset()
    # The limit is read per request: lowering it in the running app takes effect at once.
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", "3 per minute")
    for n in range(3):
        assert auth.login(f"other{n}@example.org", "wrong password").status_code == 422
    response = auth.login("yet-another@example.org", "wrong password")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert refusal_shown(app, int(response.headers["Retry-After"])) in page(response)


def test_login_back_off_follows_the_configuration_of_each_request(app, client, monkeypatch, make, auth):
    person = make.participant("erzgebirge")
    monkeypatch.setitem(app.config, "LOGIN_BACKOFF_BASE_SECONDS", 10)
    assert auth.login(person, "wrong password").status_code == 422
    assert auth.login(person).headers["Retry-After"] == "10"


# Sessions and password hashes ------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(app, make):
    person = make.participant("erzgebirge")
    stored = password_of(app, person.id)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_password_change_elsewhere_ends_the_session(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    assert is_logged_in(client)
    with app.app_context():
        services.set_password(db.session.get(User, person.id), NEW_PASSWORD)
        db.session.commit()
    assert not is_logged_in(client)


def test_password_change_elsewhere_ends_a_remembered_login_too(app, client, make):
    person = make.participant("erzgebirge")
    client.post("/login", data={"email": person.email, "password": PASSWORD, "remember": "true"})
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")
    assert is_logged_in(client), "the remember cookie alone logs the device in"
    client.delete_cookie("session")
    with app.app_context():
        services.set_password(db.session.get(User, person.id), NEW_PASSWORD)
        db.session.commit()
    assert not is_logged_in(client)


# Invitations -----------------------------------------------------------------------------------


def accept_directly(app, raw_token: str, name: str = "", password: str | None = NEW_PASSWORD) -> int:
    """Accept an invitation through the service (in a region-wide scope), as the web form should."""
    with app.app_context(), all_regions():
        user = services.accept_invitation(raw_token, name, password)
        db.session.commit()
        return user.id


def invite(client, email="neu@example.org", name="Nora Neu", role="participant", region="erzgebirge"):
    return client.post(f"/{region}/members/invitations", data={"email": email, "name": name, "role": role})


def test_coordinator_invites_someone_and_an_email_with_a_link_is_queued(app, client, coordinator):
    response = invite(client)
    assert response.status_code == 302
    assert redirect_path(response) == "/erzgebirge/members/"
    assert shown(app, "Invitation sent to %(email)s.", email="neu@example.org") in page(
        client.get("/erzgebirge/members/")
    )
    [mail] = outbox(app, "neu@example.org")
    token = link_in(mail, "/invitations/")
    [invitation] = invitations(app, "neu@example.org")
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.role == Role.PARTICIPANT
    assert invitation.invited_by_id == coordinator.id
    assert "Clara Koordinatorin" in mail.body


def test_open_invitation_is_listed_for_the_coordinator(client, coordinator):
    invite(client, email="liste@example.org", name="Lisa Liste")
    assert "liste@example.org" in page(client.get("/erzgebirge/members/"))


def test_invitation_link_shows_the_form_to_choose_a_password(app, client, coordinator):
    invite(client)
    token = link_in(outbox(app, "neu@example.org")[0], "/invitations/")
    response = app.test_client().get(f"/invitations/{token}")
    assert response.status_code == 200
    html = page(response)
    assert "neu@example.org" in html
    assert 'id="f-name"' in html and 'value="Nora Neu"' in html
    assert 'id="f-password"' in html and 'id="f-password_confirm"' in html


def test_accepting_an_invitation_creates_a_participant_and_logs_them_in(app, client, coordinator):
    invite(client)
    token = link_in(outbox(app, "neu@example.org")[0], "/invitations/")
    invitee = app.test_client()
    response = invitee.post(
        f"/invitations/{token}",
        data={"name": "Nora Neumann", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert redirect_path(response) == "/erzgebirge/"
    account = invitee.get("/account")
    assert account.status_code == 200
    assert "Nora Neumann" in page(account)
    with app.app_context():
        user = services.user_by_email("neu@example.org")
        assert user.name == "Nora Neumann"
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, NEW_PASSWORD)
        user_id = user.id
    assert memberships_of(app, user_id) == {"erzgebirge": Role.PARTICIPANT}
    [invitation] = invitations(app, "neu@example.org")
    assert invitation.accepted_at is not None


def test_accepted_invitation_makes_a_new_account_with_the_invited_role(app, client, coordinator):
    invite(client, email="ko@example.org", role="coordinator")
    token = link_in(outbox(app, "ko@example.org")[0], "/invitations/")
    user_id = accept_directly(app, token, "Kai Ko", NEW_PASSWORD)
    assert memberships_of(app, user_id) == {"erzgebirge": Role.COORDINATOR}
    assert user_row(app, user_id).name == "Kai Ko"
    assert password_of(app, user_id).startswith("$argon2id$")
    assert checks_password(app, user_id, NEW_PASSWORD)
    assert invitations(app, "ko@example.org")[0].accepted_at is not None
    assert (
        app.test_client().post("/login", data={"email": "ko@example.org", "password": NEW_PASSWORD}).status_code == 302
    )


def test_invitation_link_cannot_be_used_twice(app, make):
    invitation = make.invitation("erzgebirge", email="twice@example.org")
    form = {"name": "Tom Twice", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    accept_directly(app, invitation.extra, "Tom Twice", NEW_PASSWORD)
    again = app.test_client()
    assert again.get(f"/invitations/{invitation.extra}").status_code == 404
    response = again.post(f"/invitations/{invitation.extra}", data={**form, "password": "another passphrase!"})
    assert response.status_code == 404
    assert shown(app, "Link not valid") in page(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert verify_password(services.user_by_email("twice@example.org").password_hash, NEW_PASSWORD)
    with app.app_context(), pytest.raises(services.AccountError):
        services.accept_invitation(invitation.extra, "Tom Again", "another passphrase!")


def test_expired_invitation_link_answers_404(app, make):
    invitation = make.invitation("erzgebirge", email="late@example.org")
    with app.app_context(), all_regions():
        db.session.get(Invitation, invitation.id).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    visitor = app.test_client()
    assert visitor.get(f"/invitations/{invitation.extra}").status_code == 404
    form = {"name": "Lena Late", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert visitor.post(f"/invitations/{invitation.extra}", data=form).status_code == 404
    with app.app_context():
        assert services.user_by_email("late@example.org") is None


def test_withdrawn_invitation_link_answers_404(app, client, coordinator, make):
    invitation = make.invitation("erzgebirge", email="gone@example.org")
    response = client.post(f"/erzgebirge/members/invitations/{invitation.id}/revoke", data=CONFIRMED)
    assert response.status_code == 302
    assert invitations(app, "gone@example.org")[0].revoked_at is not None
    assert app.test_client().get(f"/invitations/{invitation.extra}").status_code == 404


def test_unknown_invitation_token_answers_404(app):
    assert app.test_client().get("/invitations/not-a-real-token").status_code == 404


def test_new_invitation_to_the_same_address_revokes_the_older_link(app, client, coordinator):
    invite(client, email="again@example.org", name="First")
    invite(client, email="again@example.org", name="Second")
    first_mail, second_mail = outbox(app, "again@example.org")
    first, second = invitations(app, "again@example.org")
    assert first.revoked_at is not None
    assert second.revoked_at is None
    visitor = app.test_client()
    assert visitor.get(f"/invitations/{link_in(first_mail, '/invitations/')}").status_code == 404
    assert visitor.get(f"/invitations/{link_in(second_mail, '/invitations/')}").status_code == 200


def test_invitation_from_another_region_leaves_the_first_one_open(app, client, coordinator, make, auth):
    invite(client, email="both@example.org")
    other = app.test_client()
    meissen = make.coordinator("meissen")
    other.post("/login", data={"email": meissen.email, "password": PASSWORD})
    assert invite(other, email="both@example.org", region="meissen").status_code == 302
    assert [i.revoked_at for i in invitations(app, "both@example.org")] == [None, None]


def test_existing_account_accepting_gets_the_region_and_keeps_its_password(app, make):
    person = make.participant("meissen", email="known@example.org")
    before = password_of(app, person.id)
    invitation = make.invitation("erzgebirge", email="known@example.org")
    visitor = app.test_client()
    form_page = visitor.get(f"/invitations/{invitation.extra}")
    assert form_page.status_code == 200
    assert 'id="f-password"' not in page(form_page)
    response = visitor.post(
        f"/invitations/{invitation.extra}",
        data={"name": "Someone Else", "password": "attacker passphrase", "password_confirm": "attacker passphrase"},
    )
    assert response.status_code == 302
    assert redirect_path(response) == "/login?next=/erzgebirge/"
    assert memberships_of(app, person.id) == {"meissen": Role.PARTICIPANT, "erzgebirge": Role.PARTICIPANT}
    row = user_row(app, person.id)
    assert row.password_hash == before
    assert row.name == person.name
    assert not is_logged_in(visitor), "accepting with a link alone does not log an existing account in"


def test_invitation_form_for_an_existing_account_asks_for_no_password(app, make):
    make.participant("meissen", email="known@example.org")
    invitation = make.invitation("erzgebirge", email="known@example.org")
    response = app.test_client().get(f"/invitations/{invitation.extra}")
    assert response.status_code == 200
    assert 'id="f-password"' not in page(response)
    assert shown(
        app,
        "You already have an account with %(email)s. Accept to add this region to it.",
        email="known@example.org",
    ) in page(response)


def test_accepted_invitation_adds_the_region_to_an_existing_account_and_keeps_its_password(app, make):
    person = make.participant("meissen", email="known@example.org")
    before = password_of(app, person.id)
    invitation = make.invitation("erzgebirge", email="known@example.org")
    assert accept_directly(app, invitation.extra, "Someone Else", "attacker passphrase") == person.id
    assert memberships_of(app, person.id) == {"meissen": Role.PARTICIPANT, "erzgebirge": Role.PARTICIPANT}
    row = user_row(app, person.id)
    assert row.password_hash == before
    assert row.name == person.name


def test_member_of_the_region_cannot_be_invited_again(app, client, coordinator, make):
    member = make.participant("erzgebirge")
    response = invite(client, email=member.email)
    assert response.status_code == 422
    assert field_error(page(response), "email") == shown(app, "This person is a member of the region already.")
    assert invitations(app) == []


def test_invitation_with_a_bad_email_address_is_refused_beside_the_field(app, client, coordinator):
    response = invite(client, email="not-an-address")
    assert response.status_code == 422
    assert field_error(page(response), "email") == shown_field_message(app, "Not a valid e-mail address.")
    assert invitations(app) == []
    assert outbox(app) == []


def test_invitation_with_a_too_long_name_is_refused_beside_the_field(app, client, coordinator):
    response = invite(client, name="N" * 121)
    assert response.status_code == 422
    assert field_error(page(response), "name") == shown_field_message(
        app, "Longer than the maximum length of {max}.", max=120
    )
    assert 'value="neu@example.org"' in page(response), "the typed address stays in the form"
    assert invitations(app) == []
    assert outbox(app) == []


def test_invitation_as_admin_is_refused_and_nothing_is_written(app, client, coordinator):
    response = invite(client, role="admin")
    assert response.status_code == 422
    assert shown_field_message(app, "Please choose participant or coordinator.") in page(response)
    assert invitations(app) == []
    assert outbox(app) == []
    with app.app_context():
        assert services.user_by_email("neu@example.org") is None


def test_invitation_role_error_is_shown_beside_the_role_field(app, client, coordinator):
    response = invite(client, role="admin")
    assert response.status_code == 422
    assert field_error(page(response), "role") == shown_field_message(app, "Please choose participant or coordinator.")


def test_accepting_an_invitation_needs_a_name_and_a_long_enough_password(app, make):
    invitation = make.invitation("erzgebirge", email="short@example.org")
    visitor = app.test_client()
    response = visitor.post(
        f"/invitations/{invitation.extra}", data={"name": "S", "password": "short", "password_confirm": "short"}
    )
    assert response.status_code == 422
    html = page(response)
    assert field_error(html, "name") == shown_field_message(
        app, "Length must be between {min} and {max}.", min=2, max=120
    )
    assert field_error(html, "password") == too_short_password(app)
    with app.app_context():
        assert services.user_by_email("short@example.org") is None
    assert visitor.get(f"/invitations/{invitation.extra}").status_code == 200, "the link stays usable"


def test_accepting_an_invitation_needs_matching_passwords(app, make):
    invitation = make.invitation("erzgebirge", email="typo@example.org")
    response = app.test_client().post(
        f"/invitations/{invitation.extra}",
        data={"name": "Tina Typo", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "x"},
    )
    assert response.status_code == 422
    assert field_error(page(response), "password_confirm") == shown_field_message(app, "The passwords do not match.")
    with app.app_context():
        assert services.user_by_email("typo@example.org") is None


# Password reset --------------------------------------------------------------------------------


def forgot(client, email):
    return client.post("/password/forgot", data={"email": email})


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(app, make):
    person = make.participant("erzgebirge")
    answers = []
    for email in (person.email, "nobody@example.org"):
        visitor = app.test_client()
        response = forgot(visitor, email)
        assert response.status_code == 302
        assert redirect_path(response) == "/login"
        answers.append(flashes(page(visitor.get("/login"))))
    expected = shown(app, "If an account exists for this address, we have sent a link to reset the password.")
    assert expected in answers[0]
    assert answers[0] == answers[1]


def test_forgot_password_queues_mail_only_for_existing_accounts(app, client, make):
    person = make.participant("erzgebirge")
    forgot(client, "nobody@example.org")
    assert outbox(app) == []
    forgot(client, person.email.upper())
    [mail] = outbox(app)
    assert mail.recipient == person.email
    assert "/password/reset/" in mail.body


def test_forgot_password_queues_no_mail_for_inactive_accounts(app, client, make):
    person = make.participant("erzgebirge")
    with app.app_context():
        db.session.get(User, person.id).active = False
        db.session.commit()
    assert forgot(client, person.email).status_code == 302
    assert outbox(app) == []


def test_reset_link_sets_a_new_password_once(app, client, make):
    person = make.participant("erzgebirge")
    forgot(client, person.email)
    token = link_in(outbox(app, person.email)[0], "/password/reset/")
    visitor = app.test_client()
    assert visitor.get(f"/password/reset/{token}").status_code == 200
    response = visitor.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert redirect_path(response) == "/login"
    assert checks_password(app, person.id, NEW_PASSWORD)
    assert password_of(app, person.id).startswith("$argon2id$")
    assert visitor.post("/login", data={"email": person.email, "password": NEW_PASSWORD}).status_code == 302
    # The same link is dead now.
    second = app.test_client()
    assert second.get(f"/password/reset/{token}").status_code == 404
    response = second.post(
        f"/password/reset/{token}",
        data={"password": "yet another passphrase", "password_confirm": "yet another passphrase"},
    )
    assert response.status_code == 404
    assert checks_password(app, person.id, NEW_PASSWORD)


def test_reset_ends_the_sessions_that_were_open(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    forgot(app.test_client(), person.email)
    token = link_in(outbox(app, person.email)[0], "/password/reset/")
    app.test_client().post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert not is_logged_in(client)


@pytest.mark.parametrize("kind", ["garbage", "empty-looking", "hash-instead-of-token", "overlong"])
def test_wrong_or_forged_reset_token_answers_404(app, client, make, kind):
    person = make.participant("erzgebirge")
    forgot(client, person.email)
    real = link_in(outbox(app, person.email)[0], "/password/reset/")
    row = user_row(app, person.id)
    token = {
        "garbage": "not-a-token",
        "empty-looking": "-",
        "hash-instead-of-token": row.password_reset_hash,
        "overlong": real + "x" * 300,
    }[kind]
    visitor = app.test_client()
    assert visitor.get(f"/password/reset/{token}").status_code == 404
    response = visitor.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 404
    assert password_of(app, person.id) == row.password_hash


def test_a_new_reset_link_voids_the_older_ones(app, client, make):
    person = make.participant("erzgebirge")
    forgot(client, person.email)
    forgot(client, person.email)
    older, newer = (link_in(mail, "/password/reset/") for mail in outbox(app, person.email))
    assert older != newer
    visitor = app.test_client()
    assert visitor.get(f"/password/reset/{older}").status_code == 404
    response = visitor.post(
        f"/password/reset/{older}", data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 404
    assert not checks_password(app, person.id, NEW_PASSWORD)
    assert visitor.get(f"/password/reset/{newer}").status_code == 200


def test_a_reset_link_expires(app, client, make, time_machine):
    person = make.participant("erzgebirge")
    forgot(client, person.email)
    token = link_in(outbox(app, person.email)[0], "/password/reset/")
    time_machine.move_to(utcnow() + timedelta(hours=app.config["PASSWORD_RESET_HOURS"], minutes=1))
    assert app.test_client().get(f"/password/reset/{token}").status_code == 404


def test_a_password_change_voids_an_open_reset_link(app, client, make, auth):
    person = make.participant("erzgebirge")
    forgot(app.test_client(), person.email)
    token = link_in(outbox(app, person.email)[0], "/password/reset/")
    auth.login(person)
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert checks_password(app, person.id, NEW_PASSWORD)
    assert app.test_client().get(f"/password/reset/{token}").status_code == 404


@pytest.mark.parametrize("host", ["evil.example", "evil.example:443", "hub.test.evil.example"])
def test_a_forged_host_header_never_reaches_the_reset_mail(app, make, host):
    """A reset requested with a forged Host still mails a link to the configured address, the only host."""
    person = make.participant("erzgebirge")
    visitor = app.test_client()
    response = visitor.post("/password/forgot", data={"email": person.email}, headers={"Host": host})
    assert response.status_code == 302
    [mail] = outbox(app, person.email)
    links = re.findall(r"https?://[^\s<>]+", mail.body)
    assert links, mail.body
    assert all(urlsplit(link).netloc == urlsplit(app.config["BASE_URL"]).netloc for link in links), links
    assert "evil" not in mail.body


def test_links_in_mails_follow_the_configured_base_url_with_its_path(app, make):
    person = make.participant("erzgebirge")
    app.config["BASE_URL"] = "https://netz.example.org/hub"
    try:
        app.test_client().post("/password/forgot", data={"email": person.email}, headers={"Host": "evil.example"})
    finally:
        app.config["BASE_URL"] = "http://hub.test"
    [mail] = outbox(app, person.email)
    assert "https://netz.example.org/hub/password/reset/" in mail.body


def test_reset_with_a_too_short_password_is_refused_and_changes_nothing(app, client, make):
    person = make.participant("erzgebirge")
    before = password_of(app, person.id)
    forgot(client, person.email)
    token = link_in(outbox(app, person.email)[0], "/password/reset/")
    response = app.test_client().post(
        f"/password/reset/{token}", data={"password": "too short", "password_confirm": "too short"}
    )
    assert response.status_code == 422
    assert field_error(page(response), "password") == too_short_password(app)
    assert password_of(app, person.id) == before
    assert app.test_client().get(f"/password/reset/{token}").status_code == 200, "the link still works"


# The account page: password ---------------------------------------------------------------------


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "password": new, "password_confirm": new if confirm is None else confirm},
    )


def test_change_password_with_a_wrong_current_password_is_refused(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    before = password_of(app, person.id)
    response = change_password(client, current="not my password")
    assert response.status_code == 422
    assert field_error(page(response), "current_password") == shown(app, "The current password is wrong.")
    assert password_of(app, person.id) == before


def test_change_password_with_a_mismatched_repetition_is_refused(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    before = password_of(app, person.id)
    response = change_password(client, confirm="something different")
    assert response.status_code == 422
    assert field_error(page(response), "password_confirm") == shown_field_message(app, "The passwords do not match.")
    assert password_of(app, person.id) == before


def test_change_password_to_a_too_short_one_is_refused(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    before = password_of(app, person.id)
    response = change_password(client, new="short")
    assert response.status_code == 422
    assert field_error(page(response), "password") == too_short_password(app)
    assert password_of(app, person.id) == before


def test_change_password_keeps_this_session_and_ends_the_others(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": person.email, "password": PASSWORD})
    assert is_logged_in(elsewhere)
    response = change_password(client)
    assert response.status_code == 302
    assert redirect_path(response) == "/account"
    assert shown(app, "Your password has been changed.") in page(client.get("/account"))
    assert is_logged_in(client)
    assert not is_logged_in(elsewhere)
    assert password_of(app, person.id).startswith("$argon2id$")
    assert checks_password(app, person.id, NEW_PASSWORD)


def test_change_password_needs_a_login(app, client, make):
    person = make.participant("erzgebirge")
    before = password_of(app, person.id)
    response = change_password(client)
    assert response.status_code == 302
    assert redirect_path(response).startswith("/login")
    assert password_of(app, person.id) == before


# The account page: personal access tokens -------------------------------------------------------

TOKEN_ON_PAGE = re.compile(r'<code class="token">([^<]+)</code>')


def tokens_of(app, user_id: int) -> list[AccessToken]:
    with app.app_context():
        rows = db.session.scalars(select(AccessToken).where(AccessToken.user_id == user_id)).all()
        db.session.expunge_all()
        return rows


def test_new_token_is_shown_once_on_the_account_page(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    response = client.post("/account/tokens", data={"name": "Backup script"})
    assert response.status_code == 302
    assert redirect_path(response) == "/account"
    first = page(client.get("/account"))
    [raw] = TOKEN_ON_PAGE.findall(first)
    assert raw.startswith("cimis_")
    assert "Backup script" in first
    second = page(client.get("/account"))
    assert TOKEN_ON_PAGE.findall(second) == []
    assert raw not in second
    assert raw[:12] in second, "the list still shows how the token starts"


def test_token_is_stored_only_as_its_sha256_hash(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    client.post("/account/tokens", data={"name": "CI"})
    [raw] = TOKEN_ON_PAGE.findall(page(client.get("/account")))
    [token] = tokens_of(app, person.id)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    with app.app_context():
        row = db.session.execute(select(AccessToken.__table__).where(AccessToken.id == token.id)).mappings().one()
    assert all(raw not in str(value) for value in row.values())


def test_token_needs_a_name(app, client, make, auth):
    person = make.participant("erzgebirge")
    auth.login(person)
    response = client.post("/account/tokens", data={"name": "  "})
    assert response.status_code == 422
    assert field_error(page(response), "name") == shown_field_message(app, "This field is required.")
    assert tokens_of(app, person.id) == []


def test_user_revokes_their_own_token(app, client, make, auth):
    person = make.participant("erzgebirge")
    token = make.access_token(person, "old laptop")
    auth.login(person)
    response = client.post(f"/account/tokens/{token.id}/revoke", data=CONFIRMED)
    assert response.status_code == 302
    assert shown(app, "The token has been revoked.") in page(client.get("/account"))
    [row] = tokens_of(app, person.id)
    assert row.revoked_at is not None
    with app.app_context():
        assert services.user_for_access_token(token.extra) is None


def test_nobody_can_revoke_someone_elses_token(app, client, make, auth):
    owner = make.participant("erzgebirge")
    token = make.access_token(owner)
    auth.login(make.coordinator("erzgebirge"))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    [row] = tokens_of(app, owner.id)
    assert row.revoked_at is None


def test_account_page_lists_only_ones_own_tokens(app, client, make, auth):
    owner = make.participant("erzgebirge")
    make.access_token(owner, "Owner's secret tool")
    viewer = make.participant("erzgebirge")
    make.access_token(viewer, "Viewer tool")
    auth.login(viewer)
    html = page(client.get("/account"))
    assert "Viewer tool" in html
    assert "secret tool" not in html


# Coordinator's member management ---------------------------------------------------------------


def test_coordinator_sees_the_members_of_their_region(client, coordinator, make):
    make.participant("erzgebirge", name="Egon Erz")
    make.participant("meissen", name="Mia Meissen")
    response = client.get("/erzgebirge/members/")
    assert response.status_code == 200
    assert "Egon Erz" in page(response)
    assert "Mia Meissen" not in page(response)


def test_the_members_page_keeps_each_members_tools_behind_manage_and_leads_to_the_invitation(
    app, client, coordinator, make
):
    member = make.participant("erzgebirge", name="Egon Erz")
    html = page(client.get("/erzgebirge/members/"))
    assert '<a class="button" href="#invite">Jemanden einladen</a>' in html, "the page's primary action"
    assert '<h2 id="invite">Jemanden einladen</h2>' in html
    row = re.search(r'<th scope="row">Egon Erz</th>(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td[^>]*data-label="([^"]+)"', row) == ["E-Mail-Adresse", "Rolle", "Mitglied seit"]
    tools = re.search(
        r'<details class="manage">\s*<summary>Verwalten<span class="visually-hidden">: Egon Erz</span>', row
    )
    assert tools, "role, removal, export and erasure wait behind one disclosure per member"
    mid = membership_id(app, member.id, "erzgebirge")
    for action in ("role", "remove", "erase"):
        assert f'action="/erzgebirge/members/{mid}/{action}"' in row[tools.end() :]
    own = re.search(r'<th scope="row">[^<]*</th>(?:(?!</tr>).)*Das sind Sie\.', html, re.S)
    assert own, "no tools for oneself"


def test_coordinator_makes_a_participant_coordinator(app, client, coordinator, make):
    member = make.participant("erzgebirge")
    response = client.post(
        f"/erzgebirge/members/{membership_id(app, member.id, 'erzgebirge')}/role", data={"role": "coordinator"}
    )
    assert response.status_code == 302
    assert shown(app, "The role has been changed.") in page(client.get("/erzgebirge/members/"))
    assert memberships_of(app, member.id) == {"erzgebirge": Role.COORDINATOR}


def test_coordinator_makes_another_coordinator_participant(app, client, coordinator, make):
    other = make.coordinator("erzgebirge")
    client.post(f"/erzgebirge/members/{membership_id(app, other.id, 'erzgebirge')}/role", data={"role": "participant"})
    assert memberships_of(app, other.id) == {"erzgebirge": Role.PARTICIPANT}


@pytest.mark.parametrize("role", ["admin", "umbrella", "boss", ""])
def test_coordinator_cannot_give_a_role_outside_the_region(app, client, coordinator, make, role):
    member = make.participant("erzgebirge")
    response = client.post(
        f"/erzgebirge/members/{membership_id(app, member.id, 'erzgebirge')}/role", data={"role": role}
    )
    assert response.status_code == 422
    assert memberships_of(app, member.id) == {"erzgebirge": Role.PARTICIPANT}
    assert user_row(app, member.id).global_role is None


def test_coordinator_removes_a_member_whose_account_stays(app, client, coordinator, make, regions):
    member = make.participant("erzgebirge")
    with app.app_context(), all_regions():
        meissen = db.session.merge(regions["meissen"], load=False)
        services.grant_role(db.session.get(User, member.id), Role.PARTICIPANT, meissen)
        db.session.commit()
    response = client.post(f"/erzgebirge/members/{membership_id(app, member.id, 'erzgebirge')}/remove", data=CONFIRMED)
    assert response.status_code == 302
    assert shown(app, "The member has been removed from the region.") in page(client.get("/erzgebirge/members/"))
    assert memberships_of(app, member.id) == {"meissen": Role.PARTICIPANT}
    assert user_row(app, member.id).email == member.email


def test_coordinator_cannot_remove_themselves(app, client, coordinator):
    response = client.post(f"/erzgebirge/members/{membership_id(app, coordinator.id, 'erzgebirge')}/remove")
    assert response.status_code == 302
    assert shown(app, "You cannot remove yourself from the region.") in page(client.get("/erzgebirge/members/"))
    assert memberships_of(app, coordinator.id) == {"erzgebirge": Role.COORDINATOR}


def test_coordinator_cannot_demote_themselves(app, client, coordinator):
    response = client.post(
        f"/erzgebirge/members/{membership_id(app, coordinator.id, 'erzgebirge')}/role", data={"role": "participant"}
    )
    assert response.status_code == 422
    assert shown(app, "You cannot take your own coordinator role away.") in page(response)
    assert memberships_of(app, coordinator.id) == {"erzgebirge": Role.COORDINATOR}


def test_coordinator_cannot_manage_members_of_another_region(app, client, coordinator, make):
    foreign = make.participant("meissen")
    foreign_membership = membership_id(app, foreign.id, "meissen")
    assert client.post(f"/erzgebirge/members/{foreign_membership}/remove").status_code == 404
    assert client.post(f"/meissen/members/{foreign_membership}/remove").status_code == 403
    assert memberships_of(app, foreign.id) == {"meissen": Role.PARTICIPANT}


def test_participant_cannot_manage_members(app, client, make, auth):
    participant = make.participant("erzgebirge")
    other = make.participant("erzgebirge")
    other_membership = membership_id(app, other.id, "erzgebirge")
    auth.login(participant)
    assert client.get("/erzgebirge/members/").status_code == 403
    assert client.post(f"/erzgebirge/members/{other_membership}/role", data={"role": "coordinator"}).status_code == 403
    assert client.post(f"/erzgebirge/members/{other_membership}/remove").status_code == 403
    assert invite(client).status_code == 403
    own = membership_id(app, participant.id, "erzgebirge")
    assert client.post(f"/erzgebirge/members/{own}/role", data={"role": "coordinator"}).status_code == 403
    assert memberships_of(app, other.id) == {"erzgebirge": Role.PARTICIPANT}
    assert memberships_of(app, participant.id) == {"erzgebirge": Role.PARTICIPANT}
    assert invitations(app) == []
    assert outbox(app) == []
