"""Teams across regions: what the pages and the API read, as plain records.

Rows of the funding region are read in its scope (no door). Reads for the guest region's side run inside
``regions.teams.access.door()`` and leave it only as frozen records, built while the door is open, so
that nothing loads lazily behind the wall afterwards (it would find nothing there, silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hub.accounts.models import User
from hub.core.db import db
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from regions.matches.models import JournalEntry, Match, MatchMember
from regions.matches.overview import Overview, overview
from regions.matches.vocab import MatchStatus, MemberRole
from regions.profiles.models import Profile
from regions.profiles.vocab import Visibility
from regions.teams.models import GuestStatus, MatchGuest

ENDED_MATCH = (MatchStatus.COMPLETED, MatchStatus.DISCONTINUED)


@dataclass(frozen=True)
class GuestRecord:
    """A request or membership of a person of another region, as both sides see it."""

    id: int
    status: GuestStatus
    match_id: int
    match_title: str
    match_status: MatchStatus
    funding_region: str
    funding_region_slug: str
    guest_region: str
    guest_region_slug: str
    profile_id: int
    person: str
    person_user_id: int | None
    role: MemberRole
    role_note: str
    requested_at: datetime
    requested_by: str
    decided_at: datetime | None
    decided_by: str
    ended_at: datetime | None
    ended_by: str

    @property
    def open(self) -> bool:
        return self.status in (GuestStatus.REQUESTED, GuestStatus.ACCEPTED)


@dataclass(frozen=True)
class Note:
    body: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class JointMatch:
    """A match of another region as its guest's region sees it: read only, taken while the door was open."""

    guest: GuestRecord
    title: str
    challenge: str
    goals: str
    status: MatchStatus
    glance: Overview | None  # None once the request or membership has ended
    members: list[tuple[str, MemberRole]] = field(default_factory=list)
    guests: list[GuestRecord] = field(default_factory=list)
    journal: list[Note] = field(default_factory=list)

    @property
    def budget(self):
        return self.glance.budget if self.glance else None

    @property
    def committed(self):
        return self.glance.committed if self.glance else None

    @property
    def paid(self):
        return self.glance.paid if self.glance else None


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def records(guests: list[MatchGuest]) -> list[GuestRecord]:
    """Plain records of guest rows (call where the rows' match and profile can be loaded)."""
    names = _names(i for g in guests for i in (g.requested_by_id, g.decided_by_id, g.ended_by_id))
    regions = {r.id: r for r in db.session.scalars(select(Region))}
    with all_regions(read_only=True):  # the people are of other regions: read by id, visibly
        people = {
            p.id: p for p in db.session.scalars(select(Profile).where(Profile.id.in_({g.profile_id for g in guests})))
        }
    out = []
    for g in guests:
        funding, home = regions[g.region_id], regions[g.guest_region_id]
        out.append(
            GuestRecord(
                id=g.id,
                status=g.status,
                match_id=g.match_id,
                match_title=g.match.title,
                match_status=g.match.status,
                funding_region=funding.name,
                funding_region_slug=funding.slug,
                guest_region=home.name,
                guest_region_slug=home.slug,
                profile_id=g.profile_id,
                person=people[g.profile_id].display_name,
                person_user_id=people[g.profile_id].user_id,
                role=g.role,
                role_note=g.role_note,
                requested_at=g.requested_at,
                requested_by=names.get(g.requested_by_id, ""),
                decided_at=g.decided_at,
                decided_by=names.get(g.decided_by_id, ""),
                ended_at=g.ended_at,
                ended_by=names.get(g.ended_by_id, ""),
            )
        )
    return out


def record(guest: MatchGuest) -> GuestRecord:
    return records([guest])[0]


# -- the funding region's side (in its scope) -------------------------------------------------------------


def guests_of(match: Match) -> list[GuestRecord]:
    """Every request and membership of people of other regions in this match, oldest first."""
    rows = db.session.scalars(select(MatchGuest).where(MatchGuest.match_id == match.id).order_by(MatchGuest.id))
    return records(list(rows))


def crossing_match_ids() -> set[int]:
    """The region's matches with a member of another region (accepted): "regionsübergreifend"."""
    return set(
        db.session.scalars(select(MatchGuest.match_id).where(MatchGuest.status == GuestStatus.ACCEPTED).distinct())
    )


def may_join(profile: Profile, funding_region_id: int) -> bool:
    """A person of another active region whom the shared directory shows to the network: consented, visible
    to the network, not archived."""
    return (
        profile.region_id != funding_region_id
        and profile.archived_at is None
        and profile.visibility == Visibility.NETWORK
        and profile.has_consent
        and profile.region.active
    )


