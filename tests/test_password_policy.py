"""Passwords a person may not choose (ASVS 5.0 V6.2): their e-mail address or its local part, their name,
a common password or a word of the hub's context, wherever a password is set: accepting an invitation,
the reset link, the account page and `hub users create`. The message stands beside the field, in German.
"""

from __future__ import annotations

import pytest

from hub.accounts.password_policy import common_passwords, password_problem
from tests.factories import PASSWORD
from tests.pages import field_error, page

EMAIL_INSIDE = "Das Passwort darf Ihre E-Mail-Adresse nicht enthalten."
NAME_INSIDE = "Das Passwort darf Ihren Namen nicht enthalten."
TOO_COMMON = "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes."
CONTEXT_WORD = "Dieses Passwort ist über den Namen des Hubs, des Programms oder einer Region zu leicht zu erraten."

EMAIL, NAME = "marlene.wagner@example.org", "Marlene Wagner"

REFUSED = [
    ("marlene.wagner@example.org", EMAIL_INSIDE),
    ("Marlene.Wagner@Example.org!", EMAIL_INSIDE),
    ("marlene.wagner", EMAIL_INSIDE),
    ("my marlene.wagner pass", EMAIL_INSIDE),
    ("Marlene Wagner", NAME_INSIDE),
    ("MarleneWagner 1984", NAME_INSIDE),
    ("ich bin die wagnerin", NAME_INSIDE),
    ("qazwsxedcrfv", TOO_COMMON),
    ("1qaz2wsx3edc", TOO_COMMON),
    ("Password123456", TOO_COMMON),
    ("sunshine 2024 !!", TOO_COMMON),
    ("Cimis Hub 2024!", CONTEXT_WORD),
    ("Erzgebirge2025", CONTEXT_WORD),
]


@pytest.fixture
def de(app):
    """A request in German, where messages are translated."""
    with app.test_request_context(headers={"Accept-Language": "de"}):
        yield


@pytest.mark.parametrize("password, message", REFUSED)
def test_each_kind_of_guessable_password_is_refused_with_its_reason(app, de, password, message):
    assert str(password_problem(password, email=EMAIL, name=NAME)) == message


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "Wagen fahren im Mai",  # "wagen" is not "wagner"
        "Jo und Li am Meer",  # name parts of fewer than four letters count only as the whole name
        "🦊 Füchse im Schnee 🦊",
        "x" * 128,
    ],
)
def test_a_password_of_any_composition_that_is_not_guessable_is_accepted(app, password):
    name = "Jo Li" if password.startswith("Jo ") else NAME
    assert password_problem(password, email=EMAIL, name=name) is None


def test_the_shipped_list_holds_ten_thousand_common_passwords_read_once(app):
    assert len(common_passwords()) == 10_000
    assert {"123456", "password", "qwerty", "dragon"} <= common_passwords()
    assert common_passwords() is common_passwords()


# Where a password is set ----------------------------------------------------------------------


def test_accepting_an_invitation_refuses_a_password_with_the_invited_address(app, client, make):
    invitation = make.invitation("erzgebirge", email=EMAIL, name=NAME)
    response = client.post(
        f"/invitations/{invitation.extra}",
        data={"name": NAME, "password": "marlene.wagner@example.org", "password_confirm": "marlene.wagner@example.org"},
    )
    assert response.status_code == 422
    assert field_error(page(response), "password") == EMAIL_INSIDE
    with app.app_context():
        from hub.accounts.services import user_by_email

        assert user_by_email(EMAIL) is None, "no account was made"


def test_accepting_an_invitation_refuses_the_name_typed_in_the_same_form(client, make):
    invitation = make.invitation("erzgebirge")
    data = {"name": "Konstantin Zeisig", "password": "zeisig zeisig zeisig", "password_confirm": "zeisig zeisig zeisig"}
    response = client.post(f"/invitations/{invitation.extra}", data=data)
    assert response.status_code == 422
    assert field_error(page(response), "password") == NAME_INSIDE


def test_the_reset_link_refuses_a_common_password_and_stays_usable(app, client, make):
    person = make.participant("erzgebirge", email=EMAIL, name=NAME)
    assert client.post("/password/forgot", data={"email": person.email}).status_code == 302
    token = _reset_token(app, client, person.email)
    data = {"password": "qazwsxedcrfv", "password_confirm": "qazwsxedcrfv"}
    response = client.post(f"/password/reset/{token}", data=data)
    assert response.status_code == 422
    assert field_error(page(response), "password") == TOO_COMMON
    data = {"password": "Füchse im Schnee", "password_confirm": "Füchse im Schnee"}
    assert client.post(f"/password/reset/{token}", data=data).status_code == 302


def test_the_account_page_refuses_the_own_name_as_new_password(client, make, auth):
    person = make.participant("erzgebirge", name="Konstantin Zeisig")
    auth.login(person)
    data = {"current_password": PASSWORD, "password": "Konstantin Zeisig", "password_confirm": "Konstantin Zeisig"}
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert field_error(page(response), "password") == NAME_INSIDE
    client.post("/logout")
    assert auth.login(person).status_code == 302, "the old password still works"


def test_hub_users_create_refuses_a_common_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "admin@example.org", "--role", "admin", "--password", "1qaz2wsx3edc"]
    )
    assert result.exit_code != 0
    assert "This password is too common and easy to guess." in result.output  # the CLI speaks English
    result = runner.invoke(
        args=["users", "create", "admin@example.org", "--role", "admin", "--password", "Füchse im Schnee"]
    )
    assert result.exit_code == 0, result.output


def _reset_token(app, client, email: str) -> str:
    """The token of the newest reset link in the outbox for this address."""
    import re

    from sqlalchemy import select

    from hub.core.db import db
    from hub.core.mail.models import OutboxMessage

    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
        ).first()
        return re.search(r"/password/reset/([\w-]+)", message.body).group(1)
