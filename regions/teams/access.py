"""Who may reach a match across the regions' border: the one home of this feature's door in the wall.

Two sides see a ``MatchGuest``:

- **the funding region** (the match's own): the row is an object of the region like a match member; its
  coordination asks for a person and withdraws or removes them (``hosted_guest``, through the matches'
  ``managed_match``). No door: the wall holds as everywhere.
- **the guest's region**: its coordination decides on the request and reads the match; its person, once
  accepted, works in the team. These reach rows of another region, so they go through ``door()`` —
  ``all_regions()`` by another name, so that ``grep -rn "all_regions()"`` and this module list it — and
  every function here checks, inside the door, that the row's person is of the region in the URL
  (``guest_region_id``) and that the caller may: anyone else gets NotFound, as if there were no row.

Everything loaded inside the door is used inside it; what leaves it is a plain record
(``regions.teams.services``), never an object whose lazy loads would run behind the wall.
"""

from __future__ import annotations

from contextlib import contextmanager

from hub.core.actions import Actor, Forbidden, NotFound, get_or_404
from hub.core.db import db
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from hub.core.tenancy.scope import current_region_id, door_url_arg
from regions.matches import access as match_access
from regions.matches import elsewhere
from regions.matches.models import Match
from regions.profiles.models import Profile
from regions.teams.models import GuestStatus, MatchGuest


@contextmanager
def door(*, read_only: bool = False):
    """THE door of teams across regions: the block sees every region (see the module's docstring)."""
    region_id = current_region_id()
    if region_id is None:
        raise NotFound()
    with all_regions(read_only=read_only):
        yield region_id


def hosted_guest(actor: Actor, guest_id: int) -> tuple[MatchGuest, Match]:
    """A guest of a match of this region, for the funding region's coordination (no door: in scope)."""
    guest = get_or_404(MatchGuest, guest_id)
    return guest, match_access.managed_match(actor, guest.match_id)


def _of_region(guest_id: int, region_id: int) -> MatchGuest:
    """Inside the door: the row whose person is of this region; NotFound for any other."""
    guest = db.session.get(MatchGuest, guest_id)
    if guest is None or guest.guest_region_id != region_id:
        raise NotFound()
    return guest


def guest_profile(guest: MatchGuest) -> Profile | None:
    """The door for the person: their profile is of another region, read by its id (read only)."""
    with all_regions(read_only=True):
        return db.session.get(Profile, guest.profile_id)


def is_guest_person(guest: MatchGuest, actor: Actor) -> bool:
    """The accepted guest themself (their profile is theirs)."""
    if guest.status != GuestStatus.ACCEPTED or actor.user is None:
        return False
    profile = guest_profile(guest)
    return profile is not None and profile.user_id == actor.user.id


def readable_joint(actor: Actor, guest_id: int, region_id: int) -> MatchGuest:
    """Inside the door: a request or membership of the region's person, for the region's coordination and
    the umbrella (reading), and for the accepted guest themself."""
    guest = _of_region(guest_id, region_id)
    if actor.reviews or is_guest_person(guest, actor):
        return guest
    raise NotFound()


def deciding(actor: Actor, guest_id: int, region_id: int) -> MatchGuest:
    """Inside the door: a request to the region's coordination (accept or decline)."""
    actor.require_coordination()
    return _of_region(guest_id, region_id)


def working_guest(actor: Actor, guest_id: int, region_id: int) -> MatchGuest:
    """Inside the door: the accepted guest's own membership, to work in the team (the umbrella only reads)."""
    if actor.role == Role.UMBRELLA:
        raise Forbidden()
    guest = _of_region(guest_id, region_id)
    if not is_guest_person(guest, actor):
        raise NotFound()
    return guest


def reachable_here(guest_id: int) -> bool:
    """Whether the row's person is of the region in scope (for the request hook: 404 before any body is read)."""
    with door(read_only=True) as region_id:
        guest = db.session.get(MatchGuest, guest_id)
        return guest is not None and guest.guest_region_id == region_id


# The guest region's URLs name rows of the funding region: the request hook checks them through the door.
door_url_arg("joint_id", reachable_here)
door_url_arg("joined_id", reachable_here)


def _joint_of(actor: Actor) -> list:
    from regions.teams import actions

    return actions.incoming(actor)


def _guests_of(match: Match, reviewing: bool) -> list:
    from regions.teams import services

    return [g for g in services.guests_of(match) if reviewing or g.status == GuestStatus.ACCEPTED]


def _crossing_ids() -> set[int]:
    from regions.teams import services

    return services.crossing_match_ids()


# The matches' pages show what crosses the border through this registration (regions/matches/elsewhere.py).
elsewhere.register(elsewhere.Elsewhere(joint=_joint_of, guests=_guests_of, crossing_ids=_crossing_ids))
