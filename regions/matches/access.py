"""Who may see and change a match: the one home of the matches' access rules.

The coordination (and the umbrella, reading) sees every match of the region; a member of a match sees
it and keeps its journal, documents, milestones, outcome and case study. Anyone else gets NotFound,
as if the match did not exist. Pages, API and actions all load a match through here.
"""

from __future__ import annotations

from hub.core.actions import Actor, Forbidden, NotFound, get_or_404
from regions.matches.models import Match, MatchDocument, MatchMember, MatchSuggestion, Milestone

# What the members of a match may change themselves; everything else is the coordination's.
TEAM_FIELDS = frozenset({"outcome", "case_study"})


def is_member(match: Match, actor: Actor) -> bool:
    return actor.user is not None and any(m.profile.user_id == actor.user.id for m in match.members)


def may_read(match: Match, actor: Actor) -> bool:
    return actor.reviews or is_member(match, actor)


def readable_match(actor: Actor, match_id: int) -> Match:
    """A match the actor may see (coordination, umbrella, members); NotFound otherwise."""
    match = get_or_404(Match, match_id)
    if not may_read(match, actor):
        raise NotFound()
    return match


def managed_match(actor: Actor, match_id: int) -> Match:
    """A match the actor manages: the coordination only."""
    match = readable_match(actor, match_id)
    actor.require_coordination()
    return match


def check_changes(match: Match, actor: Actor, fields) -> None:
    """The team may change its outcome and case study; any other field is the coordination's (Forbidden)."""
    if not actor.coordinates and set(fields) - TEAM_FIELDS:
        raise Forbidden()


def readable_milestone(actor: Actor, milestone_id: int) -> tuple[Milestone, Match]:
    milestone = get_or_404(Milestone, milestone_id)
    return milestone, readable_match(actor, milestone.match_id)


def readable_document(actor: Actor, document_id: int) -> tuple[MatchDocument, Match]:
    document = get_or_404(MatchDocument, document_id)
    return document, readable_match(actor, document.match_id)


def managed_member(actor: Actor, member_id: int) -> tuple[MatchMember, Match]:
    member = get_or_404(MatchMember, member_id)
    return member, managed_match(actor, member.match_id)


def managed_suggestion(actor: Actor, suggestion_id: int) -> MatchSuggestion:
    actor.require_coordination()
    return get_or_404(MatchSuggestion, suggestion_id)
