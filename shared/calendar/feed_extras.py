"""Other features' own VEVENTs in a person's private feed ``mine.ics`` (accepted meetings at events, say).

The calendar names no such feature: a feature adds a provider in its ``install`` hook. ``provider(user,
window)`` answers ``(state, render)``: ``state`` is a small tuple that changes whenever one of its VEVENTs would
(a count, the latest change, the sum of SEQUENCE), read with one aggregate query, and ``render()`` gives the
VEVENTs as bytes (called only when the feed is sent, not for a revalidation). The feed's ETag folds every
state in, so a new, changed or cancelled entry gives the feed a new ETag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from hub.accounts.models import User

KEY = "shared.calendar.private_feed_extras"
Provider = Callable[[User, tuple[datetime, datetime]], tuple[tuple, Callable[[], list[bytes]]]]


def add_private_provider(app: Flask, provider: Provider) -> None:
    app.extensions.setdefault(KEY, []).append(provider)


def private_extras(user: User, window: tuple[datetime, datetime]) -> tuple[tuple, Callable[[], list[bytes]]]:
    """Every provider's state, and one function rendering all their VEVENTs."""
    found = [provider(user, window) for provider in current_app.extensions.get(KEY, ())]
    return tuple(state for state, _ in found), lambda: [text for _, render in found for text in render()]
