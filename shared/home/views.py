"""The personal home's page: rendered at / by the hub's front page for a signed-in person."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_login import current_user

from hub.core.db import berlin_today, utcnow
from hub.home.personal import provide
from shared.home.services import home_of

# Only the templates: the page answers at / (hub.home), which hands a signed-in person to ``page``.
bp = Blueprint("home", __name__, template_folder="templates")


def page():
    """The signed-in person's home."""
    return render_template("home/home.html", home=home_of(current_user, utcnow(), berlin_today()))


def install(app: Flask) -> None:
    """Answer / for signed-in people with their home."""
    provide(app, page)
