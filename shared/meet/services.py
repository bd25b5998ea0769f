"""People to meet: compute a person's ranked list, read it under the directory's visibility rule, hide and save.

The list is precomputed per person (``meet_suggestion``, at most LIST_SIZE rows with score and reasons), so that
the home reads a few rows by index whatever the size of the network; shared.meet.index marks lists stale when a
profile changes and the refresh job (shared.meet.jobs) recomputes them. A person's own change forgets their list,
and their next visit computes it (``ensure``). Reading always applies the visibility rule of the directory
(``visible_to``, listed, not private), the person's hidden people and never their own profiles: a list that is
a little behind never shows what the person may not see.

Fit: they offer a tag the person seeks, or seek a tag the person offers, compared in the directory's folded
form (shared.directory.text.facet_key: Möbelbau finds moebelbau). Ranked mutual fit first, then by how many
tags match, then the newer profile first. Cross-region by nature: opts out of the wall with ``all_regions()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, case, delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from hub.accounts.models import User
from hub.core.db import db, in_transaction, utcnow
from hub.core.pages import Page, clamp
from hub.core.tenancy import all_regions
from regions.profiles.models import Profile
from regions.profiles.vocab import Visibility
from shared.directory.models import DirectoryEntry as E
from shared.directory.search import Viewer, visible_to
from shared.directory.text import facet_key
from shared.meet.models import NEED, OFFER, HiddenPerson, MeetTag, SavedPerson, Suggestion, SuggestionState

LIST_SIZE = 100
PER_PAGE = 20


@dataclass(frozen=True)
class Reason:
    """One matched tag: they offer (or seek) ``theirs``, which the person seeks (or offers) as ``yours``."""

    side: str  # offer | need: what the other person does with the tag
    theirs: str
    yours: str

    @property
    def sentence_de(self) -> str:
        with force_locale("de"):
            return self.sentence

    @property
    def sentence(self) -> str:
        if self.side == OFFER:
            return _("offers %(theirs)s – you look for %(yours)s", theirs=self.theirs, yours=self.yours)
        return _("looks for %(theirs)s – you offer %(yours)s", theirs=self.theirs, yours=self.yours)


@dataclass(frozen=True)
class PersonToMeet:
    """A suggested profile with its fit, and whether the person saved it."""

    profile: Profile
    score: int
    mutual: bool
    reasons: list[Reason]
    saved: bool = False

    @property
    def offers(self) -> list[Reason]:
        return [r for r in self.reasons if r.side == OFFER]

    @property
    def needs(self) -> list[Reason]:
        return [r for r in self.reasons if r.side == NEED]

    @property
    def sentence(self) -> str:
        return "; ".join(r.sentence for r in self.reasons)

    @property
    def sentence_de(self) -> str:
        """The reasons in German, whatever the reader's language (the program's language)."""
        with force_locale("de"):
            return self.sentence


def _keys(profiles, side: str) -> dict[str, str]:
    """The folded keys of the person's own tags on one side, with their own spelling."""
    found: dict[str, str] = {}
    for profile in profiles:
        for tag in profile.offer_tags if side == OFFER else profile.need_tags:
            key = facet_key(tag)[:120]
            if key:
                found.setdefault(key, tag.strip())
    return found


def shown_to(viewer: Viewer):
    """What a person may be suggested: listed in the directory for them, not private, never their own."""
    return and_(
        visible_to(viewer),
        E.listed,
        E.visibility != Visibility.PRIVATE.value,
        or_(E.user_id.is_(None), E.user_id != viewer.user_id),
    )


def _hidden_ids(user_id: int):
    return select(HiddenPerson.profile_id).where(HiddenPerson.user_id == user_id)


# -- computing a person's list ----------------------------------------------------------------------


def _own(viewer: Viewer) -> list[Profile]:
    """The person's own active profiles (their offers and needs)."""
    with all_regions(read_only=True):
        return list(
            db.session.scalars(select(Profile).where(Profile.user_id == viewer.user_id, Profile.archived_at.is_(None)))
        )


