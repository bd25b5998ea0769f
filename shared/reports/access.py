"""Which regions a report covers: the umbrella's every region (or the one it chose), a coordination's own."""

from __future__ import annotations

from hub.core.schemas import ServiceError, _m
from hub.core.tenancy.models import Region
from hub.core.tenancy.registry import active_regions


def umbrella_regions(slug: str | None) -> list[Region]:
    """Every active region, or the one named by ``region``; an unknown name is refused with the field named."""
    regions = active_regions()
    slug = (slug or "").strip()
    if not slug:
        return regions
    chosen = [r for r in regions if r.slug == slug]
    if not chosen:
        raise ServiceError(_m("There is no such region."), "region")
    return chosen
