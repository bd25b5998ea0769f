"""Languages, time zones and the German way of showing money and dates."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.numbers import format_currency
from flask import current_app, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def languages() -> list[str]:
    """The interface languages, the default first."""
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    """The user's chosen language (session, then account), else the default (German)."""
    choice = session.get("lang") if request else None
    if not choice and current_user and current_user.is_authenticated:
        choice = current_user.locale
    return choice if choice in languages() else languages()[0]


def select_timezone() -> str:
    """Times are shown in Europe/Berlin."""
    return current_app.config["TIMEZONE"]


def money(value: Decimal | int | str | None) -> str:
    """An exact amount in euros, shown the German way: 1.234,56 €."""
    if value is None:
        return ""
    return _euros(Decimal(value))


@lru_cache(maxsize=4096)
def _euros(value: Decimal) -> str:
    # Babel parses the locale's pattern on every call (a coordinator's home shows dozens of amounts, and that
    # was a fifth of it); amounts repeat (2.500,00 € per match), and equal amounts are shown alike.
    return format_currency(value, "EUR", locale="de_DE")


def install(app) -> None:
    """Register template filters for dates and money."""
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["datetime"] = lambda v, fmt="medium": format_datetime(v, fmt) if v else ""
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""
    app.jinja_env.filters["localtime"] = lambda v, tz="Europe/Berlin": v.astimezone(ZoneInfo(tz)) if v else v
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.context_processor(lambda: {"current_locale": str(get_locale())})


ROLE_LABELS = {
    "participant": _l("Participant"),
    "coordinator": _l("Coordinator"),
    "umbrella": _l("Umbrella project"),
    "admin": _l("Administrator"),
}
