"""A dashboard's counts kept for a few minutes, for every worker and host alike.

A dashboard is a dozen aggregate statements over every registration, profile and contact of its regions:
about 100 ms for one region and 160–180 ms for all four on 100,000 profiles (docs/BENCHMARKS.md), and
several coordinators and the umbrella open theirs many times a day. So the statements' rows
(``kpis.Snapshot``: plain tuples and the time they were counted) are kept in the hub's cache (Redis when
configured, shared by all workers; else each process's memory) for REPORT_FIGURES_SECONDS, keyed by the
regions, the period and the day. The page says when its figures were counted and offers to count them anew
(``fresh``), which also replaces the kept counts for everyone. Only counts are kept, never a person's data,
and the key names the regions, so one region's coordination never reads figures kept for another.

If the cache cannot be reached, the figures are counted as if nothing were kept; the page still works.
Exports, the funder report and the KPI API count anew each time (a file or a feed should be exact).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from flask import current_app

from hub.core.extensions import cache
from hub.core.tenancy.models import Region
from shared.reports import kpis
from shared.reports.period import Period

log = logging.getLogger("hub.reports")

# The statements' order and shape come from kpis.py: counts kept by another version of it are not read.
_VERSION = hashlib.sha256(Path(kpis.__file__).read_bytes()).hexdigest()[:12]


def _key(regions: list[Region], period: Period) -> str:
    ids = ",".join(str(r.id) for r in regions)
    cohort = period.cohort.id if period.cohort is not None else "-"
    return f"report-figures/{_VERSION}/{ids}/{period.start}/{period.end}/{cohort}/{period.today}"


def figures(regions: list[Region], period: Period, *, fresh: bool = False) -> kpis.Dashboard:
    """The dashboard of these regions and this period: from counts kept less than REPORT_FIGURES_SECONDS ago,
    or counted now (and kept) when there are none or ``fresh`` asks for new ones."""
    seconds = current_app.config["REPORT_FIGURES_SECONDS"]
    if seconds <= 0:
        return kpis.compute(regions, period)
    key = _key(regions, period)
    if not fresh:
        kept = _read(key)
        if kept is not None:
            return kpis.compute(regions, period, snapshot=kept)
    report = kpis.compute(regions, period)
    _keep(key, kpis.Snapshot.of(report), seconds)
    return report


def _read(key: str) -> kpis.Snapshot | None:
    try:
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 - whatever the cache's client raises, the page counts anew
        log.warning("the kept report figures could not be read; counting anew", exc_info=True)
        return None
    return kept if isinstance(kept, kpis.Snapshot) else None


def _keep(key: str, snapshot: kpis.Snapshot, seconds: int) -> None:
    try:
        cache.set(key, snapshot, timeout=seconds)
    except Exception:  # noqa: BLE001
        log.warning("the report figures could not be kept", exc_info=True)
