"""Matches: the coordination's list and tools, a participant's own matches, and each match's page: an overview
first (regions/matches/overview.py), the forms behind disclosures for those who may use them. The suggestions
from a speed-dating session are in ``suggestion_views``."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hub.cohorts.services import list_cohorts
from hub.core import storage
from hub.core.access import coordinator_required, region_role_required
from hub.core.actions import Actor
from hub.core.db import berlin_today, db
from hub.core.glue import load, page_action
from hub.core.roles import Role
from hub.core.schemas import load_buttons
from hub.core.security_headers import sandboxed
from regions.matches import access, actions, confirmations, documents, elsewhere, services, vocab
from regions.matches.models import Match, MatchMember
from regions.matches.overview import overview
from regions.matches.schemas import (
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
)
from regions.matches.vocab import MatchStatus
from regions.profiles.models import Profile
from regions.profiles.vocab import ProfileKind

bp = Blueprint("matches", __name__, url_prefix="/matches", template_folder="templates")


@bp.app_context_processor
def _vocabularies():
    return {
        "MATCH_STATUS": vocab.STATUS_LABELS,
        # Where a match can go from each status, in the vocabulary's order (the status form offers only these).
        "MATCH_STATUS_NEXT": {s: [t for t in MatchStatus if t in vocab.TRANSITIONS[s]] for s in MatchStatus},
        "MEMBER_ROLES": vocab.ROLE_LABELS,
        "CHECK_IN_STATUS": vocab.CHECK_IN_LABELS,
        "LEDGER_KINDS": vocab.LEDGER_LABELS,
    }


def _coordinating() -> bool:
    return Actor.current().reviews


def _match_or_404(match_id: int) -> Match:
    """A match the caller may see: the coordination sees all of the region, a participant only their own."""
    return load(access.readable_match, Actor.current(), match_id)


@bp.get("/")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def index():
    """The region's matches with their progress and funding; for a participant, their own (see ``mine``)."""
    if not _coordinating():
        return mine()
    cohort_id = request.args.get("cohort", type=int)
    status = request.args.get("status")
    status = MatchStatus(status) if status in {s.value for s in MatchStatus} else None
    matches = services.list_matches(cohort_id=cohort_id, status=status)
    return render_template(
        "matches/index.html",
        matches=matches,
        crossing=elsewhere.crossing_ids(),
        joint=elsewhere.joint(Actor.current()),
        cohorts=list_cohorts(),
        cohort_id=cohort_id,
        status=status,
        today=berlin_today(),
    )


@bp.get("/mine")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def mine():
    """The signed-in person's own matches of the region; with exactly one, that match's page itself.

    The stable link to "my match" (the home and the navigation use it): one tap, however many there are.
    ``?all=1`` lists them even when there is one.
    """
    matches = services.matches_of(current_user)
    # Matches of other regions the person joined as this region's member (regions.teams, through its door).
    joint = elsewhere.joint(Actor(current_user, Role.PARTICIPANT))
    if len(matches) == 1 and not joint and not request.args.get("all"):
        return redirect(url_for(".show", match_id=matches[0].id))
    if len(joint) == 1 and not matches and not request.args.get("all"):
        return redirect(url_for("region.teams.joint", joint_id=joint[0].id))
    today = berlin_today()
    return render_template(
        "matches/mine.html", matches=[(m, overview(m, today)) for m in matches], joint=joint, today=today
    )


def _profiles(kind: ProfileKind | None = None) -> list[Profile]:
    query = select(Profile).where(Profile.archived_at.is_(None)).order_by(Profile.display_name)
    if kind:
        query = query.where(Profile.kind == kind)
    return list(db.session.scalars(query))


