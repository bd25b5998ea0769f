"""The calendar's part of the hub's front page for visitors: its next public events (``hub.home.landing``)."""

from __future__ import annotations

from hub.home.landing import provide_events
from shared.calendar import services as calendar
from shared.directory.search import Viewer

VISITOR = Viewer(user_id=None)


def next_public_events(limit: int) -> list[calendar.Entry]:
    """The next public events of all regions, soonest first (what a visitor may see)."""
    return calendar.coming(VISITOR, limit)


def install(app) -> None:
    """Give the front page its events."""
    provide_events(app, next_public_events)
