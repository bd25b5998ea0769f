"""One search over the profiles of all regions, limited to what the viewer may see.

SQLite uses the FTS5 table ``directory_fts`` (bm25 ranking, the selective filters as index tokens so
that the engine intersects them); PostgreSQL uses the GIN-indexed ``search_tsv`` column (ts_rank_cd),
which the planner intersects with the filters' indexes. Both sit behind ``search()``, which counts the
facets in the same statement that finds the page. The directory is cross-region by nature: it opts
out of the region wall with ``all_regions()`` and applies its own visibility rule, ``visible_to(viewer)``.

Why one module of about 550 lines: the visibility rule, the bound, the counters' shortcut and the facet counts
are parts of one statement per search, written for two databases side by side; split, a change to the rule
would have to be made in several files that must agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import (
    Float,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import array as pg_array
from sqlalchemy.orm import selectinload

from hub.core.db import db
from hub.core.pages import Page, clamp
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from regions.profiles.models import Profile
from regions.profiles.vocab import ProfileKind, Visibility
from shared.directory import counts as counters
from shared.directory.models import FACET_SEP
from shared.directory.models import DirectoryEntry as E
from shared.directory.models import DirectoryTerm as T
from shared.directory.text import facet_key, terms, token

FILTERS = ("region", "kind", "submarket", "sector", "tag", "town")
PER_PAGE = 20
MAX_PAGE = 500
FACET_LIMIT = 15
# A search with words (or a filter the counters do not keep) reads at most this many hits: the total then says
# "at least", and the facet counts are those of these hits (``SearchResult.counts_exact``).
BOUND = 1000
# Without words, a filter that more than this share of the entries pass is walked in name order.
WALK_SHARE = 0.05
# Without words, a filter that at most READ_ALL × BOUND entries pass (the counters say so) is read whole, unsorted,
# and counted exactly: reading 1,600 entries of a town costs less than sorting them to keep the first 1,000.
READ_ALL = 2
PG_TEXT_ARRAY = ARRAY(Text)


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


def seen_categories(viewer: Viewer, t):
    """The part of the rule that depends only on an entry's category (region, visibility, listing), for entries
    that are not archived: the viewer sees these, and their own entries besides. ``t``: the columns of
    ``directory_entry`` or of the counters (``shared.directory.counts``), which are kept per category."""
    if viewer.user_id is None:
        return literal(False)
    if viewer.sees_all:
        return true()
    allowed = [and_(t.listed, t.visibility == Visibility.NETWORK.value)]
    if viewer.member_regions:
        allowed.append(and_(t.listed, t.visibility == Visibility.REGION.value, t.region_id.in_(viewer.member_regions)))
    if viewer.coordinated_regions:
        allowed.append(t.region_id.in_(viewer.coordinated_regions))
    return or_(*allowed)


def visible_to(viewer: Viewer):
    """The SQL rule for which directory entries a viewer may see."""
    if viewer.user_id is None:
        return literal(False)
    if viewer.sees_all:
        return E.archived.is_(False)
    return and_(E.archived.is_(False), or_(seen_categories(viewer, E), E.user_id == viewer.user_id))


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
        return {k: v for k in FILTERS if (v := getattr(self, k))}

    def kept(self) -> dict[str, str]:
        """The search without its page, as a saved search keeps it: ``DirectoryQuery(**kept)`` runs it again."""
        words = " ".join(self.q.split())
        return {**({"q": words} if words else {}), **self.active_filters()}


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
    # False when the search stopped at BOUND hits: ``total`` is then a lower bound, and the facet counts are
    # those of the hits read (the first BOUND in the engine's order), not of every hit.
    total_exact: bool = True
    counts_exact: bool = True

    @property
    def pager(self) -> Page:
        """The page as the hub's lists have it: its arithmetic and its links (`hub.core.pages`)."""
        return Page(items=self.profiles, page=self.page, per_page=self.per_page, total=self.total)

    @property
    def pages(self) -> int:
        return self.pager.pages

    @property
    def at_bound_end(self) -> bool:
        """Whether this page is the last of the hits that can be shown (or past it) while there are more: the page
        says why its pager stops."""
        return not self.total_exact and self.page >= self.pages

    @property
    def beyond_bound(self) -> bool:
        """Whether this page lies past the hits that can be shown (an old link, a typed address): it is empty."""
        return not self.total_exact and self.page > self.pages


