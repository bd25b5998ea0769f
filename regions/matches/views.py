"""Matches: the coordination's overview and tools, and each team's own page (journal, documents, case study)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hub.cohorts.services import get_cohort, list_cohorts
from hub.core.access import coordinator_required, region_role_required
from hub.core.db import berlin_today, db
from hub.core.roles import Role
from hub.core.schemas import ServiceError, load_buttons, load_form
from hub.core.security_headers import sandboxed
from regions.matches import documents, funding, services, suggesting, vocab
from regions.matches.models import Match, MatchDocument, MatchMember, MatchSuggestion, Milestone
from regions.matches.schemas import (
    AcceptSuggestionSchema,
    CheckInInputSchema,
    JournalInputSchema,
    LedgerInputSchema,
    MatchInputSchema,
    MatchUpdateSchema,
    MemberInputSchema,
    MilestoneDoneSchema,
    MilestoneInputSchema,
    PublishSchema,
    StatusInputSchema,
    SuggestionRunSchema,
)
from regions.matches.services import default_cohort
from regions.matches.vocab import MatchStatus
from regions.profiles.models import Profile
from regions.profiles.vocab import ProfileKind
from regions.speeddating.services import get_session

bp = Blueprint("matches", __name__, url_prefix="/matches", template_folder="templates")
TEAM_FIELDS = {"outcome", "case_study"}


@bp.app_context_processor
def _vocabularies():
    return {
        "MATCH_STATUS": vocab.STATUS_LABELS,
        "MEMBER_ROLES": vocab.ROLE_LABELS,
        "CHECK_IN_STATUS": vocab.CHECK_IN_LABELS,
        "LEDGER_KINDS": vocab.LEDGER_LABELS,
    }


def _coordinating() -> bool:
    return g.get("region_role") in (Role.COORDINATOR, Role.ADMIN, Role.UMBRELLA)


def _match_or_404(match_id: int) -> Match:
    """A match the caller may see: the coordination sees all of the region, a participant only their own."""
    match = services.get_match(match_id) or abort(404)
    if not _coordinating() and not services.is_member(match, current_user):
        abort(404)
    return match


def _require_coordination() -> None:
    if g.get("region_role") not in (Role.COORDINATOR, Role.ADMIN):
        abort(403)


@bp.get("/")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def index():
    """The region's matches with their progress and funding; for a participant, their own matches."""
    if not _coordinating():
        return render_template("matches/mine.html", matches=services.matches_of(current_user))
    cohort_id = request.args.get("cohort", type=int)
    status = request.args.get("status")
    status = MatchStatus(status) if status in {s.value for s in MatchStatus} else None
    matches = services.list_matches(cohort_id=cohort_id, status=status)
    return render_template(
        "matches/index.html",
        matches=matches,
        cohorts=list_cohorts(),
        cohort_id=cohort_id,
        status=status,
        today=berlin_today(),
    )


def _profiles(kind: ProfileKind | None = None) -> list[Profile]:
    query = select(Profile).where(Profile.archived_at.is_(None)).order_by(Profile.display_name)
    if kind:
        query = query.where(Profile.kind == kind)
    return list(db.session.scalars(query))


def _new_form(errors=None, status=200):
    return render_template(
        "matches/new.html",
        cohorts=list_cohorts(),
        creatives=_profiles(ProfileKind.CREATIVE),
        organisations=_profiles(ProfileKind.ORGANISATION),
        everyone=_profiles(),
        errors=errors or {},
        values=request.form if request.method == "POST" else None,
    ), status


