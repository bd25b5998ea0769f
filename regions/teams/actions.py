"""Everything that changes a team across regions, for the pages, the API, the CLI and the demo.

The funding region's coordination asks for a person of another region and withdraws the request or
removes the member again; the person's region's coordination accepts or declines; the accepted person
keeps the team's journal and marks milestones like any member. Each step is a change of one audited
``MatchGuest`` row (who and when in its columns and in the audit logs of both regions).

The guest region's steps write rows of the funding region: they run inside ``access.door()`` and flush
there, so that the wall's write check sees the door open; nothing else is written there. None commits.
"""

from __future__ import annotations

from sqlalchemy import select

from hub.core.actions import Actor, Conflict, NotFound
from hub.core.db import berlin_today, db, utcnow
from hub.core.schemas import ServiceError, _m
from hub.core.tenancy import all_regions
from regions.matches import access as match_access
from regions.matches import services as match_services
from regions.matches.models import JournalEntry, Milestone
from regions.matches.vocab import MemberRole
from regions.profiles.models import Profile
from regions.teams import access, notices, services
from regions.teams.models import GuestStatus, MatchGuest
from regions.teams.services import ENDED_MATCH, GuestRecord

NOT_A_GUEST = _m("Please choose a person of another region whom the directory shows to the network.")
MATCH_ENDED = _m("The match has ended.")


def _foreign_profile(profile_id: int, funding_region_id: int) -> Profile:
    with all_regions(read_only=True):  # the person is of another region: looked up in the shared directory
        profile = db.session.get(Profile, profile_id)
        if profile is None or not services.may_join(profile, funding_region_id):
            raise ServiceError(NOT_A_GUEST, "profile_id")
        return profile


def request_guest(
    actor: Actor, match_id: int, *, profile_id: int, role: MemberRole = MemberRole.OTHER, role_note: str = ""
) -> GuestRecord:
    """The funding region's coordination asks the person's region to let them join the match."""
    match = match_access.managed_match(actor, match_id)
    if match.status in ENDED_MATCH:
        raise ServiceError(MATCH_ENDED, "profile_id")
    profile = _foreign_profile(profile_id, match.region_id)
    guest = db.session.scalar(
        select(MatchGuest).where(MatchGuest.match_id == match.id, MatchGuest.profile_id == profile.id)
    )
    if guest is not None and guest.status == GuestStatus.ACCEPTED:
        raise ServiceError(_m("{name} is a member of the team already.", {"name": profile.display_name}), "profile_id")
    if guest is not None and guest.status == GuestStatus.REQUESTED:
        raise Conflict(_m("{name} has been asked for already; the answer is pending.", {"name": profile.display_name}))
    if guest is None:
        guest = MatchGuest(match=match, profile_id=profile.id, guest_region_id=profile.region_id)
        db.session.add(guest)
    guest.role, guest.role_note, guest.status = role, role_note, GuestStatus.REQUESTED
    guest.requested_by_id, guest.requested_at = actor.user_id, utcnow()
    guest.decided_by_id = guest.decided_at = guest.ended_by_id = guest.ended_at = None
    db.session.flush()
    asked = services.record(guest)
    notices.tell_asked_region(asked)
    return asked


def end_guest(actor: Actor, guest_id: int) -> GuestRecord:
    """The funding region's coordination withdraws its request, or removes the accepted member."""
    guest, _match = access.hosted_guest(actor, guest_id)
    if guest.status == GuestStatus.REQUESTED:
        guest.status = GuestStatus.WITHDRAWN
    elif guest.status == GuestStatus.ACCEPTED:
        guest.status = GuestStatus.REMOVED
    else:
        raise Conflict(_m("This request has ended already."))
    guest.ended_by_id, guest.ended_at = actor.user_id, utcnow()
    db.session.flush()
    return services.record(guest)


