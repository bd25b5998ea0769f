"""The personal home at ``/`` after login: one feature that knows the person's regions renders it.

The hub's front page knows no region feature (the import contract), so the feature that assembles a person's
home (``shared.home``) hands its page to the hub through its ``install`` hook; without one, a signed-in person
sees the front page as before.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

_KEY = "hub.home.personal"


def provide(app: Flask, render: Callable[[], object]) -> None:
    """Let ``render()`` answer ``/`` for a signed-in person (called once, by an install hook)."""
    app.extensions[_KEY] = render


def personal_home():
    """The signed-in person's home page, or None when no feature provides one."""
    render = current_app.extensions.get(_KEY)
    return render() if render is not None else None
