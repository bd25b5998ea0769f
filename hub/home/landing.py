"""The front page for visitors: what the network does, its regions, the next public events and how to join.

The hub's front page knows no region feature (the import contract): the shared calendar hands it its next
public events through its ``install`` hook (``provide_events``); without one, the page shows none.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, render_template
from sqlalchemy import select

from hub.cohorts.models import Cohort
from hub.core.db import berlin_today, db
from hub.core.tenancy.registry import active_regions

_EVENTS = "hub.home.landing.events"
EVENTS_SHOWN = 5


def provide_events(app: Flask, coming: Callable[[int], list]) -> None:
    """Let ``coming(limit)`` give the next public events for the front page (called once, by an install hook)."""
    app.extensions[_EVENTS] = coming


def current_cohort() -> Cohort | None:
    """The cohort running today, else the one that starts next, else the last one (one statement)."""
    today = berlin_today()
    return db.session.scalar(
        select(Cohort).where(Cohort.ends_on >= today).order_by(Cohort.starts_on > today, Cohort.starts_on).limit(1)
    ) or db.session.scalar(select(Cohort).order_by(Cohort.ends_on.desc()).limit(1))


def landing():
    """The page: the regions (each with its "request access"), the next public events, the steps to join."""
    coming = current_app.extensions.get(_EVENTS)
    regions = active_regions()
    return render_template(
        "core/landing.html",
        regions=regions,
        regions_by_id={r.id: r for r in regions},
        events=coming(EVENTS_SHOWN) if coming is not None else [],
        cohort=current_cohort(),
    )