def _decide(actor: Actor, guest_id: int, status: GuestStatus) -> GuestRecord:
    with access.door() as region_id:
        guest = access.deciding(actor, guest_id, region_id)
        if guest.status != GuestStatus.REQUESTED:
            raise Conflict(_m("This request has been answered or withdrawn already."))
        if status == GuestStatus.ACCEPTED:
            if guest.match.status in ENDED_MATCH:
                raise ServiceError(MATCH_ENDED, "status")
            if access.guest_profile(guest).archived_at is not None:
                raise ServiceError(_m("The person's profile has been archived."), "status")
        guest.status = status
        guest.decided_by_id, guest.decided_at = actor.user_id, utcnow()
        db.session.flush()  # inside the door: the row is the funding region's
        answered = services.record(guest)
    notices.tell_asking_region(answered)
    return answered


def remove_from_team(actor: Actor, guest_id: int) -> GuestRecord:
    """The person's region takes its person out of the other region's team again (its agreement ends)."""
    with access.door() as region_id:
        guest = access.deciding(actor, guest_id, region_id)
        if guest.status != GuestStatus.ACCEPTED:
            raise Conflict(_m("Only a member of the team can be taken out of it."))
        guest.status = GuestStatus.REMOVED
        guest.ended_by_id, guest.ended_at = actor.user_id, utcnow()
        db.session.flush()  # inside the door: the row is the funding region's
        ended = services.record(guest)
    notices.tell_asking_region(ended)
    return ended


def accept(actor: Actor, guest_id: int) -> GuestRecord:
    """The person's region agrees: from now on they are a member of the team."""
    return _decide(actor, guest_id, GuestStatus.ACCEPTED)


def decline(actor: Actor, guest_id: int) -> GuestRecord:
    """The person's region does not agree; the funding region may ask again later."""
    return _decide(actor, guest_id, GuestStatus.DECLINED)


def write_journal(actor: Actor, guest_id: int, *, body: str) -> GuestRecord:
    """The accepted guest writes in the team's journal, like any member."""
    with access.door() as region_id:
        guest = access.working_guest(actor, guest_id, region_id)
        db.session.add(
            JournalEntry(match_id=guest.match_id, body=body, author_id=actor.user_id, region_id=guest.region_id)
        )
        db.session.flush()  # inside the door: the entry is the funding region's
        return services.record(guest)


def mark_milestone(actor: Actor, guest_id: int, *, milestone_id: int, done: bool) -> GuestRecord:
    """The accepted guest marks a milestone of the team reached, or open again, like any member."""
    with access.door() as region_id:
        guest = access.working_guest(actor, guest_id, region_id)
        milestone = db.session.get(Milestone, milestone_id)
        if milestone is None or milestone.match_id != guest.match_id:
            raise ServiceError(_m("Please choose a milestone of the team."), "milestone_id")
        match_services.update_milestone(milestone, guest.match, {"done_on": berlin_today() if done else None})
        db.session.flush()
        return services.record(guest)


def check_working(actor: Actor, guest_id: int) -> None:
    """Refuse (404, 403 for the umbrella) before a form is read: only the accepted guest works in the team."""
    with access.door(read_only=True) as region_id:
        access.working_guest(actor, guest_id, region_id)


def joint(actor: Actor, guest_id: int):
    """The match of a request or membership, read by the person's region (coordination, umbrella, the guest)."""
    with access.door(read_only=True) as region_id:
        guest = access.readable_joint(actor, guest_id, region_id)
        # The journal is the team's: the guest reads it; their region's coordination reads the overview.
        return services.joint_match(guest, berlin_today(), with_journal=access.is_guest_person(guest, actor))


def incoming(actor: Actor) -> list[GuestRecord]:
    """The region's people in other regions' matches: all of them for the coordination and the umbrella,
    the caller's own accepted ones for a participant."""
    with access.door(read_only=True) as region_id:
        if actor.reviews:
            return services.incoming(region_id)
        if actor.user is None:
            raise NotFound()
        return services.joined_by(actor.user.id, region_id)
