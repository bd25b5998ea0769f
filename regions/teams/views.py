"""Teams across regions on pages: the funding region asks for and withdraws a person of another region; the
person's region decides and reads the match; the accepted person works in it like any member.

Every page loads through ``regions.teams.actions``/``access``: the funding region's rows in its scope, the
guest region's side through the one door (``access.door``).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from hub.core.access import coordinator_required, region_role_required
from hub.core.actions import Actor
from hub.core.db import db
from hub.core.glue import load, page_action
from hub.core.roles import Role
from regions.matches import access as match_access
from regions.teams import access, actions, confirmations, services
from regions.teams.models import MatchGuest
from regions.teams.schemas import GuestJournalSchema, GuestMilestoneSchema, GuestRequestSchema
from regions.teams.vocab import STATUS_LABELS

bp = Blueprint("teams", __name__, url_prefix="/teams", template_folder="templates")
participant_or_coordinator = region_role_required(Role.PARTICIPANT, Role.COORDINATOR)


@bp.app_context_processor
def _vocabularies():
    return {"GUEST_STATUS": STATUS_LABELS}


@bp.get("/")
@participant_or_coordinator
def index():
    """The region's teams across regions: requests to decide and its people in other regions' matches; for
    the coordination also the region's own matches with people of other regions."""
    actor = Actor.current()
    hosted = []
    if actor.reviews:
        rows = db.session.scalars(select(MatchGuest).order_by(MatchGuest.requested_at.desc(), MatchGuest.id.desc()))
        hosted = services.records(list(rows))
    return render_template("teams/index.html", incoming=actions.incoming(actor), hosted=hosted, reviewing=actor.reviews)


def _request_page(match_id: int, errors=None):
    actor = Actor.current()
    match = load(match_access.readable_match, actor, match_id)
    return render_template(
        "teams/request.html",
        match=match,
        guests=services.guests_of(match),
        candidates=services.candidates(match) if actor.coordinates else [],
        may_change=actor.coordinates,
        errors=errors or {},
        values=request.form if request.method == "POST" else {},
    )


@bp.route("/matches/<int:match_id>/guests", methods=["GET", "POST"])
@coordinator_required
def request_guest(match_id: int):
    """Ask for a person of another region ("Person aus einer anderen Region aufnehmen")."""
    if request.method == "GET":
        return _request_page(match_id)
    return page_action(
        lambda data: actions.request_guest(Actor.current(), match_id, **data),
        schema=GuestRequestSchema(),
        refused=lambda errors: _request_page(match_id, errors),
        message=_("The request has been sent to the person's region."),
        done=url_for(".request_guest", match_id=match_id),
    )


@bp.post("/guests/<int:guest_id>/withdraw")
@coordinator_required
def withdraw(guest_id: int):
    """Withdraw the request for a person of another region, or remove them from the team."""
    guest, match = load(access.hosted_guest, Actor.current(), guest_id)
    return page_action(
        lambda data: actions.end_guest(Actor.current(), guest_id),
        refused=lambda errors: _request_page(match.id, errors),
        message=_("Done: the person of the other region is no longer asked for or part of the team."),
        done=url_for(".request_guest", match_id=match.id),
        confirm=confirmations.withdraw(guest),
    )


def _joint_page(guest_id: int, errors=None, form: str | None = None):
    actor = Actor.current()
    joint = load(actions.joint, actor, guest_id)
    return render_template(
        "teams/joint.html",
        joint=joint,
        deciding=actor.coordinates,
        working=actor.user is not None
        and joint.guest.person_user_id == actor.user.id
        and joint.guest.status == "accepted",
        errors=errors or {},
        form=form,
    )


@bp.get("/joint/<int:joint_id>")
@participant_or_coordinator
def joint(joint_id: int):
    """A match of another region with a person of this region: read only; the request to decide, or the team to
    work in for the person themself."""
    return _joint_page(joint_id)


@bp.post("/joint/<int:joint_id>/accept")
@coordinator_required
def accept(joint_id: int):
    """The person's region agrees: they join the team of the other region's match."""
    return page_action(
        lambda data: actions.accept(Actor.current(), joint_id),
        refused=lambda errors: _joint_page(joint_id, errors, "decision"),
        message=_("Accepted: the person is now a member of the team."),
        done=url_for(".joint", joint_id=joint_id),
    )


@bp.post("/joint/<int:joint_id>/decline")
@coordinator_required
def decline(joint_id: int):
    """The person's region does not agree."""
    return page_action(
        lambda data: actions.decline(Actor.current(), joint_id),
        refused=lambda errors: _joint_page(joint_id, errors, "decision"),
        message=_("The request has been declined."),
        done=url_for(".joint", joint_id=joint_id),
        confirm=lambda data: confirmations.decline(load(actions.joint, Actor.current(), joint_id).guest),
    )


@bp.post("/joint/<int:joint_id>/remove")
@coordinator_required
def remove(joint_id: int):
    """The person's region takes its person out of the other region's team."""
    return page_action(
        lambda data: actions.remove_from_team(Actor.current(), joint_id),
        refused=lambda errors: _joint_page(joint_id, errors, "decision"),
        message=_("The person is no longer part of the team."),
        done=url_for(".joint", joint_id=joint_id),
        confirm=lambda data: confirmations.remove_from_team(load(actions.joint, Actor.current(), joint_id).guest),
    )


@bp.post("/joined/<int:joined_id>/journal")
@participant_or_coordinator
def journal(joined_id: int):
    """The accepted person writes a note in the team's journal."""
    load(actions.check_working, Actor.current(), joined_id)
    return page_action(
        lambda data: actions.write_journal(Actor.current(), joined_id, **data),
        schema=GuestJournalSchema(),
        refused=lambda errors: _joint_page(joined_id, errors, "journal"),
        message=_("The note has been saved."),
        done=url_for(".joint", joint_id=joined_id, _anchor="journal"),
    )


@bp.post("/joined/<int:joined_id>/milestones")
@participant_or_coordinator
def milestone(joined_id: int):
    """The accepted person marks a milestone of the team reached, or open again."""
    load(actions.check_working, Actor.current(), joined_id)
    return page_action(
        lambda data: actions.mark_milestone(Actor.current(), joined_id, **data),
        schema=GuestMilestoneSchema(),
        refused=lambda errors: _joint_page(joined_id, errors, "milestones"),
        message=_("The milestone has been saved."),
        done=url_for(".joint", joint_id=joined_id, _anchor="milestones"),
    )
