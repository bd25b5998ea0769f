"""One search over the profiles of all regions, limited to what the viewer may see.

SQLite uses the FTS5 table ``directory_fts`` (bm25 ranking, filters as index tokens so that the
engine intersects them); PostgreSQL uses the GIN-indexed ``search_tsv`` column (ts_rank_cd). Both
sit behind ``search()``. The directory is cross-region by nature: it opts out of the region wall
with ``all_regions()`` and applies its own visibility rule, ``visible_to(viewer)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Float, Integer, String, and_, cast, func, literal, literal_column, or_, select, text, union_all
from sqlalchemy.orm import selectinload

from hub.accounts.models import Role
from hub.db import db
from hub.tenancy import all_regions
from hub.tenancy.models import Region
from regions.profiles.models import Profile
from regions.profiles.vocab import ProfileKind, Visibility
from shared.directory.models import DirectoryEntry as E
from shared.directory.models import DirectoryTerm as T
from shared.directory.text import facet_key, terms, token

PER_PAGE = 20
MAX_PAGE = 500
FACET_LIMIT = 15


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the regions they belong to and coordinate, or everything (umbrella, admin)."""

    user_id: int | None
    sees_all: bool = False
    member_regions: frozenset[int] = frozenset()
    coordinated_regions: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user) -> Viewer:
        """The viewer for a user whose memberships are loaded."""
        if user is None or not user.is_authenticated:
            return cls(user_id=None)
        with all_regions():
            memberships = list(user.memberships)
        return cls(
            user_id=user.id,
            sees_all=user.global_role in (Role.UMBRELLA, Role.ADMIN),
            member_regions=frozenset(m.region_id for m in memberships),
            coordinated_regions=frozenset(m.region_id for m in memberships if m.role == Role.COORDINATOR),
        )


def visible_to(viewer: Viewer):
    """The SQL rule for which directory entries a viewer may see."""
    if viewer.user_id is None:
        return literal(False)
    if viewer.sees_all:
        return E.archived.is_(False)
    allowed = [and_(E.listed, E.visibility == Visibility.NETWORK.value), E.user_id == viewer.user_id]
    if viewer.member_regions:
        allowed.append(and_(E.listed, E.visibility == Visibility.REGION.value, E.region_id.in_(viewer.member_regions)))
    if viewer.coordinated_regions:
        allowed.append(E.region_id.in_(viewer.coordinated_regions))
    return and_(E.archived.is_(False), or_(*allowed))


@dataclass
class DirectoryQuery:
    """A directory search: free text plus facet filters."""

    q: str = ""
    region: str | None = None
    kind: str | None = None
    submarket: str | None = None
    sector: str | None = None
    tag: str | None = None
    town: str | None = None
    page: int = 1
    per_page: int = PER_PAGE

    def active_filters(self) -> dict[str, str]:
        return {k: v for k in ("region", "kind", "submarket", "sector", "tag", "town") if (v := getattr(self, k))}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    """A page of profiles (best first), the total, and counts per facet value."""

    profiles: list[Profile]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    regions: dict[int, Region] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search(viewer: Viewer, query: DirectoryQuery) -> SearchResult:
    """Search the directory as this viewer; three queries whatever the page size."""
    with all_regions():
        regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.active))}
        by_slug = {r.slug: r for r in regions.values()}
        words = terms(query.q)
        conditions = [visible_to(viewer), *_filter_conditions(query, by_slug)]
        match, rank = _text_match(words, query, by_slug) if words else (None, None)

        base = select(E.profile_id, E.region_id, E.kind, E.town, E.sector)
        if match is not None:
            base = base.join(match, match.c.profile_id == E.profile_id)
        matched = base.where(*conditions).cte("matched").prefix_with("MATERIALIZED")
        counts = _facet_counts(matched)

        page = min(max(query.page, 1), MAX_PAGE)
        ordered = select(E.profile_id)
        if match is not None:
            ordered = ordered.join(match, match.c.profile_id == E.profile_id).order_by(rank, E.name_key)
        else:
            ordered = ordered.order_by(E.name_key, E.profile_id)
        ids = list(
            db.session.scalars(ordered.where(*conditions).limit(query.per_page).offset((page - 1) * query.per_page))
        )
        found = (
            {
                p.id: p
                for p in db.session.scalars(
                    select(Profile).where(Profile.id.in_(ids)).options(selectinload(Profile.user))
                )
            }
            if ids
            else {}
        )
    total = sum(n for (facet, _value, _label), n in counts.items() if facet == "region")
    return SearchResult(
        profiles=[found[i] for i in ids if i in found],
        total=total,
        page=page,
        per_page=query.per_page,
        facets=_facets(counts, query, regions),
        regions=regions,
    )