def compute(viewer: Viewer, profiles: list[Profile] | None = None, *, count_new: bool = True) -> SuggestionState:
    """Compute the person's ranked list anew and store it (a fixed number of statements).

    With ``count_new``, people who were not on the list before add to the state's ``new_count`` (the notice
    job announces them); the first list, and one computed after the person's own change, count nothing.
    """
    user_id = viewer.user_id
    profiles = _own(viewer) if profiles is None else profiles
    offers, needs = _keys(profiles, OFFER), _keys(profiles, NEED)
    ranked = _ranked(viewer, offers, needs) if (offers or needs) else []
    reasons = _reasons([pid for pid, *_ in ranked], offers, needs)
    with all_regions():
        state = db.session.get(SuggestionState, user_id)
        before = (
            set(db.session.scalars(select(Suggestion.profile_id).where(Suggestion.user_id == user_id)))
            if state is not None
            else set()
        )
        db.session.execute(delete(Suggestion).where(Suggestion.user_id == user_id))
        now = utcnow()
        rows = [
            {
                "user_id": user_id,
                "profile_id": pid,
                "rank": rank,
                "score": they_offer + they_need,
                "mutual": bool(they_offer and they_need),
                "reasons": reasons.get(pid, []),
                "found_at": now,
            }
            for rank, (pid, they_offer, they_need) in enumerate(ranked, start=1)
        ]
        if rows:
            db.session.execute(insert(Suggestion), rows)
        if state is None:
            state = SuggestionState(user_id=user_id, new_count=0)
            db.session.add(state)
        elif count_new:
            state.new_count = (state.new_count or 0) + len({r["profile_id"] for r in rows} - before)
        state.computed_at = now
        state.stale = False
        state.size = len(rows)
        db.session.flush()
    return state


def _ranked(viewer: Viewer, offers: dict[str, str], needs: dict[str, str]) -> list[tuple[int, int, int]]:
    """(profile id, tags they offer that the person seeks, tags they seek that the person offers), best first:
    one statement over the tag index, bounded by LIST_SIZE."""
    t = MeetTag
    matches = []
    if needs:
        matches.append(and_(t.side == OFFER, t.key.in_(sorted(needs))))
    if offers:
        matches.append(and_(t.side == NEED, t.key.in_(sorted(offers))))
    they_offer = func.sum(case((t.side == OFFER, 1), else_=0))
    they_need = func.sum(case((t.side == NEED, 1), else_=0))
    mutual = case((and_(they_offer > 0, they_need > 0), 1), else_=0)
    with all_regions(read_only=True):
        return [
            (pid, int(o), int(n))
            for pid, o, n in db.session.execute(
                select(t.profile_id, they_offer, they_need)
                .where(
                    or_(*matches),
                    _may_be_suggested(viewer),
                    t.profile_id.not_in(_hidden_ids(viewer.user_id)),
                )
                .group_by(t.profile_id)
                .order_by(mutual.desc(), (they_offer + they_need).desc(), t.profile_id.desc())
                .limit(LIST_SIZE)
            )
        ]


def _may_be_suggested(viewer: Viewer):
    """``shown_to`` on the index's own columns: listed and visible to the network, or to a region of the
    viewer's; everything listed for the umbrella and admins; never the viewer's own profiles."""
    t = MeetTag
    not_own = or_(t.user_id.is_(None), t.user_id != viewer.user_id)
    if viewer.sees_all:
        return and_(t.shown.is_not(None), not_own)
    allowed = [t.shown == Visibility.NETWORK.value]
    if viewer.member_regions:
        allowed.append(and_(t.shown == Visibility.REGION.value, t.region_id.in_(sorted(viewer.member_regions))))
    return and_(or_(*allowed), not_own)


def _reasons(ids: list[int], offers: dict[str, str], needs: dict[str, str]) -> dict[int, list[dict]]:
    """The matched tags of these profiles, in both people's spelling (one statement)."""
    if not ids:
        return {}
    found: dict[int, list[dict]] = {}
    with all_regions(read_only=True):
        rows = db.session.execute(
            select(MeetTag.profile_id, MeetTag.side, MeetTag.key, MeetTag.label)
            .where(MeetTag.profile_id.in_(ids))
            .order_by(MeetTag.profile_id, MeetTag.side.desc(), MeetTag.label)
        )
        for pid, side, key, label in rows:
            yours = needs.get(key) if side == OFFER else offers.get(key)
            if yours is not None:
                found.setdefault(pid, []).append({"side": side, "theirs": label, "yours": yours})
    return found