def _members_from(data: dict) -> tuple[list, dict]:
    """Profile ids of the form → (profile, role) pairs, or errors naming the field."""
    from regions.matches.vocab import MemberRole

    members, errors = [], {}
    for name, role in (
        ("creative_ids", MemberRole.CREATIVE),
        ("organisation_ids", MemberRole.ORGANISATION),
        ("other_ids", MemberRole.OTHER),
    ):
        for profile_id in data.get(name, []):
            profile = db.session.get(Profile, profile_id)
            if profile is None or profile.archived_at is not None:
                errors[name] = [_("Please choose people of the region.")]
            else:
                members.append((profile, role))
    return members, errors


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new():
    """Make a match by hand."""
    if request.method == "GET":
        return _new_form()
    data, errors = load_form(MatchInputSchema(), request.form)
    if data:
        cohort = get_cohort(data["cohort_id"])
        members, errors = _members_from(data)
        if cohort is None:
            errors["cohort_id"] = [_("Please choose a cohort.")]
        if not errors:
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
                errors = exc.errors()
            else:
                db.session.commit()
                flash(_("The match has been made."), "success")
                return redirect(url_for(".show", match_id=match.id))
    db.session.rollback()
    return _new_form(errors, 422)


def _page(match: Match, errors=None, status=200, form: str | None = None):
    return render_template(
        "matches/show.html",
        match=match,
        coordinating=_coordinating(),
        may_change=g.get("region_role") in (Role.COORDINATOR, Role.ADMIN),
        is_member=services.is_member(match, current_user),
        overdue={m.id for m in services.overdue_milestones(match)},
        addable=[p for p in _profiles() if p.id not in {m.profile_id for m in match.members}],
        errors=errors or {},
        form=form,
        values=request.form if request.method == "POST" else {},
        today=berlin_today(),
    ), status


@bp.get("/<int:match_id>")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def show(match_id: int):
    """A match: people, challenge, status, milestones, check-ins, journal, documents, funding."""
    return _page(_match_or_404(match_id))


def _act(match: Match, work, success: str, form: str):
    """Run a change on the match's page: commit and go back, or show the page again with the errors."""
    try:
        work()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _page(_match_or_404(match.id), exc.errors(), 422, form)
    flash(success, "success")
    return redirect(url_for(".show", match_id=match.id) + f"#{form}")


def _invalid(match: Match, errors: dict, form: str):
    db.session.rollback()
    return _page(_match_or_404(match.id), errors, 422, form)


@bp.post("/<int:match_id>/edit")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def edit(match_id: int):
    """Change the match's texts; the team may write its outcome and case study."""
    match = _match_or_404(match_id)
    data, errors = load_form(MatchUpdateSchema(partial=True), request.form)
    if errors:
        return _invalid(match, errors, "texts")
    if g.region_role not in (Role.COORDINATOR, Role.ADMIN):
        data = {k: v for k, v in data.items() if k in TEAM_FIELDS}
    return _act(match, lambda: services.update_match(match, data), _("The match has been saved."), "texts")


@bp.post("/<int:match_id>/status")
@coordinator_required
def change_status(match_id: int):
    """Move the match on: active, completed or discontinued."""
    match = _match_or_404(match_id)
    data, errors = load_form(StatusInputSchema(), request.form)
    if errors:
        return _invalid(match, errors, "status")
    return _act(
        match,
        lambda: services.change_status(match, data["status"], data["on"]),
        _("The status has been changed."),
        "status",
    )


@bp.post("/<int:match_id>/members")
@coordinator_required
def add_member(match_id: int):
    """Add a person to the team."""
    match = _match_or_404(match_id)
    data, errors = load_form(MemberInputSchema(), request.form)
    profile = db.session.get(Profile, data["profile_id"]) if data else None
    if data and profile is None:
        errors = {"profile_id": [_("Please choose people of the region.")]}
    if errors:
        return _invalid(match, errors, "members")
    return _act(
        match,
        lambda: services.add_member(match, profile, data["role"], data["role_note"]),
        _("The person has been added."),
        "members",
    )


