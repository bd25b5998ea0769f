"""Saved searches: keep a directory search, name it, list a person's searches, run one, and what fitted already.

A saved search keeps ``DirectoryQuery.kept()`` of the search the directory's schema loaded, so opening it runs
exactly the search that was saved. A person's saved searches span regions, like the directory: not region-scoped,
every read filters by the person.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from hub.core.db import db
from hub.core.schemas import ServiceError, _m
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from regions.profiles.vocab import SUBMARKETS
from shared.directory.search import DirectoryQuery, Viewer, matching_ids
from shared.saved_searches.models import SavedSearch, SavedSearchHit
from shared.saved_searches.schemas import NAME_LENGTH

LIMIT = 20  # saved searches per person
# Profiles recorded as "fitted already" when a search is saved; a broader search's older profiles may be announced
# once when they change later (the hub keeps no history of what fitted before).
BASELINE = 200
KIND_PLURALS = {"creative": _l("Creatives"), "organisation": _l("Organisations")}


def searches_of(user) -> list[SavedSearch]:
    """The person's saved searches, by name."""
    return list(
        db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(func.lower(SavedSearch.name))
        )
    )


def search_of(user, saved_search_id: int) -> SavedSearch | None:
    """One of the person's saved searches (another person's is None)."""
    found = db.session.get(SavedSearch, saved_search_id)
    return found if found is not None and found.user_id == user.id else None


def active_regions() -> dict[int, Region]:
    with all_regions(read_only=True):
        return {r.id: r for r in db.session.scalars(select(Region).where(Region.active).order_by(Region.position))}


def kept_query(data: dict, regions: dict[int, Region] | None = None) -> dict[str, str]:
    """The search to keep, from what the directory's schema loaded: its words and filters, nothing of its page.
    A region that does not exist is refused (the directory would show nothing for it, for ever)."""
    query = DirectoryQuery(**{k: v for k, v in data.items() if k not in ("name", "notify", "page", "per_page")})
    kept = query.kept()
    if "region" in kept and kept["region"] not in {r.slug for r in (regions or active_regions()).values()}:
        raise ServiceError(_m("There is no such region."), "region")
    if not kept:
        raise ServiceError(_m("Search for something or choose a filter first: this would be the whole directory."))
    return kept


def describe(kept: dict, regions: dict[int, Region] | None = None) -> list[str]:
    """The search in words, one part per word or filter: „Fotografie", „Dresden", „Organisationen"."""
    by_slug = {r.slug: r for r in (regions or active_regions()).values()}
    parts = []
    if kept.get("q"):
        parts.append(kept["q"])
    for key in ("tag", "submarket", "sector", "town", "region", "kind"):
        value = kept.get(key)
        if not value:
            continue
        if key == "region":
            parts.append(by_slug[value].name if value in by_slug else value)
        elif key == "kind":
            parts.append(str(KIND_PLURALS.get(value, value)))
        elif key == "submarket":
            parts.append(str(SUBMARKETS.get(value, value)))
        else:
            parts.append(value)
    return parts


def default_name(kept: dict, regions: dict[int, Region] | None = None) -> str:
    """A name made from the search, „Fotografie · Dresden · Organisationen" (cut to the name's length)."""
    name = " · ".join(describe(kept, regions)) or _("My search")
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1].rstrip() + "…"


def name_taken(user, name: str, but: int | None = None) -> bool:
    statement = select(SavedSearch.id).where(
        SavedSearch.user_id == user.id, func.lower(SavedSearch.name) == name.lower()
    )
    return any(found != but for found in db.session.scalars(statement))


def same_search(user, kept: dict) -> SavedSearch | None:
    """The person's saved search that is this very search, if any."""
    return next((s for s in searches_of(user) if s.query == kept), None)


def count_of(user) -> int:
    return db.session.scalar(select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id))


def record_baseline(search: SavedSearch, user) -> int:
    """Note the profiles that fit now (up to BASELINE): they are no news, now or when they change later
    (when a search is saved, and when its notice is switched on again)."""
    ids = matching_ids(Viewer.of(user), DirectoryQuery(**search.query), limit=BASELINE)
    if ids and search.id is not None:
        known = set(
            db.session.scalars(
                select(SavedSearchHit.profile_id).where(
                    SavedSearchHit.saved_search_id == search.id, SavedSearchHit.profile_id.in_(ids)
                )
            )
        )
        ids = [i for i in ids if i not in known]
    db.session.add_all(SavedSearchHit(saved_search_id=search.id, profile_id=i) for i in ids)
    return len(ids)


def query_of(search: SavedSearch, page: int = 1, per_page: int = 20) -> DirectoryQuery:
    """The directory search a saved search runs."""
    return DirectoryQuery(**search.query, page=page, per_page=per_page)