def _new_form(errors=None):
    return render_template(
        "matches/new.html",
        cohorts=list_cohorts(),
        creatives=_profiles(ProfileKind.CREATIVE),
        organisations=_profiles(ProfileKind.ORGANISATION),
        everyone=_profiles(),
        errors=errors or {},
        values=request.form if request.method == "POST" else None,
    )


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new():
    """Make a match by hand."""
    if request.method == "GET":
        return _new_form()
    return page_action(
        lambda data: actions.create_match(Actor.current(), **data),
        schema=MatchInputSchema(),
        refused=_new_form,
        message=_("The match has been made."),
        done=lambda match: url_for(".show", match_id=match.id),
    )


def _keeps(match: Match, actor: Actor) -> bool:
    """Whether the page offers the team's forms (milestones reached, journal, documents, outcome): the
    coordination and the team; the umbrella only reads."""
    return actor.coordinates or access.is_member(match, actor)


def _page(match: Match, errors=None, form: str | None = None):
    actor = Actor.current()
    today = berlin_today()
    return render_template(
        "matches/show.html",
        match=match,
        coordinating=actor.reviews,
        may_change=actor.coordinates,
        keeps=_keeps(match, actor),
        is_member=access.is_member(match, actor),
        glance=overview(match, today),
        guests=elsewhere.guests(match, actor.reviews),
        addable=[p for p in _profiles() if p.id not in {m.profile_id for m in match.members}]
        if actor.coordinates
        else [],
        errors=errors or {},
        form=form,
        values=request.form if request.method == "POST" else {},
        today=today,
    )


def _texts_page(match: Match, errors=None, values=None):
    """The texts' form; ``values`` refill it when it comes back refused (not after a refused sharing)."""
    actor = Actor.current()
    return render_template(
        "matches/edit.html",
        match=match,
        may_change=actor.coordinates,
        keeps=_keeps(match, actor),
        errors=errors or {},
        values=values,
    )


@bp.get("/<int:match_id>")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def show(match_id: int):
    """A match: people, challenge, status, milestones, check-ins, journal, documents, funding."""
    return _page(_match_or_404(match_id))


def _on_match(match_id: int, form: str, work, message, schema=None, confirm=None):
    """Run an action from a form on the match's page: back to its section, or the page again with the errors."""
    return page_action(
        work,
        schema=schema,
        message=message,
        done=url_for(".show", match_id=match_id, _anchor=form),
        refused=lambda errors: _page(_match_or_404(match_id), errors, form),
        confirm=confirm,
    )


@bp.get("/<int:match_id>/edit")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def edit_form(match_id: int):
    """The match's texts to edit: the coordination all of them, the team its outcome and case study."""
    return _texts_page(_match_or_404(match_id))


@bp.post("/<int:match_id>/edit")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def edit(match_id: int):
    """Change the match's texts; the team may write its outcome and case study."""
    return page_action(
        lambda data: actions.update_match(Actor.current(), match_id, data),
        schema=MatchUpdateSchema(partial=True),
        message=_("The match has been saved."),
        done=url_for(".show", match_id=match_id, _anchor="texts"),
        refused=lambda errors: _texts_page(_match_or_404(match_id), errors, request.form),
    )


@bp.post("/<int:match_id>/status")
@coordinator_required
def change_status(match_id: int):
    """Move the match on: active, completed or discontinued."""
    return _on_match(
        match_id,
        "status",
        lambda data: actions.change_status(Actor.current(), match_id, data["status"], data["on"]),
        _("The status has been changed."),
        StatusInputSchema(),
        confirm=lambda data: confirmations.final_status(_match_or_404(match_id), data["status"]),
    )


@bp.post("/<int:match_id>/members")
@coordinator_required
def add_member(match_id: int):
    """Add a person to the team."""
    return _on_match(
        match_id,
        "members",
        lambda data: actions.add_member(Actor.current(), match_id, **data),
        _("The person has been added."),
        MemberInputSchema(),
    )


@bp.post("/members/<int:member_id>/remove")
@coordinator_required
def remove_member(member_id: int):
    """Take a person out of the team (a creative and an organisation must stay)."""
    member = db.session.get(MatchMember, member_id) or abort(404)
    return _on_match(
        member.match_id,
        "members",
        lambda data: actions.remove_member(Actor.current(), member_id),
        _("The person has been removed."),
        confirm=confirmations.remove_member(member),
    )