def search(viewer: Viewer, query: DirectoryQuery) -> SearchResult:
    """Search the directory as this viewer; four queries whatever the page size and the number of hits.

    One statement does the work: it finds the visible matches once and returns from them both the
    page (best first) and the count of every facet value. Then the page's profiles and their users.
    Without words (and no filter but region and kind) the counts come from the kept counters and are exact
    at any size; otherwise the statement reads at most BOUND hits (see ``SearchResult.total_exact``).
    """
    with all_regions():
        regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.active))}
        by_slug = {r.slug: r for r in regions.values()}
        page = clamp(query.page, MAX_PAGE)
        words = terms(query.q)
        counted = _counted(query, words)
        bound = BOUND
        if counted:
            summary = _counted_summary(viewer, query, by_slug, page)
        else:
            bound, walk = BOUND, False
            if not words:  # a town, sector, submarket or tag: how many entries pass the rarest, from the counters
                passing, everyone = _reach(query, by_slug)
                if passing <= READ_ALL * BOUND:  # few enough to count them all, exactly: cheaper than sorting
                    bound = None
                else:
                    walk = passing >= WALK_SHARE * everyone
            hits, order, candidates = _hits(viewer, query, by_slug, words, bound=bound, walk=walk)
            summary = _summary(hits, order, query, page, *([candidates] if candidates is not None else []))
        positions: dict[int, int] = {}
        counts: dict[tuple[str, str], int] = {}
        labels: dict[tuple[str, str], str] = {}
        cut = False
        for part, key, kind, town, sector, n in db.session.execute(summary):
            if part == "candidates":  # SQLite's engine gave as many as it was asked for: there may be more
                cut = n >= 2 * BOUND
            elif part == "page":
                positions[int(key)] = n
            elif part == "columns":
                for facet, value in (("region", key), ("kind", kind), ("town", town), ("sector", sector)):
                    if value:
                        counts[(facet, value)] = counts.get((facet, value), 0) + n
            else:  # one (facet, value, label) of the multi-valued facets
                facet, value, label = key.split(FACET_SEP, 2)
                counts[(facet, value)] = counts.get((facet, value), 0) + n
                if (facet, value) not in labels or label < labels[(facet, value)]:
                    labels[(facet, value)] = label
        ids = sorted(positions, key=positions.__getitem__)
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
    total = sum(n for (facet, _value), n in counts.items() if facet == "region")
    exact = counted or bound is None or (total < BOUND and not cut)
    return SearchResult(
        profiles=[found[i] for i in ids if i in found],
        total=total,
        total_exact=exact,
        counts_exact=exact,
        page=page,
        per_page=query.per_page,
        facets=_facets({(f, v, labels.get((f, v), "")): n for (f, v), n in counts.items()}, query, regions),
        regions=regions,
    )


def matching_ids(
    viewer: Viewer,
    query: DirectoryQuery,
    *,
    among: list[int] | None = None,
    limit: int | None = None,
    regions: dict[int, Region] | None = None,
) -> list[int]:
    """The ids of the profiles this search shows the viewer, best first: exactly the search's rule, in one
    statement (plus the regions, unless given). ``among`` restricts it to these profiles (the engine looks at
    no others: a saved search's notice asks only about profiles changed since it last looked)."""
    if among is not None and not among:
        return []
    with all_regions():
        if regions is None:
            regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.active))}
        by_slug = {r.slug: r for r in regions.values()}
        hits, order, _candidates = _hits(viewer, query, by_slug, terms(query.q), among=among)
        statement = select(hits.c.profile_id).order_by(*order)
        if limit is not None:
            statement = statement.limit(limit)
        return list(db.session.scalars(statement))


