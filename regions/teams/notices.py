"""Who hears of a team across regions: the other region's coordination, in the hub and by e-mail (their choice).

A request goes to the coordinators of the person's region; an answer to those of the funding region. The
coordinators of another region are found through the door (their memberships are that region's rows).
"""

from __future__ import annotations

from sqlalchemy import select

from hub.accounts.models import Membership, User
from hub.accounts.services import external_url
from hub.core.db import db
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from hub.notifications.services import notify
from regions.teams.services import GuestRecord
from regions.teams.vocab import TEAMS_ACROSS


def _region(slug: str) -> Region:
    return db.session.scalar(select(Region).where(Region.slug == slug))


def _coordinators(region_slug: str) -> list[User]:
    with all_regions(read_only=True):  # the other region's coordinators: names and addresses only
        return list(
            db.session.scalars(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .join(Region, Region.id == Membership.region_id)
                .where(
                    Region.slug == region_slug,
                    Membership.role == Role.COORDINATOR,
                    User.active,
                    User.erased_at.is_(None),
                )
                .order_by(User.id)
            )
        )


def tell_asked_region(guest: GuestRecord) -> int:
    """The person's region hears of the request, with the link to decide."""
    link = external_url("region.teams.joint", region=guest.guest_region_slug, joint_id=guest.id)
    people = _coordinators(guest.guest_region_slug)
    for user in people:
        notify(
            user,
            TEAMS_ACROSS.key,
            "team_guest_request",
            link=link,
            region=_region(guest.guest_region_slug),
            guest=guest,
        )
    return len(people)


def tell_asking_region(guest: GuestRecord) -> int:
    """The funding region hears the answer."""
    link = external_url("region.teams.request_guest", region=guest.funding_region_slug, match_id=guest.match_id)
    people = _coordinators(guest.funding_region_slug)
    for user in people:
        notify(
            user,
            TEAMS_ACROSS.key,
            "team_guest_answer",
            link=link,
            region=_region(guest.funding_region_slug),
            guest=guest,
        )
    return len(people)
