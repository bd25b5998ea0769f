"""Match suggestions for a speed-dating session: run the assignment, keep the suggestions, decide on them."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import Select, delete, insert, select
from sqlalchemy.orm import joinedload

from hub.accounts.models import User
from hub.cohorts.models import Cohort
from hub.core.db import db
from hub.core.schemas import _m
from regions.matches import services
from regions.matches.models import Match, MatchMember, MatchSuggestion
from regions.matches.vocab import SuggestionStatus
from regions.profiles.models import Profile
from regions.speeddating.models import Rating, SessionParticipant, SpeedDatingSession
from regions.speeddating.vocab import INTEREST_LABELS, Interest, Side

METHODS = ("optimal", "stable")


def _with_people() -> tuple:
    """Load the people of each suggestion with it: a lazy load under the region's criteria would cost a statement
    each, even for profiles already loaded. (A function, not a constant: made at import, the options would
    configure every mapper while the app is being built, a tenth of a second that `hub --help` does not need.)"""
    return joinedload(MatchSuggestion.creative), joinedload(MatchSuggestion.organisation)


def run_suggestions(
    session: SpeedDatingSession, cohort: Cohort, *, method: str = "optimal", limit: int = 1
) -> list[MatchSuggestion]:
    """Replace the session's open suggestions by a new run; rejected pairs and existing matches stay out.

    The same few statements whatever the session's size: the open matches, the participants (only the columns of
    their profiles the suggestions read), the ratings, the decided suggestions and the pairs already matched one
    query each, one DELETE of the open suggestions, one bulk INSERT of the new ones and one query that reads them
    back with their people (so the pages and the API name them without further statements).
    """
    from regions.matches.suggestions import suggest  # numpy and scipy: loaded by the first run, not at start-up

    people = select(SessionParticipant.profile_id).where(SessionParticipant.session_id == session.id)
    creatives, organisations, profile_of = _people(session, services.open_match_counts(people, cohort.id), limit)
    ratings = {
        (profile_of[rater], profile_of[ratee]): interest
        for rater, ratee, interest in db.session.execute(
            select(Rating.rater_id, Rating.ratee_id, Rating.interest).where(Rating.session_id == session.id)
        )
    }
    decided = db.session.execute(
        select(MatchSuggestion.creative_id, MatchSuggestion.organisation_id).where(
            MatchSuggestion.session_id == session.id, MatchSuggestion.status != SuggestionStatus.OPEN
        )
    )
    exclude = {(c, o) for c, o in decided} | _matched_pairs(people)
    db.session.execute(
        delete(MatchSuggestion).where(
            MatchSuggestion.session_id == session.id, MatchSuggestion.status == SuggestionStatus.OPEN
        )
    )
    found = suggest(creatives, organisations, ratings, limit=limit, method=method, exclude=exclude)
    return _store(session, method, found)


def _people(session: SpeedDatingSession, taken: dict[int, int], limit: int) -> tuple[list, list, dict[int, int]]:
    """The session's creatives and organisations as the suggestions see them (by profile id, with the room each
    has left besides their open matches), and the profile id of each participant."""
    from regions.matches.suggestions import Person

    creatives, organisations, profile_of = [], [], {}
    for participant_id, side, profile_id, offer_tags, need_tags, needs_text in db.session.execute(
        select(
            SessionParticipant.id,
            SessionParticipant.side,
            Profile.id,
            Profile.offer_tags,
            Profile.need_tags,
            Profile.needs_text,
        )
        .join(Profile, Profile.id == SessionParticipant.profile_id)
        .where(SessionParticipant.session_id == session.id)
        .order_by(SessionParticipant.id)
    ):
        profile_of[participant_id] = profile_id
        (creatives if side == Side.CREATIVE else organisations).append(
            Person(
                id=profile_id,
                offer_tags=tuple(offer_tags),
                need_tags=tuple(need_tags),
                needs_text=needs_text,
                capacity=max(limit - taken.get(profile_id, 0), 0),
            )
        )
    return creatives, organisations, profile_of


def _store(session: SpeedDatingSession, method: str, found: list) -> list[MatchSuggestion]:
    """Keep the suggestions of a run, in their order, with their people."""
    rows = [
        {
            "region_id": session.region_id,
            "session_id": session.id,
            "creative_id": s.creative_id,
            "organisation_id": s.organisation_id,
            "score": float(s.score),
            "reasons": [[r.code, list(r.params)] for r in s.reasons],
            "method": method,
        }
        for s in found
    ]
    if not rows:
        return []
    # One executemany, then the rows read back: RETURNING would have SQLAlchemy send multi-row INSERTs, which
    # cost PostgreSQL more to plan than the rows cost to write, and one INSERT per row where order is asked for.
    db.session.execute(insert(MatchSuggestion), rows)
    stored = db.session.scalars(
        select(MatchSuggestion)
        .where(MatchSuggestion.session_id == session.id, MatchSuggestion.status == SuggestionStatus.OPEN)
        .options(*_with_people())
    ).all()
    place = {(row["creative_id"], row["organisation_id"]): n for n, row in enumerate(rows)}
    return sorted(stored, key=lambda s: place[s.creative_id, s.organisation_id])


def _suggestions(session: SpeedDatingSession) -> list[MatchSuggestion]:
    return list(
        db.session.scalars(
            select(MatchSuggestion)
            .where(MatchSuggestion.session_id == session.id)
            .options(*_with_people())
            .order_by(MatchSuggestion.status, MatchSuggestion.score.desc(), MatchSuggestion.id)
        )
    )


def suggestions_of(session: SpeedDatingSession) -> list[MatchSuggestion]:
    """The session's suggestions: open ones first, best first."""
    order = {SuggestionStatus.OPEN: 0, SuggestionStatus.ACCEPTED: 1, SuggestionStatus.REJECTED: 2}
    return sorted(_suggestions(session), key=lambda s: (order[s.status], -s.score, s.id))


def _matched_pairs(profile_ids: Select) -> set[tuple[int, int]]:
    """(creative, organisation) pairs among these profiles that share a match already."""
    rows = db.session.execute(
        select(MatchMember.match_id, MatchMember.profile_id, MatchMember.role).where(
            MatchMember.profile_id.in_(profile_ids)
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
    from regions.matches.suggestions import Reason, explain

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
