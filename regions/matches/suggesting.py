"""Match suggestions for a speed-dating session: run the assignment, keep the suggestions, decide on them."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from hub.accounts.models import User
from hub.cohorts.models import Cohort
from hub.db import db
from hub.schemas import _m
from regions.matches import services
from regions.matches.models import Match, MatchMember, MatchSuggestion
from regions.matches.suggestions import Person, Reason, explain, suggest
from regions.matches.vocab import SuggestionStatus
from regions.speeddating.models import SpeedDatingSession
from regions.speeddating.services import all_ratings
from regions.speeddating.vocab import INTEREST_LABELS, Interest, Side

METHODS = ("optimal", "stable")


def _person(participant, capacity: int | None) -> Person:
    profile = participant.profile
    return Person(
        id=profile.id,
        offer_tags=tuple(profile.offer_tags),
        need_tags=tuple(profile.need_tags),
        needs_text=profile.needs_text,
        capacity=capacity,
    )


def run_suggestions(
    session: SpeedDatingSession, cohort: Cohort, *, method: str = "optimal", limit: int = 1
) -> list[MatchSuggestion]:
    """Replace the session's open suggestions by a new run; rejected pairs and existing matches stay out."""
    profile_ids = [p.profile_id for p in session.participants]
    taken = services.open_match_counts(profile_ids, cohort.id)
    creatives, organisations = [], []
    for participant in session.participants:
        capacity = max(limit - taken.get(participant.profile_id, 0), 0)
        side = creatives if participant.side == Side.CREATIVE else organisations
        side.append(_person(participant, capacity))
    profile_of = {p.id: p.profile_id for p in session.participants}
    ratings = {(profile_of[r.rater_id], profile_of[r.ratee_id]): r.interest for r in all_ratings(session)}
    existing = {(s.creative_id, s.organisation_id): s for s in _suggestions(session)}
    exclude = {pair for pair, s in existing.items() if s.status != SuggestionStatus.OPEN} | _matched_pairs(profile_ids)
    for suggestion in existing.values():
        if suggestion.status == SuggestionStatus.OPEN:
            db.session.delete(suggestion)
    db.session.flush()
    made = []
    for s in suggest(creatives, organisations, ratings, limit=limit, method=method, exclude=exclude):
        suggestion = MatchSuggestion(
            session_id=session.id,
            creative_id=s.creative_id,
            organisation_id=s.organisation_id,
            score=float(s.score),
            reasons=[[r.code, list(r.params)] for r in s.reasons],
            method=method,
        )
        db.session.add(suggestion)
        made.append(suggestion)
    db.session.flush()
    return made


def _suggestions(session: SpeedDatingSession) -> list[MatchSuggestion]:
    return list(
        db.session.scalars(
            select(MatchSuggestion)
            .where(MatchSuggestion.session_id == session.id)
            .order_by(MatchSuggestion.status, MatchSuggestion.score.desc(), MatchSuggestion.id)
        )
    )


def suggestions_of(session: SpeedDatingSession) -> list[MatchSuggestion]:
    """The session's suggestions: open ones first, best first."""
    order = {SuggestionStatus.OPEN: 0, SuggestionStatus.ACCEPTED: 1, SuggestionStatus.REJECTED: 2}
    return sorted(_suggestions(session), key=lambda s: (order[s.status], -s.score, s.id))


def _matched_pairs(profile_ids) -> set[tuple[int, int]]:
    """(creative, organisation) pairs that share a match already."""
    rows = db.session.execute(
        select(MatchMember.match_id, MatchMember.profile_id, MatchMember.role).where(
            MatchMember.profile_id.in_(list(profile_ids))
        )
    ).all()
    by_match: dict[int, dict[str, list[int]]] = {}
    for match_id, profile_id, role in rows:
        by_match.setdefault(match_id, {}).setdefault(role.value, []).append(profile_id)
    return {
        (c, o) for roles in by_match.values() for c in roles.get("creative", []) for o in roles.get("organisation", [])
    }


def wording(suggestion: MatchSuggestion) -> str:
    """The suggestion's reasons in the user's language."""
    reasons = [Reason(code, tuple(params)) for code, params in suggestion.reasons]
    return explain(reasons, gettext=gettext, interest_label=lambda i: str(INTEREST_LABELS[Interest(i)]))


def accept(
    suggestion: MatchSuggestion, cohort: Cohort, by: User, *, title: str | None = None, challenge: str = ""
) -> Match:
    """Turn a suggestion into a proposed match of the cohort."""
    if suggestion.status != SuggestionStatus.OPEN:
        raise services.MatchError(_m("This suggestion has been decided already."), "suggestion_id")
    organisation = suggestion.organisation
    match = services.create_match(
        cohort,
        [(suggestion.creative, None), (organisation, None)],
        title=title
        or f"{organisation.organisation_name or organisation.display_name} × {suggestion.creative.display_name}",
        challenge=challenge or organisation.needs_text,
        by=by,
        session_id=suggestion.session_id,
    )
    suggestion.status, suggestion.match_id = SuggestionStatus.ACCEPTED, match.id
    return match


def reject(suggestion: MatchSuggestion) -> None:
    """Set a suggestion aside; later runs leave the pair out."""
    if suggestion.status != SuggestionStatus.OPEN:
        raise services.MatchError(_m("This suggestion has been decided already."), "suggestion_id")
    suggestion.status = SuggestionStatus.REJECTED
