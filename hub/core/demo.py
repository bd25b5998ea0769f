"""The demo network: the four real regions, and what each feature adds with placeholder people (no real
names or contacts), in the order of hub/features.py: the people (hub.accounts.demo), then profiles, events,
speed-dating and matches. Every loader adds only what is missing, so a second run changes nothing."""

from __future__ import annotations

from flask import current_app

from hub.core.db import db
from hub.core.tenancy.registry import sync_regions

DEMO_PASSWORD = "cimis-demo-2024"
DOMAIN = "cimis-hub.example"


def load_demo() -> int:
    """Create what is missing of the demo network; return how many things changed."""
    from hub.core.features import demo_loaders

    report = sync_regions()
    changes = sum(len(v) for v in report.values())
    db.session.commit()
    for loader in demo_loaders(current_app):
        changes += loader()
        db.session.commit()
    return changes


def database_is_new() -> bool:
    """No account exists yet: `hub setup` loads the demo only then (in development).

    The accounts' table is named, not imported: the framework knows no feature.
    """
    from sqlalchemy import func, select

    return not db.session.scalar(select(func.count()).select_from(db.metadata.tables["user_account"]))