@bp.post("/members/<int:member_id>/remove")
@coordinator_required
def remove_member(member_id: int):
    """Take a person out of the team (a creative and an organisation must stay)."""
    member = db.session.get(MatchMember, member_id) or abort(404)
    match = _match_or_404(member.match_id)
    return _act(match, lambda: services.remove_member(match, member), _("The person has been removed."), "members")


@bp.post("/<int:match_id>/milestones")
@coordinator_required
def add_milestone(match_id: int):
    """Plan a milestone within the cohort."""
    match = _match_or_404(match_id)
    data, errors = load_form(MilestoneInputSchema(), request.form)
    if errors:
        return _invalid(match, errors, "milestones")
    return _act(match, lambda: services.add_milestone(match, **data), _("The milestone has been saved."), "milestones")


@bp.post("/milestones/<int:milestone_id>")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def milestone_done(milestone_id: int):
    """Mark a milestone reached (or open again); the team and the coordination may."""
    milestone = db.session.get(Milestone, milestone_id) or abort(404)
    match = _match_or_404(milestone.match_id)
    done = load_buttons(MilestoneDoneSchema(), request.form)["done"]
    return _act(
        match,
        lambda: services.update_milestone(milestone, match, {"done_on": berlin_today() if done else None}),
        _("The milestone has been updated."),
        "milestones",
    )


@bp.post("/<int:match_id>/check-ins")
@coordinator_required
def add_check_in(match_id: int):
    """Record how the team is doing."""
    match = _match_or_404(match_id)
    data, errors = load_form(CheckInInputSchema(), request.form)
    if errors:
        return _invalid(match, errors, "check-ins")
    return _act(
        match,
        lambda: services.add_check_in(match, data["held_on"], data["status"], data["note"], current_user),
        _("The check-in has been saved."),
        "check-ins",
    )


@bp.post("/<int:match_id>/journal")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def add_journal_entry(match_id: int):
    """Write a note in the team's journal."""
    match = _match_or_404(match_id)
    data, errors = load_form(JournalInputSchema(), request.form)
    if errors:
        return _invalid(match, errors, "journal")
    return _act(
        match,
        lambda: services.add_journal_entry(match, data["body"], current_user),
        _("The note has been saved."),
        "journal",
    )


