"""Reading the audit log: filtered, newest first, a page at a time (keyset on time and id).

The log does not use the hub's paginator (`hub.core.pages`, page numbers with LIMIT/OFFSET) but a keyset:
"the entries older than entry N". The log only grows and is read newest first while it is being written,
so with page numbers every new entry would push the others one place on, and the next page would repeat
an entry or skip one; and OFFSET makes the database walk past every skipped entry, which grows with the
log (the keyset finds its place through the indexes on the time, equally fast on every page). The API
answers with the same cursor (``before`` / ``next_before``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select

from hub.accounts.models import User
from hub.core.audit_log import AuditEntry
from hub.core.db import db
from hub.core.schemas import ServiceError, _m
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region

LOCAL_ZONE = ZoneInfo("Europe/Berlin")
ACCOUNT_NUMBER = re.compile(r"#?\s*(\d{1,9})")
DEFAULT_PER_PAGE = 50


@dataclass
class AuditQuery:
    """What to show: every filter is optional; ``before`` continues after the entry with that id."""

    region: str | None = None
    subject_type: str | None = None
    subject_id: int | None = None
    action: str | None = None
    actor: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    before: int | None = None
    per_page: int = DEFAULT_PER_PAGE

    def active_filters(self) -> dict:
        """The filters in force as URL arguments (for the next page's link)."""
        values = {
            "region": self.region,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "action": self.action,
            "actor": self.actor,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "per_page": self.per_page if self.per_page != DEFAULT_PER_PAGE else None,
        }
        return {key: value for key, value in values.items() if value not in (None, "")}


@dataclass
class AuditRow:
    """An entry as it is shown: with the actor's current name and the region's slug and name."""

    id: int
    at: datetime
    region_id: int
    region_slug: str
    region_name: str
    actor_id: int | None
    actor_name: str | None
    via: str
    subject_type: str
    subject_id: int
    subject_label: str
    action: str
    changes: dict

    @property
    def actor_deleted(self) -> bool:
        return self.actor_id is not None and self.actor_name is None


@dataclass
class AuditPage:
    rows: list[AuditRow] = field(default_factory=list)
    next_before: int | None = None


def browse(query: AuditQuery) -> AuditPage:
    """The log of the region in scope (the wall filters it), newest first."""
    return _page(query, region_id=None)


def browse_all_regions(query: AuditQuery) -> AuditPage:
    """The log of every region for the umbrella and admins, or of the one region chosen in the filter."""
    region_id = None
    if query.region:
        region_id = db.session.scalar(select(Region.id).where(Region.slug == query.region))
        if region_id is None:
            raise ServiceError(_m("There is no region with this name."), "region")
    with all_regions(read_only=True):  # the umbrella reviews every region's log
        return _page(query, region_id=region_id)


def _page(query: AuditQuery, region_id: int | None) -> AuditPage:
    stmt = select(AuditEntry)
    if region_id is not None:
        stmt = stmt.where(AuditEntry.region_id == region_id)
    if query.subject_type:
        stmt = stmt.where(AuditEntry.subject_type == query.subject_type)
    if query.subject_id:
        stmt = stmt.where(AuditEntry.subject_id == query.subject_id)
    if query.action:
        stmt = stmt.where(AuditEntry.action == query.action)
    if query.actor:
        stmt = stmt.where(_actor_condition(query.actor))
    if query.date_from:
        stmt = stmt.where(AuditEntry.at >= _local_midnight(query.date_from))
    if query.date_to:
        stmt = stmt.where(AuditEntry.at < _local_midnight(query.date_to + timedelta(days=1)))
    if query.before:
        cursor_at = db.session.scalar(select(AuditEntry.at).where(AuditEntry.id == query.before))
        if cursor_at is None:
            raise ServiceError(_m("This entry of the log does not exist or is not visible to you."), "before")
        stmt = stmt.where(
            or_(AuditEntry.at < cursor_at, and_(AuditEntry.at == cursor_at, AuditEntry.id < query.before))
        )
    entries = list(
        db.session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(query.per_page + 1))
    )
    more = len(entries) > query.per_page
    entries = entries[: query.per_page]
    return AuditPage(rows=_rows(entries), next_before=entries[-1].id if more else None)


def _actor_condition(text: str):
    """An account number (12 or #12), or part of a name or e-mail address."""
    text = text.strip()
    number = ACCOUNT_NUMBER.fullmatch(text)
    if number:
        return AuditEntry.actor_id == int(number.group(1))
    words = text.lower()
    accounts = select(User.id).where(
        or_(
            func.lower(User.name).contains(words, autoescape=True),
            func.lower(User.email).contains(words, autoescape=True),
        )
    )
    return AuditEntry.actor_id.in_(accounts)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_ZONE)


def _rows(entries: list[AuditEntry]) -> list[AuditRow]:
    """Entries with the names they show: actors by their account today, regions by their registry entry."""
    actor_ids = {e.actor_id for e in entries if e.actor_id is not None}
    names = {}
    if actor_ids:
        names = {
            user_id: name
            for user_id, name in db.session.execute(select(User.id, User.name).where(User.id.in_(actor_ids)))
        }
    regions = {r.id: r for r in db.session.scalars(select(Region))}
    return [
        AuditRow(
            id=e.id,
            at=e.at,
            region_id=e.region_id,
            region_slug=regions[e.region_id].slug,
            region_name=regions[e.region_id].name,
            actor_id=e.actor_id,
            actor_name=names.get(e.actor_id),
            via=e.via,
            subject_type=e.subject_type,
            subject_id=e.subject_id,
            subject_label=e.subject_label,
            action=e.action,
            changes=e.changes or {},
        )
        for e in entries
    ]
