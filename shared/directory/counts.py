"""Facet counts kept with the index: how many entries of one category (region, kind, visibility, listing) carry one
facet value. A search without words adds up the rows of the categories its viewer sees instead of reading its
hits, so the directory's first page costs the same at 100 or 100,000 profiles.

The rows change in the same transaction as the entries (``follow``, called by ``shared.directory.index.reindex``)
and are rebuilt with the index (``rebuild``). Archived entries are never counted (nobody sees them); a row that
reaches 0 is deleted, so no tag label outlives the last profile that wrote it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import String, cast, delete, func, insert, literal, select, true, union_all
from sqlalchemy.dialects import postgresql, sqlite

from shared.directory.models import FACET_SEP, DirectoryCount, DirectoryEntry

COUNT = DirectoryCount.__table__
ENTRY = DirectoryEntry.__table__
CATEGORY = ("region_id", "kind", "visibility", "listed")
TOTAL = ""  # the key every counted entry has once: the counts per region and kind


def column_key(facet: str, value: str) -> str:
    """The key of a single-valued facet (town, sector), shaped like the multi-valued ones; also a submarket's, whose
    label is its code."""
    return FACET_SEP.join((facet, value, value))


def keys_of(entry: Mapping) -> list[str]:
    """The keys one entry is counted under (none when archived)."""
    if entry["archived"]:
        return []
    keys = [TOTAL]
    for facet in ("town", "sector"):
        if entry[facet]:
            keys.append(column_key(facet, entry[facet]))
    return keys + list(entry["facets"] or ())


def follow(connection, before: Iterable[Mapping], after: Iterable[Mapping]) -> None:
    """Move the counters from what these entries were (``before``) to what they are now (``after``)."""
    delta: Counter = Counter()
    for sign, entries in ((-1, before), (1, after)):
        for entry in entries:
            category = tuple(entry[c] for c in CATEGORY)
            for key in keys_of(entry):
                delta[(*category, key)] += sign
    # Sorted, so that two transactions lock the rows they share in the same order (no deadlock on PostgreSQL).
    changes = [
        dict(zip((*CATEGORY, "key", "n"), (*k, n), strict=True))
        for k, n in sorted(delta.items(), key=lambda item: item[0])
        if n
    ]
    if not changes:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(COUNT)
    upsert = upsert.on_conflict_do_update(index_elements=[*CATEGORY, "key"], set_={"n": COUNT.c.n + upsert.excluded.n})
    connection.execute(upsert, changes)
    if any(change["n"] < 0 for change in changes):
        regions = sorted({change["region_id"] for change in changes})
        connection.execute(delete(COUNT).where(COUNT.c.n <= 0, COUNT.c.region_id.in_(regions)))


def rebuild(connection) -> None:
    """Count every entry again (after a rebuild of the index, a restore or a bulk load)."""
    connection.execute(delete(COUNT))
    e = ENTRY.alias("e")
    category = [e.c[c] for c in CATEGORY]
    live = e.c.archived.is_(False)
    sep = literal(FACET_SEP, String)
    parts = [select(*category, literal(TOTAL, String).label("key")).where(live)]
    for facet in ("town", "sector"):
        key = literal(facet, String) + sep + e.c[facet] + sep + e.c[facet]
        parts.append(select(*category, key.label("key")).where(live, e.c[facet] != ""))
    if connection.dialect.name == "postgresql":
        parts.append(select(*category, func.unnest(e.c.facets).label("key")).where(live))
    else:
        item = func.json_each(e.c.facets).table_valued("value", name="item")
        parts.append(select(*category, cast(item.c.value, String).label("key")).join(item, true()).where(live))
    every = union_all(*parts).subquery("every")
    grouped = select(*(every.c[c] for c in CATEGORY), every.c.key, func.count()).group_by(
        *(every.c[c] for c in CATEGORY), every.c.key
    )
    connection.execute(insert(COUNT).from_select([*CATEGORY, "key", "n"], grouped))


def seen_rows(seen, region_id: int | None, kind: str | None):
    """The counts of the categories a viewer sees (``seen``: the viewer's rule on a table's category columns),
    in the rows of the search's summary: ('terms', key, NULL, NULL, NULL, n) per facet value and ('columns',
    region, kind, NULL, NULL, n) per region and kind."""
    conditions = [seen(COUNT.c)]
    if region_id is not None:
        conditions.append(COUNT.c.region_id == region_id)
    if kind is not None:
        conditions.append(COUNT.c.kind == kind)
    none = literal(None, String)
    n = func.sum(COUNT.c.n)
    values = (
        select(literal("terms"), COUNT.c.key, none, none, none, n)
        .where(*conditions, COUNT.c.key != TOTAL)
        .group_by(COUNT.c.key)
    )
    totals = (
        select(literal("columns"), cast(COUNT.c.region_id, String), COUNT.c.kind, none, none, n)
        .where(*conditions, COUNT.c.key == TOTAL)
        .group_by(COUNT.c.region_id, COUNT.c.kind)
    )
    return values, totals
