"""The notice of a saved search: which new profiles fit it, told once, at a bounded cost.

A sweep (the job ``saved_searches.notices``) over the saved searches with their notice on:

1. the directory's entries that changed since the earliest search last looked (``directory_entry.changed_at``,
   indexed; it moves only when what the search sees of a profile changes), listed and not archived: the
   candidates; a quiet run stops after this one statement;
2. per saved search, the directory's own search restricted to the candidates changed since it last looked,
   as its owner sees the directory (``shared.directory.search.matching_ids``): "fits" means what the directory
   shows them, visibility included; their own profiles are no news;
3. the profiles the search knew already (fitted when it was saved, or announced before) are left out;
   the rest are recorded with ``INSERT … ON CONFLICT DO NOTHING`` (two schedulers at once announce a profile
   once) and the owner gets one notice for the search, naming how many, with a link that opens it.

Looking back ``OVERLAP`` before the last look catches a change whose transaction committed after a run had
begun; what was announced is recorded, so looking twice announces nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.db import db, in_transaction, utcnow
from hub.core.tenancy import all_regions
from hub.notifications.services import notify
from shared.directory.models import DirectoryEntry as E
from shared.directory.search import Viewer, matching_ids
from shared.saved_searches import services
from shared.saved_searches.models import SAVED_SEARCHES, SavedSearch, SavedSearchHit

OVERLAP = timedelta(minutes=10)
CHUNK = 5000


def send_notices(now: datetime | None = None) -> dict[str, int]:
    """One sweep: a notice per saved search that new profiles fit; returns what it looked at and told."""
    now = now or utcnow()
    with all_regions():
        searches = db.session.scalars(
            select(SavedSearch)
            .join(User, User.id == SavedSearch.user_id)
            .where(SavedSearch.notify.is_(True), User.active.is_(True), User.erased_at.is_(None))
            .options(selectinload(SavedSearch.user).selectinload(User.memberships))
            .order_by(SavedSearch.id)
        ).all()
    if not searches:
        return {"searches": 0, "candidates": 0, "notices": 0}
    since = min(s.checked_at for s in searches) - OVERLAP
    with all_regions(read_only=True):
        candidates = db.session.execute(
            select(E.profile_id, E.changed_at, E.user_id).where(
                E.changed_at > since, E.listed.is_(True), E.archived.is_(False)
            )
        ).all()
    if not candidates:  # a quiet run: nothing changed since the searches last looked, so they need not move on
        return {"searches": len(searches), "candidates": 0, "notices": 0}
    told = 0
    regions = services.active_regions()
    fitting = {s.id: _fitting(s, candidates, regions) for s in searches}
    known = _known({i for ids in fitting.values() for i in ids}, [s.id for s in searches if fitting[s.id]])
    for s in searches:
        news = [i for i in fitting[s.id] if (s.id, i) not in known]
        if news:
            told += bool(in_transaction(lambda s=s, news=news: _tell(s, news, now)))
    in_transaction(
        lambda: db.session.execute(
            update(SavedSearch)
            .where(SavedSearch.id.in_([s.id for s in searches]))
            .values(checked_at=now, updated_at=SavedSearch.updated_at)
            .execution_options(synchronize_session=False)
        )
    )
    return {"searches": len(searches), "candidates": len(candidates), "notices": told}


def _fitting(search: SavedSearch, candidates, regions) -> list[int]:
    """The candidates that changed since this search last looked and fit it, as its owner sees the directory."""
    since = search.checked_at - OVERLAP
    among = [pid for pid, changed_at, owner in candidates if changed_at > since and owner != search.user_id]
    viewer = Viewer.of(search.user)
    found: list[int] = []
    for start in range(0, len(among), CHUNK):
        found += matching_ids(viewer, services.query_of(search), among=among[start : start + CHUNK], regions=regions)
    return found


def _known(profile_ids: set[int], search_ids: list[int]) -> set[tuple[int, int]]:
    """Which of these (search, profile) pairs the searches knew already."""
    if not profile_ids or not search_ids:
        return set()
    ids = sorted(profile_ids)
    found: set[tuple[int, int]] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(
            db.session.execute(
                select(SavedSearchHit.saved_search_id, SavedSearchHit.profile_id).where(
                    SavedSearchHit.saved_search_id.in_(search_ids),
                    SavedSearchHit.profile_id.in_(ids[start : start + CHUNK]),
                )
            )
        )
    return found


def _tell(search: SavedSearch, profile_ids: list[int], now: datetime):
    """Record the new profiles (those another run recorded meanwhile are left out) and tell the owner once."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(SavedSearchHit)
        .values([{"saved_search_id": search.id, "profile_id": i, "noticed_at": now} for i in profile_ids])
        .on_conflict_do_nothing(index_elements=["saved_search_id", "profile_id"])
        .returning(SavedSearchHit.profile_id)
    )
    new = db.session.execute(statement).scalars().all()
    if not new:
        return None
    return notify(
        search.user,
        SAVED_SEARCHES.key,
        "saved_search_news",
        link=external_url("saved_searches.open_search", saved_search_id=search.id),
        search=search,
        count=len(new),
    )