def _hits(
    viewer: Viewer,
    query: DirectoryQuery,
    by_slug: dict[str, Region],
    words: list[str],
    among: list[int] | None = None,
    bound: int | None = None,
    walk: bool = False,
):
    """The visible entries that match, as a materialised CTE with their rank, the page's ORDER BY, and (bounded
    on SQLite) a statement counting the engine's candidates, or None.

    ``bound``: at most this many hits, the same set on every page — with words the first visible ones by profile id,
    ranked among themselves (SQLite: FTS5 gives its first ``2 × bound`` matches by rowid with their bm25, which it
    then computes for those only — ranking all 33,000 matches of a frequent word cost 33 ms; PostgreSQL walks the
    primary key or sorts the GIN index's matches, whichever its planner finds cheaper, and ts_rank_cd reads only
    these hits' vectors); without words: the first by name. ``walk``: the
    filters are common, so the database should walk the entries in name order and stop after ``bound`` rather than look
    up every entry a submarket or tag names and sort them (the list of their ids is kept out of its reach)."""
    conditions = [visible_to(viewer), *_filter_conditions(query, by_slug, walk=walk)]
    if among is not None:
        conditions.append(E.profile_id.in_(among))
    columns = [E.profile_id, E.region_id, E.kind, E.town, E.sector, E.facets, E.name_key]
    candidates = None
    if not words:
        hits = select(*columns, literal(0.0, Float).label("rank")).where(*conditions)
        if bound is not None:
            hits = hits.order_by(E.name_key, E.profile_id).limit(bound)
    elif db.engine.dialect.name == "postgresql":
        # One scan of directory_entry: the planner intersects the GIN index with the filters' indexes.
        tsquery = func.to_tsquery("simple", " & ".join(f"{w}:*" for w in words))
        vector = literal_column("directory_entry.search_tsv")
        rank = (-func.ts_rank_cd(vector, tsquery)).label("rank")
        hits = select(*columns, rank).where(vector.op("@@")(tsquery), *conditions)
        if bound is not None:  # the first by id: the same set on every page, whatever plan the index gives
            hits = hits.order_by(E.profile_id).limit(bound)
    else:
        # FTS5 first (materialised, so that it drives the join), then the entries by primary key.
        restricted = "" if among is None else " AND rowid IN (SELECT value FROM json_each(:among))"
        first = "" if bound is None else " ORDER BY rowid LIMIT :candidates"
        fts = (
            text(
                "SELECT rowid AS profile_id, bm25(directory_fts, 1.0, 0.0) AS rank FROM directory_fts "
                "WHERE directory_fts MATCH :expression" + restricted + first
            )
            .bindparams(
                expression=_fts_expression(words, query, by_slug),
                **_among(among),
                **({} if bound is None else {"candidates": 2 * bound}),
            )
            .columns(profile_id=Integer, rank=Float)
            .cte("fts")
            .prefix_with("MATERIALIZED")
        )
        hits = select(*columns, fts.c.rank).join_from(fts, E, E.profile_id == fts.c.profile_id).where(*conditions)
        if bound is not None:
            hits = hits.order_by(E.profile_id).limit(bound)
            none = literal(None, String)
            candidates = select(literal("candidates"), none, none, none, none, func.count()).select_from(fts)
    hits = hits.cte("hits").prefix_with("MATERIALIZED")
    return hits, (hits.c.rank, hits.c.name_key, hits.c.profile_id), candidates


def _among(among: list[int] | None) -> dict:
    return {} if among is None else {"among": json.dumps(sorted(set(among)))}


def _counted(query: DirectoryQuery, words: list[str]) -> bool:
    """Whether the kept counters answer this search's facet counts: no words, no filter but region and kind."""
    return not words and not (query.town or query.sector or query.submarket or query.tag)


def _counted_summary(viewer: Viewer, query: DirectoryQuery, by_slug: dict[str, Region], page: int):
    """The summary of a search without words (and no filter but region and kind), in the rows of ``_summary``.

    The page walks the entries in name order and stops after it; the counts add up the kept counters of the
    categories the viewer sees (``shared.directory.counts``), and the viewer's own entries of other categories
    (a private profile of their own) are counted from the entries themselves: a handful of rows.
    """
    conditions = _filter_conditions(query, by_slug)
    order = (E.name_key, E.profile_id)
    top = select(E.profile_id, *order).where(visible_to(viewer), *conditions).order_by(*order)
    top = top.limit(query.per_page).offset((page - 1) * query.per_page).subquery("top")
    page_rows = _page_rows(top, [top.c.name_key, top.c.profile_id])
    region_id = None
    if query.region:
        region = by_slug.get(query.region)
        region_id = region.id if region else -1
    parts = [page_rows, *counters.seen_rows(lambda t: seen_categories(viewer, t), region_id, query.kind)]
    if viewer.user_id is not None and not viewer.sees_all:
        columns = [E.profile_id, E.region_id, E.kind, E.town, E.sector, E.facets]
        own = select(*columns).where(
            E.user_id == viewer.user_id, E.archived.is_(False), ~seen_categories(viewer, E), *conditions
        )
        parts += _facet_rows(own.cte("own"))
    return union_all(*parts)


def _summary(hits, order, query: DirectoryQuery, page: int, *more):
    """One statement over the hits: the page's ids with their positions, and the facet counts.

    Rows are (part, key, kind, town, sector, n): ``page`` rows carry a profile id and its position;
    ``columns`` rows the counts per region, kind, town and sector together; ``terms`` rows the counts
    per submarket and tag (key is facet, value and label joined by FACET_SEP).
    """
    top = select(hits.c.profile_id, *order).order_by(*order).limit(query.per_page)
    top = top.offset((page - 1) * query.per_page).subquery("top")
    return union_all(_page_rows(top, [top.c[c.name] for c in order]), *_facet_rows(hits), *more)


def _page_rows(top, order):
    """The ``page`` rows of a summary: each profile id of the page with its position."""
    none = literal(None, String)
    return select(
        literal("page"), cast(top.c.profile_id, String), none, none, none, func.row_number().over(order_by=order)
    )


