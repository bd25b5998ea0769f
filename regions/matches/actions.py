"""Everything that changes a match, written once for the pages, the API, the CLI and jobs.

Each action takes plain values and the acting person, loads what it names through
``regions.matches.access`` (who may), applies the rules of ``services``/``funding``/``documents`` and
raises ``ServiceError`` naming the field. None commits: ``hub.core.glue`` does.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hub.cohorts.services import require_cohort
from hub.core.actions import Actor, get_for_field
from hub.core.db import berlin_today
from hub.core.schemas import ServiceError, _m
from regions.matches import access, documents, funding, services, suggesting
from regions.matches.models import CheckIn, JournalEntry, LedgerEntry, Match, MatchDocument, MatchMember, Milestone
from regions.matches.vocab import CheckInStatus, LedgerKind, MatchStatus, MemberRole
from regions.profiles.models import Profile
from regions.speeddating.models import SpeedDatingSession

MEMBER_FIELDS = (
    ("creative_ids", MemberRole.CREATIVE),
    ("organisation_ids", MemberRole.ORGANISATION),
    ("other_ids", MemberRole.OTHER),
)
NOT_OF_THE_REGION = _m("Please choose people of the region.")


def _person(profile_id: int, field: str) -> Profile:
    """A profile of the region that can join a match: not archived."""
    profile = get_for_field(Profile, profile_id, field, NOT_OF_THE_REGION)
    if profile.archived_at is not None:
        raise ServiceError(NOT_OF_THE_REGION, field)
    return profile


def create_match(
    actor: Actor,
    *,
    cohort_id: int,
    title: str,
    creative_ids=(),
    organisation_ids=(),
    other_ids=(),
    challenge: str = "",
    goals: str = "",
) -> Match:
    """Make a match by hand from people of the region (proposed; its budget is the cohort's funding)."""
    actor.require_coordination()
    cohort = require_cohort(cohort_id)
    ids = {"creative_ids": creative_ids, "organisation_ids": organisation_ids, "other_ids": other_ids}
    members = [(_person(pid, field), role) for field, role in MEMBER_FIELDS for pid in ids[field]]
    return services.create_match(cohort, members, title=title, challenge=challenge, goals=goals, by=actor.user)


def update_match(actor: Actor, match_id: int, changes: dict) -> Match:
    """Change a match's texts; its members may change only the outcome and the case study."""
    match = access.readable_match(actor, match_id)
    access.check_changes(match, actor, changes)
    services.update_match(match, changes)
    return match


def change_status(actor: Actor, match_id: int, status: MatchStatus, on: date | None = None) -> Match:
    match = access.managed_match(actor, match_id)
    services.change_status(match, status, on)
    return match


def add_member(actor: Actor, match_id: int, *, profile_id: int, role: MemberRole, role_note: str = "") -> MatchMember:
    match = access.managed_match(actor, match_id)
    return services.add_member(match, _person(profile_id, "profile_id"), role, role_note)


def remove_member(actor: Actor, member_id: int) -> Match:
    """Take a person out of their match (a creative and an organisation must stay)."""
    member, match = access.managed_member(actor, member_id)
    services.remove_member(match, member)
    return match


def add_milestone(actor: Actor, match_id: int, *, title: str, due_on: date, note: str = "") -> Milestone:
    return services.add_milestone(access.managed_match(actor, match_id), title, due_on, note)


def update_milestone(actor: Actor, milestone_id: int, changes: dict) -> Milestone:
    """Change a milestone, mark it reached or open again: the team keeps its plan with the coordination."""
    milestone, match = access.readable_milestone(actor, milestone_id)
    services.update_milestone(milestone, match, changes)
    return milestone


def mark_milestone(actor: Actor, milestone_id: int, done: bool) -> Milestone:
    """Mark a milestone reached today, or open it again."""
    return update_milestone(actor, milestone_id, {"done_on": berlin_today() if done else None})


def add_check_in(actor: Actor, match_id: int, *, held_on: date, status: CheckInStatus, note: str = "") -> CheckIn:
    return services.add_check_in(access.managed_match(actor, match_id), held_on, status, note, actor.user)


def add_journal_entry(actor: Actor, match_id: int, *, body: str) -> JournalEntry:
    return services.add_journal_entry(access.readable_match(actor, match_id), body, actor.user)


def publish_case_study(actor: Actor, match_id: int, publish: bool) -> Match:
    """Share the case study network-wide as a blueprint, or take it back (team and coordination)."""
    match = access.readable_match(actor, match_id)
    services.publish_case_study(match, publish)
    return match


def upload_document(actor: Actor, match_id: int, upload, *, is_receipt: bool = False) -> MatchDocument:
    match = access.readable_match(actor, match_id)
    if upload is None or not getattr(upload, "filename", None):
        raise ServiceError(_m("Please choose a file."), "file")
    return documents.store_document(match, upload, actor.user, is_receipt=is_receipt)


def delete_document(actor: Actor, document_id: int) -> Match:
    """Delete a document (receipts of the ledger stay)."""
    document, match = access.readable_document(actor, document_id)
    documents.remove_document(match, document)
    return match


def book(
    actor: Actor,
    match_id: int,
    *,
    kind: LedgerKind,
    amount: Decimal,
    booked_on: date,
    purpose: str,
    receipt_id: int | None = None,
    receipt_upload=None,
) -> LedgerEntry:
    """Book a commitment or a payment with its receipt (uploaded now, or one of the match's documents)."""
    match = access.managed_match(actor, match_id)
    receipt = None
    if receipt_upload is not None and receipt_upload.filename:
        receipt = documents.store_document(match, receipt_upload, actor.user, is_receipt=True)
    elif receipt_id is not None:
        receipt = get_for_field(MatchDocument, receipt_id, "receipt_id", _m("The receipt belongs to another match."))
    # A refused entry keeps no file: the receipt's row and bytes go with the transaction's rollback.
    return funding.add_entry(match, kind, amount, booked_on=booked_on, purpose=purpose, by=actor.user, receipt=receipt)


def run_suggestions(actor: Actor, session_id: int, *, cohort_id: int, method: str, limit: int):
    """Work out suggestions from a session's ratings and the profiles' fit (decided ones are kept)."""
    actor.require_coordination()
    session = _session(session_id)
    return suggesting.run_suggestions(session, require_cohort(cohort_id), method=method, limit=limit)


def accept_suggestion(actor: Actor, suggestion_id: int, *, cohort_id: int, title=None, challenge: str = "") -> Match:
    """Turn a suggestion into a proposed match of the cohort."""
    suggestion = access.managed_suggestion(actor, suggestion_id)
    cohort = require_cohort(cohort_id)
    return suggesting.accept(suggestion, cohort, actor.user, title=title, challenge=challenge)


def reject_suggestion(actor: Actor, suggestion_id: int):
    """Set a suggestion aside; later runs leave the pair out."""
    suggestion = access.managed_suggestion(actor, suggestion_id)
    suggesting.reject(suggestion)
    return suggestion


def _session(session_id: int) -> SpeedDatingSession:
    from hub.core.actions import get_or_404

    return get_or_404(SpeedDatingSession, session_id)
