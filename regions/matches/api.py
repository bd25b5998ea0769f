"""Matches in the JSON API: suggestions from speed-dating, the teams, their plan, journal, documents and funding.

The coordination manages every match of its region; the members of a match read it and keep its journal,
documents, milestones, outcome and case study. Anyone else gets 404, as if the match did not exist.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict, FileStorage

from hub.core.access import coordinator_required, region_role_required
from hub.core.actions import Actor
from hub.core.api_updates import Updates
from hub.core.glue import api_action, load
from hub.core.roles import Role
from regions.matches import access, actions, funding, services, suggesting
from regions.matches.models import Match
from regions.matches.schemas import (
    AcceptSuggestionSchema,
    BookingSchema,
    CheckInInputSchema,
    DocumentSchema,
    DocumentUploadSchema,
    JournalEntrySchema,
    JournalInputSchema,
    LedgerInputSchema,
    LedgerSchema,
    MatchCheckInSchema,
    MatchDetailSchema,
    MatchFilterSchema,
    MatchInputSchema,
    MatchMemberSchema,
    MatchSchema,
    MatchUpdateSchema,
    MemberInputSchema,
    MilestoneInputSchema,
    MilestoneSchema,
    MilestoneUpdateSchema,
    PublishSchema,
    StatusInputSchema,
    SuggestionRunSchema,
    SuggestionSchema,
)
from regions.speeddating import services as speeddating


class _MultipartParser(FlaskParser):
    """Reads a multipart body whole for the "files" location: its files and its plain fields (is_receipt)."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class _Blueprint(Blueprint):
    ARGUMENTS_PARSER = _MultipartParser()


blp = _Blueprint(
    "api_matches",
    __name__,
    url_prefix="/api/v1/regions/<region>/matches",
    description="Matches: members, milestones, check-ins, journal, documents and funding",
)
suggestions_blp = Blueprint(
    "api_match_suggestions",
    __name__,
    url_prefix="/api/v1/regions/<region>/speed-dating",
    description="Match suggestions from a speed-dating session's ratings and the profiles' fit",
)
SECURITY = [{"bearerAuth": []}]
participant_or_coordinator = region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
MEMBERS_MAY_CHANGE = {"outcome", "case_study"}
MATCH_UPDATES = Updates(
    MatchUpdateSchema, shown=MatchSchema(only=("title", "challenge", "goals", "outcome", "case_study"))
)
MILESTONE_UPDATES = Updates(MilestoneUpdateSchema, shown=MilestoneSchema())


def _read(match_id: int) -> Match:
    return load(access.readable_match, Actor.current(), match_id)


# -- matches --------------------------------------------------------------------------------------------


@blp.route("")
class Matches(MethodView):
    @coordinator_required
    @blp.arguments(MatchFilterSchema, location="query")
    @blp.response(200, MatchSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, query):
        """The region's matches, newest first; filter by `cohort_id` and `status`."""
        return services.list_matches(cohort_id=query["cohort_id"], status=query["status"])

    @coordinator_required
    @blp.arguments(MatchInputSchema)
    @blp.response(201, MatchDetailSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data):
        """Make a match by hand from profiles of the region (proposed; its budget is the cohort's funding)."""
        return actions.create_match(Actor.current(), **data)


