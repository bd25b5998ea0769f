"""German first: every visible string is translated, in German and in English."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale

from hub.core.i18n import money

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "_m": None}
METHOD_MAP = [
    ("**/.venv/**", "ignore"),
    ("**/tests/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
]
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def _source_messages() -> set[str]:
    found = set()
    for directory in ("hub", "regions", "shared"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / directory, METHOD_MAP, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(lang: str):
    with open(ROOT / "hub" / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def _translated(message) -> bool:
    """A translation, with every plural form filled in (an empty form shows the English text)."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_visible_string_is_translated(lang):
    catalog = _catalog(lang)
    missing = sorted(m for m in _source_messages() if not (catalog.get(m) and _translated(catalog.get(m))))
    assert not missing, f"untranslated in {lang} (run `make extract-messages`): {missing}"
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    assert not fuzzy, f"fuzzy entries in {lang}: {fuzzy}"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_translations_keep_their_placeholders(lang):
    for message in _catalog(lang):
        if message.id and isinstance(message.id, str) and message.string:
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), message.id


def test_pages_are_german_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="de"' in page
    assert "Anmelden" in page and "Passwort vergessen?" in page


def test_english_can_be_chosen_and_is_remembered(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Forgot your password?" in page
    client.post("/language", data={"lang": "de", "next": "/"})
    assert "Passwort vergessen?" in client.get("/login").get_data(as_text=True)


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client):
    assert client.post("/language", data={"lang": "fr"}).status_code == 400
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("lang,text", [("de", "Nicht gefunden"), ("en", "Not found")])
def test_error_pages_speak_the_users_language(client, lang, text):
    client.post("/language", data={"lang": lang})
    response = client.get("/no-such-region/")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_form_errors_are_german_beside_the_field(client, make):
    coordinator = make.coordinator("erzgebirge")
    client.post("/login", data={"email": coordinator.email, "password": "correct horse battery"})
    page = client.post("/erzgebirge/members/invitations", data={"email": "kein-mail"}).get_data(as_text=True)
    assert '<p class="error" id="e-email">Keine gültige E-Mail-Adresse.</p>' in page
    assert 'aria-describedby="e-email"' in page


def test_money_is_shown_the_german_way(ctx):
    assert money(Decimal("1234.56")) == "1.234,56\xa0€"
    assert money(Decimal("2500")) == "2.500,00\xa0€"


def test_times_are_stored_in_utc_and_shown_in_berlin(app):
    from flask_babel import format_datetime

    winter = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    summer = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)
    with app.test_request_context(), force_locale("de"):
        assert "13:00" in format_datetime(winter, "short")
        assert "14:00" in format_datetime(summer, "short")
