"""What a person sees: helpers that read pages and messages the way the tests compare them."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from markupsafe import escape


def shown(app, msgid: str, locale: str | None = None, **params) -> str:
    """A message as a page in ``locale`` (default: the app's default language) shows it, HTML-escaped."""
    with app.test_request_context(), force_locale(locale or app.config["DEFAULT_LOCALE"]):
        return str(escape(gettext(msgid, **params)))


def shown_field_message(app, msgid: str, locale: str | None = None, **params) -> str:
    """A validation message (``{max}``-style placeholders) as a page shows it."""
    with app.test_request_context(), force_locale(locale or app.config["DEFAULT_LOCALE"]):
        return str(escape(gettext(msgid).format(**params)))


def said(app, msgid: str, locale: str | None = None, **params) -> str:
    """A message as an e-mail or the JSON API says it (plain text, not HTML-escaped)."""
    with app.test_request_context(), force_locale(locale or app.config["DEFAULT_LOCALE"]):
        return gettext(msgid, **params)


def said_field_message(app, msgid: str, locale: str | None = None, **params) -> str:
    """A validation message (``{max}``-style placeholders) in plain text, as the API gives it."""
    with app.test_request_context(), force_locale(locale or app.config["DEFAULT_LOCALE"]):
        return gettext(msgid).format(**params)


def field_error(html: str, name: str) -> str | None:
    """The error message printed beside the form field ``name`` (``<p id="e-name">``)."""
    found = re.search(rf'<p class="error" id="e-{re.escape(name)}">(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else None


def form_error(html: str) -> str | None:
    """The message about the whole form, above its fields."""
    found = re.search(r'<div class="form-errors" role="alert">\s*<p>(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else None


def flashes(html: str) -> str | None:
    """The status messages at the top of a page."""
    found = re.search(r'<div class="flashes" role="status">(.*?)</div>', html, re.S)
    return found.group(1).strip() if found else None


def page(response) -> str:
    """The page's HTML as text."""
    return response.get_data(as_text=True)


def bearer(raw: str) -> dict[str, str]:
    """The header that authenticates an API call with a personal access token."""
    return {"Authorization": f"Bearer {raw}"}


def table_cells(html: str, table_id: str) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """The texts of a table's heading cells, body rows and footer rows (``<table id="...">``), unescaped.

    A body with a single cell spanning the table ("nothing in this period") has no rows."""
    from html import unescape

    found = re.search(rf'<table[^>]*\bid="{re.escape(table_id)}"[^>]*>(.*?)</table>', html, re.S)
    assert found, f"no table {table_id}"

    def rows(part: str) -> list[list[str]]:
        section = re.search(rf"<{part}>(.*?)</{part}>", found.group(1), re.S)
        if not section:
            return []
        out = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section.group(1), re.S):
            if "colspan=" in row:
                continue
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            out.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
        return out

    head = rows("thead")
    return (head[0] if head else []), rows("tbody"), rows("tfoot")


def refusal_shown(app, seconds: int, locale: str | None = None) -> str:
    """What a page refused for too many requests says, with the wait in words ("8 Sekunden", "2 Minuten")."""
    from hub.core.rate_limits import refusal_message

    with app.test_request_context(), force_locale(locale or app.config["DEFAULT_LOCALE"]):
        return str(escape(refusal_message(seconds)))


# What a person sends who answers a destructive action's confirmation page with "Ja, …"
# (hub.core.glue.page_action(confirm=…)); tests/test_confirmations.py tests the question itself.
CONFIRMED = {"confirmed": "1"}
