"""Matches in the JSON API: suggestions from speed-dating, the teams, their plan, journal, documents and funding.

The coordination manages every match of its region; the members of a match read it and keep its journal,
documents, milestones, outcome and case study. Anyone else gets 404, as if the match did not exist.
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload
from marshmallow import fields
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict, FileStorage

from hub.cohorts.models import Cohort
from hub.core.access import coordinator_required, region_role_required
from hub.core.api_updates import Updates
from hub.core.db import db
from hub.core.roles import Role
from hub.core.schemas import BaseSchema, Id, ServiceError, _m
from regions.matches import documents, funding, services, suggesting
from regions.matches.models import Match, MatchDocument, MatchMember, MatchSuggestion, Milestone
from regions.matches.schemas import (
    AcceptSuggestionSchema,
    BalanceSchema,
    CheckInInputSchema,
    DocumentSchema,
    JournalEntrySchema,
    JournalInputSchema,
    LedgerEntrySchema,
    LedgerInputSchema,
    MatchCheckInSchema,
    MatchDetailSchema,
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
from regions.matches.vocab import MatchStatus, MemberRole
from regions.profiles.models import Profile
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


# Refusals as the speed-dating API answers them (hub.core.glue's api_action takes their place).
def unprocessable(exc: ServiceError):
    """A refused change: nothing of it is kept, the field is named."""
    db.session.rollback()
    abort(422, errors={"json": exc.errors()})


def field_error(field: str, message):
    abort(422, errors={"json": {field: [str(message)]}})


MATCH_UPDATES = Updates(
    MatchUpdateSchema, shown=MatchSchema(only=("title", "challenge", "goals", "outcome", "case_study"))
)
MILESTONE_UPDATES = Updates(MilestoneUpdateSchema, shown=MilestoneSchema())


class MatchFilterSchema(BaseSchema):
    cohort_id = Id(load_default=None)
    status = fields.Enum(MatchStatus, by_value=True, load_default=None)


class DocumentUploadSchema(BaseSchema):
    file = Upload(required=True)
    is_receipt = fields.Boolean(load_default=False)


class LedgerSchema(BaseSchema):
    balance = fields.Nested(BalanceSchema)
    entries = fields.List(fields.Nested(LedgerEntrySchema))


class BookingSchema(BaseSchema):
    entry = fields.Nested(LedgerEntrySchema)
    balance = fields.Nested(BalanceSchema)


def _profiles(ids: list[int], field: str) -> list[Profile]:
    """Profiles of the region by id; an unknown one names the field."""
    found = []
    for profile_id in ids:
        profile = db.session.get(Profile, profile_id)
        if profile is None:
            field_error(field, _m("This profile does not exist or is not visible to you."))
        found.append(profile)
    return found


def _cohort(cohort_id: int) -> Cohort:
    return db.session.get(Cohort, cohort_id) or field_error("cohort_id", _m("Please choose a cohort."))


def _is_participant() -> bool:
    return g.region_role == Role.PARTICIPANT


def _readable(match: Match | None) -> Match:
    """The match for the coordination, or for one of its members; anyone else: 404."""
    if match is None or (_is_participant() and not services.is_member(match, current_user)):
        abort(404)
    return match


def _match(match_id: int) -> Match:
    return _readable(services.get_match(match_id))


def _coordinated(match_id: int) -> Match:
    return services.get_match(match_id) or abort(404)


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
    def post(self, data):
        """Make a match by hand from profiles of the region (proposed; its budget is the cohort's funding)."""
        cohort = _cohort(data["cohort_id"])
        members = [
            (profile, role)
            for field, role in (
                ("creative_ids", MemberRole.CREATIVE),
                ("organisation_ids", MemberRole.ORGANISATION),
                ("other_ids", MemberRole.OTHER),
            )
            for profile in _profiles(data[field], field)
        ]
        try:
            match = services.create_match(
                cohort,
                members,
                title=data["title"],
                challenge=data["challenge"],
                goals=data["goals"],
                by=current_user._get_current_object(),
            )
        except ServiceError as exc:
            unprocessable(exc)
        db.session.commit()
        return match


@blp.route("/<int:match_id>")
class OneMatch(MethodView):
    @participant_or_coordinator
    @blp.response(200, MatchDetailSchema)
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """One match with its members, milestones and check-ins (coordination and members)."""
        return _match(match_id)

    @participant_or_coordinator
    @blp.arguments(MATCH_UPDATES.replacement)
    @blp.response(200, MatchDetailSchema)
    @blp.doc(security=SECURITY)
    def put(self, data, match_id: int):
        """Replace a match's texts (all are required); members may change only `outcome` and `case_study`."""
        return _update_match(_match(match_id), data)

    @participant_or_coordinator
    @blp.arguments(MATCH_UPDATES.patch)
    @blp.response(200, MatchDetailSchema)
    @blp.doc(security=SECURITY)
    def patch(self, sent, match_id: int):
        """Change some of a match's texts; members may change only `outcome` and `case_study`."""
        match = _match(match_id)
        return _update_match(match, MATCH_UPDATES.patched(match, sent))


def _update_match(match: Match, data: dict) -> Match:
    changes = MATCH_UPDATES.changes(match, data)
    if _is_participant() and set(changes) - MEMBERS_MAY_CHANGE:
        abort(403)
    services.update_match(match, changes)
    db.session.commit()
    return match


@blp.post("/<int:match_id>/status")
@coordinator_required
@blp.arguments(StatusInputSchema)
@blp.response(200, MatchDetailSchema)
@blp.doc(security=SECURITY)
def change_status(data, match_id: int):
    """Move a match along proposed → active → completed | discontinued, on a date (default today)."""
    match = _coordinated(match_id)
    try:
        services.change_status(match, data["status"], data["on"])
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return match


@blp.post("/<int:match_id>/members")
@coordinator_required
@blp.arguments(MemberInputSchema)
@blp.response(201, MatchMemberSchema)
@blp.doc(security=SECURITY)
def add_member(data, match_id: int):
    """Add a person (a profile of the region) to a match."""
    match = _coordinated(match_id)
    (profile,) = _profiles([data["profile_id"]], "profile_id")
    try:
        member = services.add_member(match, profile, data["role"], data["role_note"])
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return member


@blp.post("/members/<int:member_id>/remove")
@coordinator_required
@blp.response(200, MatchDetailSchema)
@blp.doc(security=SECURITY)
def remove_member(member_id: int):
    """Take a person out of their match (a creative and an organisation must stay)."""
    member = db.session.get(MatchMember, member_id) or abort(404)
    match = member.match
    try:
        services.remove_member(match, member)
        db.session.flush()
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return match


# -- milestones, check-ins, journal ---------------------------------------------------------------------


@blp.route("/<int:match_id>/milestones")
class Milestones(MethodView):
    @participant_or_coordinator
    @blp.response(200, MilestoneSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """The match's milestones by due date."""
        return _match(match_id).milestones

    @coordinator_required
    @blp.arguments(MilestoneInputSchema)
    @blp.response(201, MilestoneSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, match_id: int):
        """Add a milestone, due within the cohort's period."""
        match = _coordinated(match_id)
        try:
            milestone = services.add_milestone(match, data["title"], data["due_on"], data["note"])
        except ServiceError as exc:
            unprocessable(exc)
        db.session.commit()
        return milestone


@blp.route("/milestones/<int:milestone_id>")
class OneMilestone(MethodView):
    @participant_or_coordinator
    @blp.response(200, MilestoneSchema)
    @blp.doc(security=SECURITY)
    def get(self, milestone_id: int):
        """One milestone of a match (coordination and members)."""
        return _milestone(milestone_id)[0]

    @participant_or_coordinator
    @blp.arguments(MILESTONE_UPDATES.replacement)
    @blp.response(200, MilestoneSchema)
    @blp.doc(security=SECURITY)
    def put(self, data, milestone_id: int):
        """Replace a milestone (every field is required; `done_on`: null while it is open)."""
        return _update_milestone(*_milestone(milestone_id), data)

    @participant_or_coordinator
    @blp.arguments(MILESTONE_UPDATES.patch)
    @blp.response(200, MilestoneSchema)
    @blp.doc(security=SECURITY)
    def patch(self, sent, milestone_id: int):
        """Change a milestone, mark it done (`done_on`) or open again (`done_on`: null)."""
        milestone, match = _milestone(milestone_id)
        return _update_milestone(milestone, match, MILESTONE_UPDATES.patched(milestone, sent))


def _milestone(milestone_id: int) -> tuple[Milestone, Match]:
    """A milestone and its match, if the caller may read the match; 404 otherwise."""
    milestone = db.session.get(Milestone, milestone_id) or abort(404)
    return milestone, _readable(db.session.get(Match, milestone.match_id))


def _update_milestone(milestone: Milestone, match: Match, data: dict) -> Milestone:
    try:
        services.update_milestone(milestone, match, MILESTONE_UPDATES.changes(milestone, data))
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return milestone


@blp.post("/<int:match_id>/check-ins")
@coordinator_required
@blp.arguments(CheckInInputSchema)
@blp.response(201, MatchCheckInSchema)
@blp.doc(security=SECURITY)
def add_check_in(data, match_id: int):
    """Record how the team is doing (the coordination's check-in)."""
    match = _coordinated(match_id)
    check_in = services.add_check_in(
        match, data["held_on"], data["status"], data["note"], current_user._get_current_object()
    )
    db.session.commit()
    return check_in


@blp.route("/<int:match_id>/journal")
class Journal(MethodView):
    @participant_or_coordinator
    @blp.response(200, JournalEntrySchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """The team's journal, newest first."""
        return _match(match_id).journal

    @participant_or_coordinator
    @blp.arguments(JournalInputSchema)
    @blp.response(201, JournalEntrySchema)
    @blp.doc(security=SECURITY)
    def post(self, data, match_id: int):
        """Write in the team's journal (members and the coordination)."""
        match = _match(match_id)
        entry = services.add_journal_entry(match, data["body"], current_user._get_current_object())
        db.session.commit()
        return entry


@blp.post("/<int:match_id>/case-study/publish")
@participant_or_coordinator
@blp.arguments(PublishSchema)
@blp.response(200, MatchSchema)
@blp.doc(security=SECURITY)
def publish_case_study(data, match_id: int):
    """Share the case study network-wide as a blueprint for other teams, or take it back."""
    match = _match(match_id)
    try:
        services.publish_case_study(match, data["publish"])
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return match


# -- documents and funding ------------------------------------------------------------------------------


@blp.route("/<int:match_id>/documents")
class Documents(MethodView):
    @participant_or_coordinator
    @blp.response(200, DocumentSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """The match's documents and receipts, newest first."""
        return _match(match_id).documents

    @participant_or_coordinator
    @blp.arguments(DocumentUploadSchema, location="files")
    @blp.response(201, DocumentSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, match_id: int):
        """Upload a document or a receipt (multipart: `file`, optional `is_receipt`; PDF, picture, office, text)."""
        match = _match(match_id)
        if not isinstance(data["file"], FileStorage):
            field_error("file", _m("This field is required."))
        try:
            document = documents.store_document(
                match, data["file"], current_user._get_current_object(), is_receipt=data["is_receipt"]
            )
        except ServiceError as exc:
            unprocessable(exc)
        db.session.commit()
        return document


@blp.route("/<int:match_id>/ledger")
class Ledger(MethodView):
    @participant_or_coordinator
    @blp.response(200, LedgerSchema)
    @blp.doc(security=SECURITY)
    def get(self, match_id: int):
        """The funding: budget, committed, paid, remaining, and every entry by booking date."""
        match = _match(match_id)
        return {"balance": funding.balance(match), "entries": funding.ledger(match)}

    @coordinator_required
    @blp.arguments(LedgerInputSchema)
    @blp.response(201, BookingSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, match_id: int):
        """Book a commitment or a payment (a negative amount corrects); never beyond the budget."""
        match = _coordinated(match_id)
        receipt = None
        if data["receipt_id"] is not None:
            receipt = db.session.get(MatchDocument, data["receipt_id"])
            if receipt is None or receipt.match_id != match.id:
                field_error("receipt_id", _m("The receipt belongs to another match."))
        try:
            entry = funding.add_entry(
                match,
                data["kind"],
                data["amount"],
                booked_on=data["booked_on"],
                purpose=data["purpose"],
                by=current_user._get_current_object(),
                receipt=receipt,
            )
        except ServiceError as exc:
            unprocessable(exc)
        db.session.commit()
        return {"entry": entry, "balance": funding.balance(match)}


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
    def post(self, data, session_id: int):
        """Suggest matches from the ratings and the profiles' fit; replaces the open suggestions."""
        session = speeddating.get_session(session_id) or abort(404)
        cohort = _cohort(data["cohort_id"])
        made = suggesting.run_suggestions(session, cohort, method=data["method"], limit=data["limit"])
        db.session.commit()
        return made


@suggestions_blp.post("/suggestions/<int:suggestion_id>/accept")
@coordinator_required
@suggestions_blp.arguments(AcceptSuggestionSchema)
@suggestions_blp.response(201, MatchSchema)
@suggestions_blp.doc(security=SECURITY)
def accept_suggestion(data, suggestion_id: int):
    """Turn a suggestion into a proposed match of the cohort."""
    suggestion = db.session.get(MatchSuggestion, suggestion_id) or abort(404)
    cohort = _cohort(data["cohort_id"])
    try:
        match = suggesting.accept(
            suggestion,
            cohort,
            current_user._get_current_object(),
            title=data["title"],
            challenge=data["challenge"],
        )
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return match


@suggestions_blp.post("/suggestions/<int:suggestion_id>/reject")
@coordinator_required
@suggestions_blp.response(200, SuggestionSchema)
@suggestions_blp.doc(security=SECURITY)
def reject_suggestion(suggestion_id: int):
    """Set a suggestion aside; later runs leave the pair out."""
    suggestion = db.session.get(MatchSuggestion, suggestion_id) or abort(404)
    try:
        suggesting.reject(suggestion)
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return suggestion