def _facet_rows(hits) -> list:
    """The facet counts of these hits: ``columns`` rows per region, kind, town and sector, ``terms`` rows per
    submarket and tag."""
    none = literal(None, String)
    n = func.count()
    column_rows = select(
        literal("columns"), cast(hits.c.region_id, String), hits.c.kind, hits.c.town, hits.c.sector, n
    ).group_by(hits.c.region_id, hits.c.kind, hits.c.town, hits.c.sector)
    if db.engine.dialect.name == "postgresql":
        items = select(func.unnest(hits.c.facets).label("value")).subquery("item")
        term_rows = select(literal("terms"), items.c.value, none, none, none, n).group_by(items.c.value)
    else:
        items = func.json_each(hits.c.facets).table_valued("value", name="item")
        term_rows = (
            select(literal("terms"), items.c.value, none, none, none, n)
            .select_from(hits)
            .join(items, true())
            .group_by(items.c.value)
        )
    return [column_rows, term_rows]


def _filter_conditions(query: DirectoryQuery, by_slug: dict[str, Region], walk: bool = False) -> list:
    """The filters in SQL; ``walk``: a common submarket or tag is checked on each entry as the entries are walked in
    name order, not gathered as a list of every id first (a town or a sector keeps its index, which is in name order
    too: ``(town, name_key)``, ``(sector, name_key)``). SQLite looks the term up in directory_term's primary key;
    PostgreSQL reads a submarket from the entry's own ``facets`` array (a submarket's label is its code, so its key is
    known; a tag's labels vary, so a tag keeps the list of ids there): a submarket + region + kind went from 23 ms
    to 11 ms, the join of 3,000 entries with their terms left out."""

    def having(facet: str, value: str):
        postgres = db.engine.dialect.name == "postgresql"
        if walk and postgres and facet == "submarket":
            return E.facets.op("@>")(cast(pg_array([counters.column_key(facet, value)]), PG_TEXT_ARRAY))
        if walk and not postgres:
            return select(T.profile_id).where(T.profile_id == E.profile_id, T.facet == facet, T.value == value).exists()
        return E.profile_id.in_(select(T.profile_id).where(T.facet == facet, T.value == value))

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
        out.append(having("submarket", query.submarket))
    if query.tag:
        out.append(having("tag", facet_key(query.tag)))
    return out


def _reach(query: DirectoryQuery, by_slug: dict[str, Region]) -> tuple[int, int]:
    """How many entries (not archived, of any visibility) of the search's region and kind pass the rarest of its filters
    (town, sector, submarket, tag), and how many entries of that region and kind there are, from the counters: one small
    statement that tells a filter few pass (read them all) from a common one (read the first by name, walking the
    names rather than looking them up)."""
    C = counters.COUNT.c
    scope = []
    if query.region:
        region = by_slug.get(query.region)
        scope.append(C.region_id == (region.id if region else -1))
    if query.kind:
        scope.append(C.kind == query.kind)
    shares = []
    if query.town:
        shares.append(C.key == counters.column_key("town", query.town))
    if query.sector:
        shares.append(C.key == counters.column_key("sector", query.sector))
    if query.submarket:
        shares.append(C.key == counters.column_key("submarket", query.submarket))
    if query.tag:  # every label of the tag: the keys between "tag<TAB>value<TAB>" and "tag<TAB>value<LF>"
        prefix = FACET_SEP.join(("tag", facet_key(query.tag), ""))
        shares.append(and_(C.key > prefix, C.key < prefix[:-1] + "\n"))
    everything = C.key == counters.TOTAL
    row = db.session.execute(
        select(
            func.sum(case((everything, C.n), else_=0)),
            *(func.sum(case((share, C.n), else_=0)) for share in shares),
        ).where(or_(everything, *shares), *scope)
    ).one()
    return min((n or 0 for n in row[1:]), default=0), row[0] or 0  # no counter row: sums are NULL


def _fts_expression(words: list[str], query: DirectoryQuery, by_slug: dict[str, Region]) -> str:
    """The FTS5 query: every word as a prefix in the body, and the selective filters as index tokens.

    The engine then intersects them itself. The kind is left out: with two values it narrows little,
    and bm25 pays for every token of the expression (it counts the rows of each).
    """
    expression = " AND ".join(f'"{w}"*' for w in words)
    tokens = _filter_tokens(query, by_slug)
    if tokens:
        expression = f"body : ({expression}) AND filters : ({' AND '.join(tokens)})"
    return expression


def _filter_tokens(query: DirectoryQuery, by_slug: dict[str, Region]) -> list[str]:
    """The selective filters as FTS5 index tokens."""
    tokens = []
    if query.region and query.region in by_slug:
        tokens.append(token("region", by_slug[query.region].id))
    if query.town:
        tokens.append(token("town", query.town))
    if query.sector:
        tokens.append(token("sector", query.sector))
    if query.submarket:
        tokens.append(token("sm", query.submarket))
    if query.tag:
        tokens.append(token("tag", query.tag))
    return [f'"{t}"' for t in tokens if len(t) > 1]


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
