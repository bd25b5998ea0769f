"""Keeps the index of offered and sought tags in step with the profiles, and the precomputed lists honest.

Every flush that adds or deletes a profile, or changes what decides fit (its tags, visibility, consent,
archiving, owner), in the same transaction:
- rewrites the profile's ``meet_tag`` rows (folded as the directory folds: Möbelbau and moebelbau meet);
- marks stale the lists of everyone the profile may now fit or no longer fit (those seeking what it offers or
  offering what it seeks, before and after the change): the refresh job recomputes them;
- drops the profile from every list when it is no longer listed (private, archived, consent withdrawn, erased),
  so that no list keeps words of a profile that left;
- forgets its owner's own list (their offers and needs changed): their home computes it again.

Installed by the feature registry, not by importing this module.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, event, insert, inspect, or_, select, update
from sqlalchemy.orm import Session

from hub.accounts.models import Membership
from regions.profiles.models import Profile
from regions.profiles.vocab import Visibility
from shared.directory.text import facet_key
from shared.meet.models import NEED, OFFER, MeetTag, Suggestion, SuggestionState

TAG = MeetTag.__table__
SUGGESTION = Suggestion.__table__
STATE = SuggestionState.__table__
DECIDING = (
    "offer_tags",
    "need_tags",
    "visibility",
    "consent_version",
    "consent_given_at",
    "consent_withdrawn_at",
    "archived_at",
    "user_id",
    "region_id",
)


def tag_rows(profile) -> list[dict]:
    """The index rows of one profile: each offered and each sought tag once, by its folded key."""
    rows: dict[tuple[str, str], str] = {}
    for side, tags in ((OFFER, profile.offer_tags or ()), (NEED, profile.need_tags or ())):
        for tag in tags:
            key = facet_key(tag)[:120]
            if key:
                rows.setdefault((side, key), tag.strip()[:120])
    shown = Visibility(profile.visibility).value if profile.is_listed else None
    return [
        {
            "profile_id": profile.id,
            "side": s,
            "key": k,
            "label": label,
            "region_id": profile.region_id,
            "user_id": profile.user_id,
            "shown": shown,
        }
        for (s, k), label in rows.items()
    ]


def _fitting_owners(profile_ids: list[int], keys: dict[str, set[str]]):
    """The accounts whose profiles seek what these offer or offer what these seek (a subquery)."""
    matching = [
        and_(TAG.c.side == NEED, TAG.c.key.in_(sorted(keys[OFFER]))) if keys[OFFER] else None,
        and_(TAG.c.side == OFFER, TAG.c.key.in_(sorted(keys[NEED]))) if keys[NEED] else None,
    ]
    matching = [m for m in matching if m is not None]
    if not matching:
        return None
    return select(TAG.c.user_id).where(or_(*matching), TAG.c.user_id.is_not(None), TAG.c.profile_id.not_in(profile_ids))


def follow(connection, changed: list[Profile], removed_ids: list[int] = ()) -> None:
    """Apply the changes of these profiles (and the removal of others) to the index and the lists."""
    ids = [p.id for p in changed] + list(removed_ids)
    if not ids:
        return
    keys: dict[str, set[str]] = {OFFER: set(), NEED: set()}
    for side, key in connection.execute(select(TAG.c.side, TAG.c.key).where(TAG.c.profile_id.in_(ids))):
        keys[side].add(key)
    rows = [row for p in changed for row in tag_rows(p)]
    for row in rows:
        keys[row["side"]].add(row["key"])
    owners = _fitting_owners(ids, keys)
    gone = [p.id for p in changed if not p.is_listed] + list(removed_ids)
    stale = [select(SUGGESTION.c.user_id).where(SUGGESTION.c.profile_id.in_(ids))]
    if owners is not None:
        stale.append(owners)
    connection.execute(
        update(STATE).where(STATE.c.stale.is_(False), or_(*(STATE.c.user_id.in_(s) for s in stale))).values(stale=True)
    )
    if gone:
        connection.execute(delete(SUGGESTION).where(SUGGESTION.c.profile_id.in_(gone)))
    own = {p.user_id for p in changed if p.user_id is not None} | {
        old for p in changed for old in _former_owner(p) if old is not None
    }
    if own:
        connection.execute(delete(STATE).where(STATE.c.user_id.in_(sorted(own))))
    connection.execute(delete(TAG).where(TAG.c.profile_id.in_(ids)))
    if rows:
        connection.execute(insert(TAG), rows)


def _former_owner(profile: Profile) -> list:
    history = inspect(profile).attrs.user_id.history
    return list(history.deleted or ())


def _decides_fit(session: Session, profile: Profile, new: set) -> bool:
    if profile in new:
        return True
    if not session.is_modified(profile):
        return False
    state = inspect(profile)
    return any(state.attrs[name].history.has_changes() for name in DECIDING)


def _follow_profile_changes(session: Session, flush_context) -> None:
    new = set(session.new)
    changed = [obj for obj in (*new, *session.dirty) if isinstance(obj, Profile) and _decides_fit(session, obj, new)]
    removed = [obj.id for obj in session.deleted if isinstance(obj, Profile)]
    if changed or removed:
        follow(session.connection(), changed, removed)
    # Joining or leaving a region changes which region-only profiles the person sees: their list is stale.
    members = {obj.user_id for obj in (*new, *session.deleted) if isinstance(obj, Membership)}
    if members:
        session.connection().execute(
            update(STATE).where(STATE.c.user_id.in_(sorted(members)), STATE.c.stale.is_(False)).values(stale=True)
        )


def rebuild_all(session: Session) -> int:
    """Rebuild the tag index from the profiles and the directory's entries (after a restore, or for data
    inserted around the session, as the benchmark's generator does)."""
    from hub.core.tenancy import all_regions
    from shared.directory.models import DirectoryEntry as E

    connection = session.connection()
    connection.execute(delete(TAG))
    count = 0
    with all_regions(read_only=True):
        last = 0
        while True:
            chunk = session.execute(
                select(
                    Profile.id, Profile.offer_tags, Profile.need_tags, E.region_id, E.user_id, E.listed, E.visibility
                )
                .join(E, E.profile_id == Profile.id)
                .where(Profile.id > last)
                .order_by(Profile.id)
                .limit(5000)
            ).all()
            if not chunk:
                break
            rows = [
                {**row, "region_id": p.region_id, "user_id": p.user_id, "shown": _shown(p.listed, p.visibility)}
                for p in chunk
                for row in tag_rows(_Tags(p.id, p.offer_tags, p.need_tags))
            ]
            if rows:
                connection.execute(insert(TAG), rows)
            count += len(chunk)
            last = chunk[-1].id
    return count


def _shown(listed: bool, visibility: str) -> str | None:
    return visibility if listed and visibility != Visibility.PRIVATE.value else None


class _Tags:
    """A profile's tags alone, for ``tag_rows`` (listed or not: the caller sets what the rule needs)."""

    is_listed = False
    visibility = Visibility.PRIVATE
    region_id = 0
    user_id = None

    def __init__(self, id_, offer_tags, need_tags):
        self.id, self.offer_tags, self.need_tags = id_, offer_tags, need_tags


def install(app=None) -> None:
    """Let every session keep the tag index and the lists in step with the profiles (once per process)."""
    if not event.contains(Session, "after_flush", _follow_profile_changes):
        event.listen(Session, "after_flush", _follow_profile_changes)