def ensure(viewer: Viewer, profiles: list[Profile] | None = None) -> SuggestionState | None:
    """The state of the person's list, computed first if they have none yet (their first visit, or after
    their own change)."""
    if viewer.user_id is None:
        return None
    with all_regions(read_only=True):
        known = db.session.get(SuggestionState, viewer.user_id)
    if known is None:
        try:
            known = in_transaction(lambda: compute(viewer, profiles, count_new=False))
        except IntegrityError:  # another request of the person computed it at the same moment
            db.session.rollback()
    return known


# -- reading ----------------------------------------------------------------------------------------


def _people_statement(viewer: Viewer, window: int = LIST_SIZE, with_regions: bool = True):
    """The person's stored list (at most LIST_SIZE rows, read first by its index) under the visibility rule.

    The list is materialised first, so that every database starts from the person's own rows and looks up
    the rest by primary key: the cost does not grow with the network.
    """
    mine = (
        select(Suggestion)
        .where(Suggestion.user_id == viewer.user_id)
        .order_by(Suggestion.rank)
        .limit(window)
        .cte("mine")
        .prefix_with("MATERIALIZED")
    )
    row = aliased(Suggestion, mine)
    saved = (
        select(SavedPerson.profile_id)
        .where(SavedPerson.user_id == viewer.user_id, SavedPerson.profile_id == row.profile_id)
        .exists()
    )
    statement = (
        select(row, Profile, saved.label("saved"))
        .select_from(mine)
        .join(Profile, Profile.id == row.profile_id)
        .join(E, E.profile_id == row.profile_id)
        .where(shown_to(viewer), row.profile_id.not_in(_hidden_ids(viewer.user_id)))
        .order_by(row.rank)
    )
    # The home has the regions in its session already: their profiles find them there without a statement.
    return statement.options(selectinload(Profile.region)) if with_regions else statement


def _person(suggestion: Suggestion, profile: Profile, saved: bool) -> PersonToMeet:
    return PersonToMeet(
        profile=profile,
        score=suggestion.score,
        mutual=suggestion.mutual,
        reasons=[Reason(r["side"], r["theirs"], r["yours"]) for r in suggestion.reasons or ()],
        saved=bool(saved),
    )


def top(viewer: Viewer, limit: int, state: SuggestionState | None = None) -> list[PersonToMeet]:
    """The best few of the person's list (one statement, whatever the size of the network; a second one only
    when more of the best rows went out of sight than the window allows for)."""
    if viewer.user_id is None:
        return []
    window = min(limit * 4, LIST_SIZE)  # the best rows first; all of them only if too many went out of sight
    with all_regions(read_only=True):
        rows = db.session.execute(_people_statement(viewer, window, with_regions=False).limit(limit)).all()
        if len(rows) < limit and window < (state.size if state is not None else LIST_SIZE):
            rows = db.session.execute(_people_statement(viewer, with_regions=False).limit(limit)).all()
    return [_person(*row) for row in rows]


def page_of(viewer: Viewer, page: int, per_page: int = PER_PAGE) -> Page[PersonToMeet]:
    """One page of the person's whole list, best first (two statements; the list holds at most LIST_SIZE)."""
    page = clamp(page, -(-LIST_SIZE // per_page))
    statement = _people_statement(viewer)
    with all_regions(read_only=True):
        total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=[_person(*row) for row in rows], page=page, per_page=per_page, total=total or 0)


def state_of(user: User) -> SuggestionState | None:
    with all_regions(read_only=True):
        return db.session.get(SuggestionState, user.id)


# -- for the jobs -----------------------------------------------------------------------------------


def stale_users(older_than: datetime, limit: int) -> list[int]:
    """Accounts whose list is stale or old, oldest first."""
    with all_regions(read_only=True):
        return list(
            db.session.scalars(
                select(SuggestionState.user_id)
                .where(or_(SuggestionState.stale.is_(True), SuggestionState.computed_at < older_than))
                .order_by(SuggestionState.computed_at, SuggestionState.user_id)
                .limit(limit)
            )
        )
