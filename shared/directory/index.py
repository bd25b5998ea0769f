"""Keeps the directory index in step with the profiles: every flush that adds, changes or deletes a
profile rewrites its entry in the same transaction, so the directory never needs a manual rebuild.

The listeners are installed by the feature registry (``install``, named in shared.directory's FEATURE),
not by importing this module."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from regions.profiles.models import Profile
from regions.profiles.vocab import SUBMARKETS, ProfileKind, Visibility
from shared.directory import counts
from shared.directory.models import FACET_SEP, DirectoryEntry, DirectoryTerm
from shared.directory.text import facet_key, fold, token

ENTRY = DirectoryEntry.__table__
TERM = DirectoryTerm.__table__


def entry_row(profile: Profile) -> dict:
    """The index entry of one profile."""
    submarket_labels = []
    for lang in ("de", "en"):
        with force_locale(lang):
            submarket_labels += [str(SUBMARKETS.get(code, code)) for code in profile.submarkets]
    text = " ".join(
        [
            profile.display_name,
            profile.organisation_name,
            profile.pitch,
            profile.description,
            " ".join(profile.offer_tags),
            profile.offers_text,
            " ".join(profile.need_tags),
            profile.needs_text,
            profile.town,
            profile.sector,
            " ".join(submarket_labels),
        ]
    )
    filters = [token("region", profile.region_id), token("kind", profile.kind.value)]
    if profile.town:
        filters.append(token("town", profile.town))
    if profile.sector:
        filters.append(token("sector", profile.sector))
    filters += [token("sm", code) for code in profile.submarkets]
    filters += [token("tag", tag) for tag in profile.tags]
    return {
        "profile_id": profile.id,
        "region_id": profile.region_id,
        "user_id": profile.user_id,
        "kind": ProfileKind(profile.kind).value,
        "visibility": Visibility(profile.visibility).value,
        "listed": profile.has_consent and profile.archived_at is None,
        "archived": profile.archived_at is not None,
        "town": profile.town.strip(),
        "sector": profile.sector.strip(),
        "name_key": fold(profile.display_name)[:120],
        "body": fold(text),
        "filters": " ".join(dict.fromkeys(filters)),
        "facets": [FACET_SEP.join((row["facet"], row["value"], row["label"])) for row in term_rows(profile)],
    }


def term_rows(profile: Profile) -> list[dict]:
    """The multi-valued facets of one profile."""
    rows = {}
    for code in profile.submarkets:
        rows[("submarket", code)] = code
    for tag in profile.tags:
        key = facet_key(tag)[:120]
        if key:
            rows.setdefault(("tag", key), tag.strip()[:120])
    return [
        {
            "profile_id": profile.id,
            "region_id": profile.region_id,
            "facet": facet,
            "value": value,
            "label": label,
            "archived": profile.archived_at is not None,
            "created_at": profile.created_at,
        }
        for (facet, value), label in rows.items()
    ]


# What the search sees of an entry: when one of these changes, the entry's ``changed_at`` moves on (saved searches
# look at such entries again); a new picture or contact address leaves it as it was.
SEEN = ("region_id", "user_id", "kind", "visibility", "listed", "archived", "town", "sector", "body", "filters")


def reindex(
    connection,
    profiles: list[Profile],
    removed_ids: list[int] = (),
    previous: dict | None = None,
    removed: dict | None = None,
) -> None:
    """Rewrite the entries of these profiles (and drop those of removed ones) and move the facet counters with
    them; ``previous``: what the entries were before, by profile id (read here unless given), so that
    ``changed_at`` moves only on a change. A caller that passes ``previous`` recounts afterwards (``rebuild_all``).
    ``removed``: the entries of removed profiles as they were before the flush (the database's ON DELETE CASCADE
    has taken them away by now)."""
    ids = [p.id for p in profiles] + list(removed_ids)
    if not ids:
        return
    counting = previous is None
    if counting:
        previous = {**(removed or {}), **_seen_before(connection, ids)}
    rows = [entry_row(p) for p in profiles]
    now = utcnow()
    for row in rows:
        before = previous.get(row["profile_id"])
        unchanged = before is not None and tuple(before[c] for c in SEEN) == tuple(row[c] for c in SEEN)
        row["changed_at"] = before["changed_at"] if unchanged else now
    for chunk in _chunks(ids, 500):
        connection.execute(delete(TERM).where(TERM.c.profile_id.in_(chunk)))
        connection.execute(delete(ENTRY).where(ENTRY.c.profile_id.in_(chunk)))
    if profiles:
        connection.execute(insert(ENTRY), rows)
        terms = [row for p in profiles for row in term_rows(p)]
        if terms:
            connection.execute(insert(TERM), terms)
    if counting:
        counts.follow(connection, previous.values(), rows)


def _seen_before(connection, ids: list[int] | None) -> dict[int, dict]:
    """What the search saw of these entries (every entry for None): SEEN, ``changed_at`` and ``facets``."""
    columns = [ENTRY.c.profile_id, *(ENTRY.c[c] for c in SEEN), ENTRY.c.changed_at, ENTRY.c.facets]
    if ids is None:
        return {row.profile_id: row._asdict() for row in connection.execute(select(*columns))}
    found = {}
    for chunk in _chunks(ids, 500):
        found.update(
            {
                row.profile_id: row._asdict()
                for row in connection.execute(select(*columns).where(ENTRY.c.profile_id.in_(chunk)))
            }
        )
    return found


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _remember_removed_entries(session: Session, flush_context, instances) -> None:
    # The flush deletes their entries with them (ON DELETE CASCADE): the counters need what they were.
    session.info.pop("directory_removed", None)  # what a failed flush left
    removed = [obj.id for obj in session.deleted if isinstance(obj, Profile) and obj.id is not None]
    if removed:
        session.info["directory_removed"] = _seen_before(session.connection(), removed)


def _follow_profile_changes(session: Session, flush_context) -> None:
    new = set(session.new)
    changed = [
        obj for obj in (*new, *session.dirty) if isinstance(obj, Profile) and (obj in new or session.is_modified(obj))
    ]
    removed = [obj.id for obj in session.deleted if isinstance(obj, Profile)]
    before = session.info.pop("directory_removed", None)
    if changed or removed:
        reindex(session.connection(), changed, removed, removed=before)


def rebuild_all(session: Session) -> int:
    """Rebuild the whole index (after a restore, say); the hooks keep it current otherwise."""
    from hub.core.tenancy import all_regions

    with all_regions():
        profiles = session.scalars(select(Profile)).all()
    connection = session.connection()
    previous = _seen_before(connection, None)  # a rebuild is no change: saved searches announce nothing for it
    connection.execute(delete(TERM))
    connection.execute(delete(ENTRY))
    for chunk in _chunks(profiles, 1000):
        reindex(connection, chunk, previous=previous)
    counts.rebuild(connection)
    return len(profiles)


class IndexBypassError(RuntimeError):
    """A bulk UPDATE or DELETE of profiles would leave the directory index behind."""


def _refuse_bulk_profile_changes(state) -> None:
    if (state.is_update or state.is_delete) and any(m.class_ is Profile for m in state.all_mappers):
        raise IndexBypassError("change profiles through the session (objects), so the directory index follows")


_LISTENERS = (
    ("before_flush", _remember_removed_entries),
    ("after_flush", _follow_profile_changes),
    ("do_orm_execute", _refuse_bulk_profile_changes),
)


def install(app=None) -> None:
    """Let every session keep the index in step with the profiles (once per process; the app is not needed)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