@bp.post("/<int:match_id>/documents")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def upload(match_id: int):
    """Upload a document of the team."""
    match = _match_or_404(match_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _invalid(match, {"file": [_("Please choose a file.")]}, "documents")
    return _act(
        match,
        lambda: documents.store_document(match, upload, current_user),
        _("The document has been uploaded."),
        "documents",
    )


def _document_or_404(document_id: int) -> tuple[MatchDocument, Match]:
    document = db.session.get(MatchDocument, document_id) or abort(404)
    return document, _match_or_404(document.match_id)


@bp.get("/documents/<int:document_id>")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def download(document_id: int):
    """A document of a match, for the team and the coordination only."""
    document, _match = _document_or_404(document_id)
    path = documents.document_path(document)
    if not path.exists():
        abort(404)
    return sandboxed(
        send_file(path, mimetype=document.content_type, as_attachment=True, download_name=document.filename)
    )


@bp.post("/documents/<int:document_id>/delete")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def delete_document(document_id: int):
    """Delete a document (receipts of the ledger stay)."""
    document, match = _document_or_404(document_id)
    return _act(
        match, lambda: documents.remove_document(match, document), _("The document has been deleted."), "documents"
    )


@bp.post("/<int:match_id>/ledger")
@coordinator_required
def book(match_id: int):
    """Book a commitment or a payment, with its receipt."""
    match = _match_or_404(match_id)
    data, errors = load_form(LedgerInputSchema(), request.form)
    if errors:
        return _invalid(match, errors, "funding")
    receipt_upload = request.files.get("receipt")

    def work():
        receipt = None
        if receipt_upload is not None and receipt_upload.filename:
            receipt = documents.store_document(match, receipt_upload, current_user, is_receipt=True)
        elif data.get("receipt_id"):
            receipt = db.session.get(MatchDocument, data["receipt_id"])
            if receipt is None:
                raise funding.FundingError(_("The receipt belongs to another match."), "receipt_id")
        try:
            funding.add_entry(
                match,
                data["kind"],
                data["amount"],
                booked_on=data["booked_on"],
                purpose=data["purpose"],
                by=current_user,
                receipt=receipt,
            )
        except ServiceError:
            if receipt is not None and receipt.is_receipt and receipt_upload is not None:
                documents.document_path(receipt).unlink(missing_ok=True)  # the refused entry keeps no file
            raise

    return _act(match, work, _("The entry has been booked."), "funding")


@bp.post("/<int:match_id>/case-study")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def publish(match_id: int):
    """Share the case study with the whole network as a blueprint, or take it back."""
    match = _match_or_404(match_id)
    publish_it = load_buttons(PublishSchema(), request.form)["publish"]
    return _act(
        match,
        lambda: services.publish_case_study(match, publish_it),
        _("The case study is now shared with the network.") if publish_it else _("The case study is no longer shared."),
        "texts",
    )


# -- suggestions from a speed-dating session ------------------------------------------------------------


def _suggestions_page(session, errors=None, status=200):
    return render_template(
        "matches/suggestions.html",
        session=session,
        suggestions=suggesting.suggestions_of(session),
        wording=suggesting.wording,
        cohorts=list_cohorts(),
        default_cohort=default_cohort(session),
        errors=errors or {},
    ), status


@bp.get("/from-session/<int:session_id>")
@coordinator_required
def suggestions(session_id: int):
    """Suggested matches from a session's ratings and the profiles' fit."""
    return _suggestions_page(get_session(session_id) or abort(404))


@bp.post("/from-session/<int:session_id>")
@coordinator_required
def run_suggestions(session_id: int):
    """Work out suggestions again (decided ones are kept)."""
    session = get_session(session_id) or abort(404)
    data, errors = load_form(SuggestionRunSchema(), request.form)
    cohort = get_cohort(data["cohort_id"]) if data else None
    if data and cohort is None:
        errors = {"cohort_id": [_("Please choose a cohort.")]}
    if errors:
        return _suggestions_page(session, errors, 422)
    made = suggesting.run_suggestions(session, cohort, method=data["method"], limit=data["limit"])
    db.session.commit()
    flash(_("%(n)s suggestions.", n=len(made)), "success")
    return redirect(url_for(".suggestions", session_id=session.id))


def _suggestion_or_404(suggestion_id: int) -> MatchSuggestion:
    return db.session.get(MatchSuggestion, suggestion_id) or abort(404)


@bp.post("/suggestions/<int:suggestion_id>/accept")
@coordinator_required
def accept(suggestion_id: int):
    """Turn a suggestion into a proposed match."""
    suggestion = _suggestion_or_404(suggestion_id)
    session = get_session(suggestion.session_id)
    data, errors = load_form(AcceptSuggestionSchema(), request.form)
    cohort = get_cohort(data["cohort_id"]) if data else None
    if data and cohort is None:
        errors = {"cohort_id": [_("Please choose a cohort.")]}
    if errors:
        return _suggestions_page(session, errors, 422)
    try:
        match = suggesting.accept(suggestion, cohort, current_user, title=data["title"], challenge=data["challenge"])
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _suggestions_page(get_session(session.id), exc.errors(), 422)
    flash(_("The match has been proposed. Add the challenge, goals and milestones."), "success")
    return redirect(url_for(".show", match_id=match.id))


@bp.post("/suggestions/<int:suggestion_id>/reject")
@coordinator_required
def reject(suggestion_id: int):
    """Set a suggestion aside; later runs leave the pair out."""
    suggestion = _suggestion_or_404(suggestion_id)
    try:
        suggesting.reject(suggestion)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for(".suggestions", session_id=suggestion.session_id))