def candidates(match: Match) -> list[tuple[int, str]]:
    """People of the other regions the coordination may ask for: (profile id, "Name (Region)")."""
    with all_regions(read_only=True):  # reads the shared directory's people of every other region
        rows = db.session.scalars(
            select(Profile)
            .join(Region, Region.id == Profile.region_id)
            .where(
                Profile.region_id != match.region_id,
                Region.active,
                Profile.archived_at.is_(None),
                Profile.visibility == Visibility.NETWORK,
                Profile.consent_given_at.is_not(None),
            )
            .options(selectinload(Profile.region))
            .order_by(Region.position, Profile.display_name)
        ).all()
        return [(p.id, f"{p.display_name} ({p.region.name})") for p in rows if may_join(p, match.region_id)]


# -- the guest region's side (inside the door) -------------------------------------------------------------


def incoming(region_id: int) -> list[GuestRecord]:
    """Inside the door: every request and membership of this region's people in other regions' matches."""
    rows = db.session.scalars(
        select(MatchGuest)
        .where(MatchGuest.guest_region_id == region_id)
        .options(selectinload(MatchGuest.match))
        .order_by(MatchGuest.requested_at.desc(), MatchGuest.id.desc())
    )
    return records(list(rows))


def joined_by(user_id: int, region_id: int) -> list[GuestRecord]:
    """Inside the door: the person's accepted memberships (as this region's person) in other regions' matches."""
    rows = db.session.scalars(
        select(MatchGuest)
        .join(Profile, Profile.id == MatchGuest.profile_id)  # inside the door: the person's own region
        .where(
            MatchGuest.guest_region_id == region_id,
            MatchGuest.status == GuestStatus.ACCEPTED,
            Profile.user_id == user_id,
        )
        .options(selectinload(MatchGuest.match))
        .order_by(MatchGuest.id)
    )
    return records(list(rows))


def joined_by_profiles(profile_ids: list[int]) -> list[GuestRecord]:
    """The accepted memberships of these profiles (one person's, in their regions) in other regions' matches,
    for the person's home. Reads across the wall, visibly, only the rows naming these profiles."""
    if not profile_ids:
        return []
    with all_regions(read_only=True):
        rows = db.session.scalars(
            select(MatchGuest)
            .where(MatchGuest.profile_id.in_(profile_ids), MatchGuest.status == GuestStatus.ACCEPTED)
            .options(selectinload(MatchGuest.match))
            .order_by(MatchGuest.id)
        )
        return records(list(rows))


def joint_match(guest: MatchGuest, today: date, *, with_journal: bool) -> JointMatch:
    """Inside the door: the match of a guest row (members, milestones, money; the journal for the team only).

    Once the request or membership has ended (declined, withdrawn, removed), the person's region keeps its
    history, not a view into the other region's match: only the record and the match's title and status."""
    match = guest.match
    if guest.status not in (GuestStatus.REQUESTED, GuestStatus.ACCEPTED):
        return JointMatch(
            guest=record(guest), title=match.title, challenge="", goals="", status=match.status, glance=None
        )
    members = db.session.scalars(
        select(MatchMember)
        .where(MatchMember.match_id == match.id)
        .options(selectinload(MatchMember.profile))
        .order_by(MatchMember.id)
    ).all()
    others = db.session.scalars(
        select(MatchGuest)
        .where(MatchGuest.match_id == match.id, MatchGuest.status == GuestStatus.ACCEPTED)
        .order_by(MatchGuest.id)
    ).all()
    journal = (
        db.session.scalars(
            select(JournalEntry).where(JournalEntry.match_id == match.id).order_by(JournalEntry.created_at.desc())
        ).all()
        if with_journal
        else []
    )
    authors = _names(entry.author_id for entry in journal)
    return JointMatch(
        guest=record(guest),
        title=match.title,
        challenge=match.challenge,
        goals=match.goals,
        status=match.status,
        glance=overview(match, today),
        members=[(m.profile.display_name, m.role) for m in members],
        guests=records(list(others)),
        journal=[Note(e.body, authors.get(e.author_id, ""), e.created_at) for e in journal],
    )


def open_requests(region_id: int) -> int:
    """Inside the door: how many requests wait for this region's coordination."""
    return db.session.scalar(
        select(func.count())
        .select_from(MatchGuest)
        .where(MatchGuest.guest_region_id == region_id, MatchGuest.status == GuestStatus.REQUESTED)
    )