@bp.post("/<int:match_id>/milestones")
@coordinator_required
def add_milestone(match_id: int):
    """Plan a milestone within the cohort."""
    return _on_match(
        match_id,
        "milestones",
        lambda data: actions.add_milestone(Actor.current(), match_id, **data),
        _("The milestone has been saved."),
        MilestoneInputSchema(),
    )


@bp.post("/milestones/<int:milestone_id>")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def milestone_done(milestone_id: int):
    """Mark a milestone reached (or open again); the team and the coordination may."""
    milestone, _match = load(access.readable_milestone, Actor.current(), milestone_id)
    done = load_buttons(MilestoneDoneSchema(), request.form)["done"]
    return _on_match(
        milestone.match_id,
        "milestones",
        lambda data: actions.mark_milestone(Actor.current(), milestone_id, done),
        _("The milestone has been updated."),
    )


@bp.post("/<int:match_id>/check-ins")
@coordinator_required
def add_check_in(match_id: int):
    """Record how the team is doing."""
    return _on_match(
        match_id,
        "check-ins",
        lambda data: actions.add_check_in(Actor.current(), match_id, **data),
        _("The check-in has been saved."),
        CheckInInputSchema(),
    )


@bp.post("/<int:match_id>/journal")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def add_journal_entry(match_id: int):
    """Write a note in the team's journal."""
    return _on_match(
        match_id,
        "journal",
        lambda data: actions.add_journal_entry(Actor.current(), match_id, **data),
        _("The note has been saved."),
        JournalInputSchema(),
    )


@bp.post("/<int:match_id>/documents")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def upload(match_id: int):
    """Upload a document of the team."""
    return _on_match(
        match_id,
        "documents",
        lambda data: actions.upload_document(Actor.current(), match_id, request.files.get("file")),
        _("The document has been uploaded."),
    )


@bp.get("/documents/<int:document_id>")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def download(document_id: int):
    """A document of a match, for the team and the coordination only."""
    document, _match = load(access.readable_document, Actor.current(), document_id)
    response = storage.send(
        documents.document_key(document.stored_name), mimetype=document.content_type, download_name=document.filename
    )
    if response is None:
        abort(404)
    return sandboxed(response)


@bp.post("/documents/<int:document_id>/delete")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def delete_document(document_id: int):
    """Delete a document (receipts of the ledger stay)."""
    document, match = load(access.readable_document, Actor.current(), document_id)
    return _on_match(
        match.id,
        "documents",
        lambda data: actions.delete_document(Actor.current(), document_id),
        _("The document has been deleted."),
        confirm=confirmations.delete_document(document),
    )


@bp.post("/<int:match_id>/ledger")
@coordinator_required
def book(match_id: int):
    """Book a commitment or a payment, with its receipt."""
    return _on_match(
        match_id,
        "funding",
        lambda data: actions.book(Actor.current(), match_id, receipt_upload=request.files.get("receipt"), **data),
        _("The entry has been booked."),
        LedgerInputSchema(),
    )


@bp.post("/<int:match_id>/case-study")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def publish(match_id: int):
    """Share the case study with the whole network as a blueprint, or take it back."""
    _match_or_404(match_id)
    publish_it = load_buttons(PublishSchema(), request.form)["publish"]
    return page_action(
        lambda data: actions.publish_case_study(Actor.current(), match_id, publish_it),
        message=_("The case study is now shared with the network.")
        if publish_it
        else _("The case study is no longer shared."),
        done=url_for(".show", match_id=match_id, _anchor="texts"),
        refused=lambda errors: _texts_page(_match_or_404(match_id), errors),
    )


# The suggestions from a speed-dating session are routes of this blueprint too, in a module of their own.
from regions.matches import suggestion_views  # noqa: E402,F401
