"""A person's home, assembled from what each feature shows at a glance (their ``glance`` modules).

Three parts, each shown when the person has the role: the participant's own things in all their regions,
for each region they coordinate what needs them now, and the network at a glance for the umbrella and
admins. Every part costs a fixed number of statements, whatever the amount of data (tests/test_home.py
counts them). Cross-region reads name their door (``all_regions``) in the feature's glance function and
read only the person's own things; a coordinator's part is read inside that region's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from hub.accounts.models import User
from hub.core.mail.services import given_up_count
from hub.core.roles import Role
from hub.core.tenancy import all_regions, region_scope
from hub.core.tenancy.models import Region
from hub.core.tenancy.registry import active_regions
from regions.access_requests import services as access_requests
from regions.events.glance import coming_events_per_region, new_registrations
from regions.matches.glance import (
    MyMatch,
    RegionFunding,
    active_matches_per_region,
    my_matches,
    open_matches,
    overdue_milestones,
)
from regions.matches.models import Match, Milestone
from regions.members.glance import failing_mail, members_per_region, open_invitation_count
from regions.profiles.completeness import Completeness, completeness
from regions.profiles.models import Profile
from regions.speeddating.glance import MissingRatings, RatingsDue, missing_ratings, ratings_due
from regions.teams.services import GuestRecord, joined_by_profiles
from shared.calendar.glance import NextEvent, next_events
from shared.contacts.models import ContactRequest
from shared.contacts.services import waiting_for_answer
from shared.directory.access import own_profiles
from shared.directory.search import Viewer
from shared.home.fits import Fits, fits_for
from shared.meetings.glance import MyMeetings, my_meetings

NEXT_EVENTS = 5
THIS_WEEK = timedelta(days=7)


@dataclass
class OwnProfile:
    """The person's place in one of their regions: their profile there (if any) and how complete it is."""

    region: Region
    profile: Profile | None
    completeness: Completeness | None


@dataclass
class ParticipantHome:
    places: list[OwnProfile]
    next_events: list[NextEvent]
    events_total: int
    ratings: list[RatingsDue]
    matches: list[MyMatch]
    contacts: list[ContactRequest]
    fits: Fits
    meetings: MyMeetings = field(default_factory=MyMeetings)
    joint: list[GuestRecord] = field(default_factory=list)  # matches of other regions (regions/teams)


@dataclass
class CoordinatorHome:
    """What needs the coordination of one region now."""

    region: Region
    invitations: int
    access_requests: int | None  # None: the hub has no access requests (yet)
    registrations: int  # new in the last seven days
    overdue: list[tuple[Milestone, Match]]
    missing: list[MissingRatings]
    matches: list[Match]  # proposed and active, with their budgets
    mail: list[tuple[str, str, int]]  # (address, name, messages) that failed

    @property
    def missing_total(self) -> int:
        return sum(m.missing for m in self.missing)

    @property
    def mail_total(self) -> int:
        return sum(n for *_, n in self.mail)


@dataclass
class RegionAtAGlance:
    region: Region | None  # None: the network's total
    members: int
    funding: RegionFunding
    coming_events: int


@dataclass
class NetworkHome:
    regions: list[RegionAtAGlance]
    failed_mail: int | None  # given-up e-mails, for admins only

    @property
    def total(self) -> RegionAtAGlance:
        return RegionAtAGlance(
            region=None,
            members=sum(r.members for r in self.regions),
            funding=RegionFunding(
                active=sum(r.funding.active for r in self.regions),
                budget=sum((r.funding.budget for r in self.regions), Decimal(0)),
                committed=sum((r.funding.committed for r in self.regions), Decimal(0)),
                paid=sum((r.funding.paid for r in self.regions), Decimal(0)),
            ),
            coming_events=sum(r.coming_events for r in self.regions),
        )


@dataclass
class Home:
    regions: dict[int, Region] = field(default_factory=dict)  # the active regions, to name them
    participant: ParticipantHome | None = None
    coordinating: list[CoordinatorHome] = field(default_factory=list)
    network: NetworkHome | None = None

    @property
    def empty(self) -> bool:
        return self.participant is None and not self.coordinating and self.network is None


def _regions_by_role(user: User) -> dict[Role, list[Region]]:
    """The person's active regions by their role there (memberships span regions by nature)."""
    found: dict[Role, list[Region]] = {Role.PARTICIPANT: [], Role.COORDINATOR: []}
    with all_regions(read_only=True):
        for membership in sorted(user.memberships, key=lambda m: (m.region.position, m.region.id)):
            if membership.region.active:
                found[Role(membership.role)].append(membership.region)
    return found


def participant_home(user: User, regions: list[Region], now: datetime, today: date) -> ParticipantHome:
    """The participant's things in all their regions (a fixed number of statements)."""
    viewer = Viewer.of(user)
    ids = {r.id for r in regions}
    profiles = [p for p in own_profiles(user) if p.region_id in ids]
    by_region = {p.region_id: p for p in profiles}
    profile_ids = [p.id for p in profiles]
    upcoming, total = next_events(viewer, now, NEXT_EVENTS)
    return ParticipantHome(
        places=[
            OwnProfile(r, by_region.get(r.id), completeness(by_region[r.id]) if r.id in by_region else None)
            for r in regions
        ],
        next_events=upcoming,
        events_total=total,
        ratings=ratings_due(profile_ids, now),
        matches=my_matches(profile_ids, today),
        contacts=waiting_for_answer(profile_ids),
        fits=fits_for(viewer, profiles, now),
        meetings=my_meetings(user.id, now),
        joint=joined_by_profiles(profile_ids),
    )


def open_access_requests(region: Region) -> int | None:
    """The region's requests for access waiting for the coordination's answer (called inside its scope)."""
    return access_requests.open_count()


def coordinator_home(region: Region, now: datetime, today: date) -> CoordinatorHome:
    """What needs the coordination of a region now, read inside the region's scope."""
    with region_scope(region.id, read_only=True):
        return CoordinatorHome(
            region=region,
            invitations=open_invitation_count(),
            access_requests=open_access_requests(region),
            registrations=new_registrations(now - THIS_WEEK),
            overdue=overdue_milestones(today),
            missing=missing_ratings(now),
            matches=open_matches(),
            mail=failing_mail(),
        )


def network_home(user: User, regions: list[Region], now: datetime) -> NetworkHome:
    """Every active region at a glance: members, active matches and their money, coming events."""
    ids = [r.id for r in regions]
    members = members_per_region(ids)
    funding = active_matches_per_region(ids)
    events = coming_events_per_region(ids, now)
    return NetworkHome(
        regions=[
            RegionAtAGlance(r, members.get(r.id, 0), funding.get(r.id, RegionFunding()), events.get(r.id, 0))
            for r in regions
        ],
        failed_mail=given_up_count() if user.global_role == Role.ADMIN else None,
    )


def home_of(user: User, now: datetime, today: date) -> Home:
    """The signed-in person's home: each part they have a role for."""
    active = active_regions()
    mine = _regions_by_role(user)
    home = Home(regions={r.id: r for r in active})
    if user.global_role in (Role.UMBRELLA, Role.ADMIN):
        home.network = network_home(user, active, now)
    home.coordinating = [coordinator_home(r, now, today) for r in mine[Role.COORDINATOR]]
    if mine[Role.PARTICIPANT]:
        home.participant = participant_home(user, mine[Role.PARTICIPANT], now, today)
    return home
