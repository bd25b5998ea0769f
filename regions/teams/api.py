"""Teams across regions in the JSON API: the same actions as the pages (regions/teams/actions.py).

The funding region's coordination asks for a person of another region (``POST …/matches/<id>/guests``) and
withdraws or removes them (``POST …/guests/<id>/withdraw``); the person's region's coordination reads and
decides (``…/joint/<id>``, ``accept``, ``decline``); the accepted person writes in the journal and marks
milestones (``…/joined/<id>/journal``, ``…/joined/<id>/milestones``). Anyone else gets 404.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from hub.core.access import coordinator_required, region_role_required
from hub.core.actions import Actor
from hub.core.glue import api_action, load
from hub.core.roles import Role
from regions.teams import actions
from regions.teams.schemas import (
    GuestJournalSchema,
    GuestMilestoneSchema,
    GuestRequestSchema,
    GuestSchema,
    JointMatchSchema,
)

blp = Blueprint(
    "api_teams",
    __name__,
    url_prefix="/api/v1/regions/<region>/teams",
    description="Teams across regions: a person of another region in a match, when both coordinations agree",
)
SECURITY = [{"bearerAuth": []}]
participant_or_coordinator = region_role_required(Role.PARTICIPANT, Role.COORDINATOR)


@blp.get("")
@participant_or_coordinator
@blp.response(200, GuestSchema(many=True))
@blp.doc(security=SECURITY)
def incoming():
    """The region's people in other regions' matches (requests and members); a participant's own memberships."""
    return actions.incoming(Actor.current())


@blp.post("/matches/<int:match_id>/guests")
@coordinator_required
@blp.arguments(GuestRequestSchema)
@blp.response(201, GuestSchema)
@blp.doc(security=SECURITY)
@api_action
def request_guest(data, match_id: int):
    """Ask for a person of another region (a profile the directory shows to the network) to join the match."""
    return actions.request_guest(Actor.current(), match_id, **data)


@blp.post("/guests/<int:guest_id>/withdraw")
@coordinator_required
@blp.response(200, GuestSchema)
@blp.doc(security=SECURITY)
@api_action
def withdraw(guest_id: int):
    """Withdraw the request for a person of another region, or remove the accepted member."""
    return actions.end_guest(Actor.current(), guest_id)


@blp.get("/joint/<int:joint_id>")
@participant_or_coordinator
@blp.response(200, JointMatchSchema)
@blp.doc(security=SECURITY)
def joint(joint_id: int):
    """A match of another region with a person of this region, read only (the journal for the person only)."""
    return load(actions.joint, Actor.current(), joint_id)


@blp.post("/joint/<int:joint_id>/accept")
@coordinator_required
@blp.response(200, GuestSchema)
@blp.doc(security=SECURITY)
@api_action
def accept(joint_id: int):
    """The person's region agrees: the person joins the team."""
    return actions.accept(Actor.current(), joint_id)


@blp.post("/joint/<int:joint_id>/decline")
@coordinator_required
@blp.response(200, GuestSchema)
@blp.doc(security=SECURITY)
@api_action
def decline(joint_id: int):
    """The person's region does not agree."""
    return actions.decline(Actor.current(), joint_id)


@blp.post("/joint/<int:joint_id>/remove")
@coordinator_required
@blp.response(200, GuestSchema)
@blp.doc(security=SECURITY)
@api_action
def remove(joint_id: int):
    """The person's region takes its person out of the other region's team (409 unless a member)."""
    return actions.remove_from_team(Actor.current(), joint_id)


@blp.post("/joined/<int:joined_id>/journal")
@participant_or_coordinator
@blp.arguments(GuestJournalSchema)
@blp.response(201, GuestSchema)
@blp.doc(security=SECURITY)
@api_action
def journal(data, joined_id: int):
    """The accepted person writes a note in the team's journal."""
    return actions.write_journal(Actor.current(), joined_id, **data)


@blp.post("/joined/<int:joined_id>/milestones")
@participant_or_coordinator
@blp.arguments(GuestMilestoneSchema)
@blp.response(200, GuestSchema)
@blp.doc(security=SECURITY)
@api_action
def milestone(data, joined_id: int):
    """The accepted person marks a milestone of the team reached (`done`), or open again."""
    return actions.mark_milestone(Actor.current(), joined_id, **data)