def _filter_conditions(query: DirectoryQuery, by_slug: dict[str, Region]) -> list:
    out = []
    if query.region:
        region = by_slug.get(query.region)
        out.append(E.region_id == (region.id if region else -1))
    if query.kind:
        out.append(E.kind == query.kind)
    if query.town:
        out.append(E.town == query.town)
    if query.sector:
        out.append(E.sector == query.sector)
    if query.submarket:
        out.append(E.profile_id.in_(select(T.profile_id).where(T.facet == "submarket", T.value == query.submarket)))
    if query.tag:
        out.append(E.profile_id.in_(select(T.profile_id).where(T.facet == "tag", T.value == facet_key(query.tag))))
    return out


def _text_match(words: list[str], query: DirectoryQuery, by_slug: dict[str, Region]):
    """A subquery (profile_id, rank) of the entries matching every word, and the ORDER BY for rank."""
    if db.engine.dialect.name == "postgresql":
        tsquery = func.to_tsquery("simple", " & ".join(f"{w}:*" for w in words))
        vector = literal_column("directory_entry.search_tsv")
        sub = (
            select(E.profile_id.label("profile_id"), func.ts_rank_cd(vector, tsquery).label("rank"))
            .where(vector.op("@@")(tsquery))
            .subquery("fts")
        )
        return sub, sub.c.rank.desc()
    expression = " AND ".join(f'"{w}"*' for w in words)
    tokens = _filter_tokens(query, by_slug)
    if tokens:
        expression = f"body : ({expression}) AND filters : ({' AND '.join(tokens)})"
    sub = (
        text(
            "SELECT rowid AS profile_id, bm25(directory_fts, 1.0, 0.0) AS rank FROM directory_fts "
            "WHERE directory_fts MATCH :expression"
        )
        .bindparams(expression=expression)
        .columns(profile_id=Integer, rank=Float)
        .subquery("fts")
    )
    return sub, sub.c.rank.asc()


def _filter_tokens(query: DirectoryQuery, by_slug: dict[str, Region]) -> list[str]:
    """The active filters as FTS5 index tokens, so the engine intersects them with the words."""
    tokens = []
    if query.region and query.region in by_slug:
        tokens.append(token("region", by_slug[query.region].id))
    if query.kind:
        tokens.append(token("kind", query.kind))
    if query.town:
        tokens.append(token("town", query.town))
    if query.sector:
        tokens.append(token("sector", query.sector))
    if query.submarket:
        tokens.append(token("sm", query.submarket))
    if query.tag:
        tokens.append(token("tag", query.tag))
    return [f'"{t}"' for t in tokens if len(t) > 1]


def _facet_counts(matched) -> dict[tuple[str, str, str], int]:
    """Counts per facet value over the matched set, all facets in one statement."""
    n = func.count()
    parts = [
        select(literal("region"), cast(matched.c.region_id, String), literal(""), n).group_by(matched.c.region_id),
        select(literal("kind"), matched.c.kind, literal(""), n).group_by(matched.c.kind),
        select(literal("town"), matched.c.town, literal(""), n).where(matched.c.town != "").group_by(matched.c.town),
        select(literal("sector"), matched.c.sector, literal(""), n)
        .where(matched.c.sector != "")
        .group_by(matched.c.sector),
        select(T.facet, T.value, func.min(T.label), n)
        .join(matched, matched.c.profile_id == T.profile_id)
        .group_by(T.facet, T.value),
    ]
    rows = db.session.execute(union_all(*parts)).all()
    return {(facet, value, label): count for facet, value, label, count in rows}


def _facets(counts, query: DirectoryQuery, regions: dict[int, Region]) -> dict[str, list[FacetValue]]:
    from regions.profiles.vocab import KIND_LABELS, SUBMARKETS

    out: dict[str, list[FacetValue]] = {k: [] for k in ("region", "kind", "submarket", "sector", "tag", "town")}
    for (facet, value, label), count in counts.items():
        if facet == "region":
            region = regions.get(int(value))
            if region is None:
                continue
            out["region"].append(FacetValue(region.slug, region.name, count, query.region == region.slug))
        elif facet == "kind":
            out["kind"].append(FacetValue(value, str(KIND_LABELS[ProfileKind(value)]), count, query.kind == value))
        elif facet == "submarket":
            out["submarket"].append(
                FacetValue(value, str(SUBMARKETS.get(value, value)), count, query.submarket == value)
            )
        elif facet == "tag":
            selected = query.tag is not None and facet_key(query.tag) == value
            out["tag"].append(FacetValue(value, label, count, selected))
        else:
            out[facet].append(FacetValue(value, value, count, getattr(query, facet) == value))
    order = {r.slug: r.position for r in regions.values()}
    out["region"].sort(key=lambda f: order.get(f.value, 99))
    for facet in ("kind", "submarket", "sector", "tag", "town"):
        out[facet].sort(key=lambda f: (not f.selected, -f.count, f.label.casefold()))
        out[facet] = out[facet][:FACET_LIMIT]
    return out


def find_visible_profile(viewer: Viewer, profile_id: int) -> Profile | None:
    """One profile, if the viewer may see it (the same rule as the search)."""
    with all_regions():
        return db.session.scalar(
            select(Profile).join(E, E.profile_id == Profile.id).where(Profile.id == profile_id, visible_to(viewer))
        )
