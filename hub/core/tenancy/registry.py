"""Synchronise the region registry (config/regions.toml) into the database."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select

from hub.core.db import db
from hub.core.settings import load_region_registry
from hub.core.tenancy.models import Region

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def sync_regions(entries: list[dict] | None = None) -> dict[str, list[str]]:
    """Create or update the registry's regions, deactivate the ones it no longer lists."""
    entries = load_region_registry() if entries is None else entries
    report: dict[str, list[str]] = {"created": [], "updated": [], "deactivated": []}
    existing = {r.slug: r for r in db.session.scalars(select(Region))}
    reserved = reserved_slugs()
    seen = set()
    for position, entry in enumerate(entries):
        slug = entry["slug"]
        if not SLUG.match(slug):
            raise ValueError(f"region slug {slug!r} must be lower-case letters, digits and dashes")
        if slug in reserved:
            raise ValueError(f"region slug {slug!r} is taken by the hub's own pages ({', '.join(sorted(reserved))})")
        if not COLOR.match(entry.get("accent_color", "#444444")):
            raise ValueError(f"region {slug}: accent_color must look like #1a2b3c")
        seen.add(slug)
        values = {
            "name": entry["name"],
            "organisation": entry["organisation"],
            "supporters": list(entry.get("supporters", [])),
            "contact_email": entry.get("contact_email", ""),
            "town": entry.get("town", ""),
            "accent_color": entry.get("accent_color", "#444444"),
            "is_umbrella_lead": bool(entry.get("umbrella", False)),
            "position": position,
            "active": True,
        }
        region = existing.get(slug)
        if region is None:
            db.session.add(Region(slug=slug, **values))
            report["created"].append(slug)
        elif any(getattr(region, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(region, k, v)
            report["updated"].append(slug)
    for slug, region in existing.items():
        if slug not in seen and region.active:
            region.active = False
            report["deactivated"].append(slug)
    db.session.commit()
    return report


def reserved_slugs() -> set[str]:
    """First path segments of the hub's own URLs, which a region slug would shadow."""
    return {
        rule.rule.strip("/").split("/")[0]
        for rule in current_app.url_map.iter_rules()
        if not rule.rule.startswith("/<")
    } - {""}


def active_regions() -> list[Region]:
    """All active regions in registry order."""
    return list(db.session.scalars(select(Region).where(Region.active).order_by(Region.position)))