@blp.route("/<int:match_id>")
class OneMatch(MethodView):
    @participant_or_coordinator
    @blp.response(200, MatchDetailSchema)
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """One match with its members, milestones and check-ins (coordination and members)."""
        return _read(match_id)

    @participant_or_coordinator
    @blp.arguments(MATCH_UPDATES.replacement)
    @blp.response(200, MatchDetailSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def put(self, data, match_id: int):
        """Replace a match's texts (all are required); members may change only `outcome` and `case_study`."""
        return actions.update_match(Actor.current(), match_id, MATCH_UPDATES.changes(_read(match_id), data))

    @participant_or_coordinator
    @blp.arguments(MATCH_UPDATES.patch)
    @blp.response(200, MatchDetailSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def patch(self, sent, match_id: int):
        """Change some of a match's texts; members may change only `outcome` and `case_study`."""
        match = _read(match_id)
        changes = MATCH_UPDATES.changes(match, MATCH_UPDATES.patched(match, sent))
        return actions.update_match(Actor.current(), match_id, changes)


@blp.post("/<int:match_id>/status")
@coordinator_required
@blp.arguments(StatusInputSchema)
@blp.response(200, MatchDetailSchema)
@blp.doc(security=SECURITY)
@api_action
def change_status(data, match_id: int):
    """Move a match along proposed → active → completed | discontinued, on a date (default today)."""
    return actions.change_status(Actor.current(), match_id, data["status"], data["on"])


@blp.post("/<int:match_id>/members")
@coordinator_required
@blp.arguments(MemberInputSchema)
@blp.response(201, MatchMemberSchema)
@blp.doc(security=SECURITY)
@api_action
def add_member(data, match_id: int):
    """Add a person (a profile of the region, not archived) to a match."""
    return actions.add_member(Actor.current(), match_id, **data)


@blp.post("/members/<int:member_id>/remove")
@coordinator_required
@blp.response(200, MatchDetailSchema)
@blp.doc(security=SECURITY)
@api_action
def remove_member(member_id: int):
    """Take a person out of their match (a creative and an organisation must stay)."""
    return actions.remove_member(Actor.current(), member_id)


# -- milestones, check-ins, journal ---------------------------------------------------------------------


@blp.route("/<int:match_id>/milestones")
class Milestones(MethodView):
    @participant_or_coordinator
    @blp.response(200, MilestoneSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """The match's milestones by due date."""
        return _read(match_id).milestones

    @coordinator_required
    @blp.arguments(MilestoneInputSchema)
    @blp.response(201, MilestoneSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data, match_id: int):
        """Add a milestone, due within the cohort's period."""
        return actions.add_milestone(Actor.current(), match_id, **data)


@blp.route("/milestones/<int:milestone_id>")
class OneMilestone(MethodView):
    @participant_or_coordinator
    @blp.response(200, MilestoneSchema)
    @blp.doc(security=SECURITY)
    def get(self, milestone_id: int):
        """One milestone of a match (coordination and members)."""
        return load(access.readable_milestone, Actor.current(), milestone_id)[0]

    @participant_or_coordinator
    @blp.arguments(MILESTONE_UPDATES.replacement)
    @blp.response(200, MilestoneSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def put(self, data, milestone_id: int):
        """Replace a milestone (every field is required; `done_on`: null while it is open)."""
        milestone, _match = load(access.readable_milestone, Actor.current(), milestone_id)
        return actions.update_milestone(Actor.current(), milestone_id, MILESTONE_UPDATES.changes(milestone, data))

    @participant_or_coordinator
    @blp.arguments(MILESTONE_UPDATES.patch)
    @blp.response(200, MilestoneSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def patch(self, sent, milestone_id: int):
        """Change a milestone, mark it done (`done_on`) or open again (`done_on`: null)."""
        milestone, _match = load(access.readable_milestone, Actor.current(), milestone_id)
        changes = MILESTONE_UPDATES.changes(milestone, MILESTONE_UPDATES.patched(milestone, sent))
        return actions.update_milestone(Actor.current(), milestone_id, changes)


@blp.post("/<int:match_id>/check-ins")
@coordinator_required
@blp.arguments(CheckInInputSchema)
@blp.response(201, MatchCheckInSchema)
@blp.doc(security=SECURITY)
@api_action
def add_check_in(data, match_id: int):
    """Record how the team is doing (the coordination's check-in)."""
    return actions.add_check_in(Actor.current(), match_id, **data)


@blp.route("/<int:match_id>/journal")
class Journal(MethodView):
    @participant_or_coordinator
    @blp.response(200, JournalEntrySchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """The team's journal, newest first."""
        return _read(match_id).journal

    @participant_or_coordinator
    @blp.arguments(JournalInputSchema)
    @blp.response(201, JournalEntrySchema)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data, match_id: int):
        """Write in the team's journal (members and the coordination)."""
        return actions.add_journal_entry(Actor.current(), match_id, **data)


@blp.post("/<int:match_id>/case-study/publish")
@participant_or_coordinator
@blp.arguments(PublishSchema)
@blp.response(200, MatchSchema)
@blp.doc(security=SECURITY)
@api_action
def publish_case_study(data, match_id: int):
    """Share the case study network-wide as a blueprint for other teams, or take it back."""
    return actions.publish_case_study(Actor.current(), match_id, data["publish"])


# -- documents and funding ------------------------------------------------------------------------------


@blp.route("/<int:match_id>/documents")
class Documents(MethodView):
    @participant_or_coordinator
    @blp.response(200, DocumentSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """The match's documents and receipts, newest first."""
        return _read(match_id).documents

    @participant_or_coordinator
    @blp.arguments(DocumentUploadSchema, location="files")
    @blp.response(201, DocumentSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data, match_id: int):
        """Upload a document or a receipt (multipart: `file`, optional `is_receipt`; PDF, picture, office, text)."""
        upload = data["file"] if isinstance(data["file"], FileStorage) else None
        return actions.upload_document(Actor.current(), match_id, upload, is_receipt=data["is_receipt"])


@blp.route("/<int:match_id>/ledger")
class Ledger(MethodView):
    @participant_or_coordinator
    @blp.response(200, LedgerSchema)
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """The funding: budget, committed, paid, remaining, and every entry by booking date."""
        match = _read(match_id)
        return {"balance": funding.balance(match), "entries": funding.ledger(match)}

    @coordinator_required
    @blp.arguments(LedgerInputSchema)
    @blp.response(201, BookingSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data, match_id: int):
        """Book a commitment or a payment (a negative amount corrects); never beyond the budget."""
        entry = actions.book(Actor.current(), match_id, **data)
        return {"entry": entry, "balance": funding.balance(_read(match_id))}


# -- suggestions from a speed-dating session ------------------------------------------------------------


@suggestions_blp.route("/sessions/<int:session_id>/suggestions")
class Suggestions(MethodView):
    @coordinator_required
    @suggestions_blp.response(200, SuggestionSchema(many=True))
    @suggestions_blp.doc(security=SECURITY)
    def get(self, session_id: int):
        """The session's suggestions: open ones first, best first, each with its reasons in words."""
        return suggesting.suggestions_of(speeddating.get_session(session_id) or abort(404))

    @coordinator_required
    @suggestions_blp.arguments(SuggestionRunSchema)
    @suggestions_blp.response(200, SuggestionSchema(many=True))
    @suggestions_blp.doc(security=SECURITY)
    @api_action
    def post(self, data, session_id: int):
        """Suggest matches from the ratings and the profiles' fit; replaces the open suggestions."""
        return actions.run_suggestions(Actor.current(), session_id, **data)


@suggestions_blp.post("/suggestions/<int:suggestion_id>/accept")
@coordinator_required
@suggestions_blp.arguments(AcceptSuggestionSchema)
@suggestions_blp.response(201, MatchSchema)
@suggestions_blp.doc(security=SECURITY)
@api_action
def accept_suggestion(data, suggestion_id: int):
    """Turn a suggestion into a proposed match of the cohort."""
    return actions.accept_suggestion(Actor.current(), suggestion_id, **data)


@suggestions_blp.post("/suggestions/<int:suggestion_id>/reject")
@coordinator_required
@suggestions_blp.response(200, SuggestionSchema)
@suggestions_blp.doc(security=SECURITY)
@api_action
def reject_suggestion(suggestion_id: int):
    """Set a suggestion aside; later runs leave the pair out."""
    return actions.reject_suggestion(Actor.current(), suggestion_id)
