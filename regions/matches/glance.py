"""What the matches show on the homes: a person's own matches with their next milestone and budget, a region's
overdue milestones and budgets, the network's running matches per region.

Each answer costs a fixed number of statements, however many matches, members and milestones there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from hub.core.db import db
from hub.core.money import from_cents
from hub.core.tenancy import all_regions
from regions.matches.models import Match, MatchMember, Milestone
from regions.matches.services import OPEN_STATUSES
from regions.matches.vocab import MatchStatus
from regions.profiles.models import Profile


@dataclass
class MyMatch:
    """One of the person's open matches: the partners, the next milestone and what is left of the budget."""

    match: Match
    partners: list[str] = field(default_factory=list)
    next_milestone: Milestone | None = None
    today: date | None = None

    @property
    def overdue(self) -> bool:
        return self.next_milestone is not None and self.today is not None and self.next_milestone.due_on < self.today


def _next_milestones(match_ids: list[int]) -> dict[int, Milestone]:
    """The earliest milestone not done of each match (one statement)."""
    found: dict[int, Milestone] = {}
    for milestone in db.session.scalars(
        select(Milestone)
        .where(Milestone.match_id.in_(match_ids), Milestone.done_on.is_(None))
        .order_by(Milestone.due_on, Milestone.id)
    ):
        found.setdefault(milestone.match_id, milestone)
    return found


def my_matches(profile_ids: list[int], today: date) -> list[MyMatch]:
    """The proposed and active matches these profiles (one person's, in their regions) are members of, with
    the other members' names and each match's next milestone. Reads across the person's regions, only the
    matches they are in."""
    if not profile_ids:
        return []
    with all_regions(read_only=True):
        matches = list(
            db.session.scalars(
                select(Match)
                .where(
                    Match.id.in_(select(MatchMember.match_id).where(MatchMember.profile_id.in_(profile_ids))),
                    Match.status.in_(OPEN_STATUSES),
                )
                .order_by(Match.proposed_on.desc(), Match.id.desc())
            )
        )
        if not matches:
            return []
        ids = [m.id for m in matches]
        partners: dict[int, list[str]] = {}
        for match_id, name in db.session.execute(
            select(MatchMember.match_id, Profile.display_name)
            .join(Profile, Profile.id == MatchMember.profile_id)
            .where(MatchMember.match_id.in_(ids), MatchMember.profile_id.not_in(profile_ids))
            .order_by(MatchMember.id)
        ):
            partners.setdefault(match_id, []).append(name)
        upcoming = _next_milestones(ids)
    return [MyMatch(m, partners.get(m.id, []), upcoming.get(m.id), today) for m in matches]


def overdue_milestones(today: date) -> list[tuple[Milestone, Match]]:
    """Milestones of the region's active matches that are not done and were due before today, oldest first."""
    return list(
        db.session.execute(
            select(Milestone, Match)
            .join(Match, Match.id == Milestone.match_id)
            .where(Match.status == MatchStatus.ACTIVE, Milestone.done_on.is_(None), Milestone.due_on < today)
            .order_by(Milestone.due_on, Milestone.id)
        )
    )


def open_matches() -> list[Match]:
    """The region's proposed and active matches, least budget left first (for the budget at a glance)."""
    return list(
        db.session.scalars(
            select(Match)
            .where(Match.status.in_(OPEN_STATUSES))
            .order_by((Match.budget_cents - Match.paid_cents), Match.title, Match.id)
        )
    )


@dataclass(frozen=True)
class RegionFunding:
    """A region's active matches and their money: budget, committed, paid, left (budget − paid)."""

    active: int = 0
    budget: Decimal = Decimal("0.00")
    committed: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")

    @property
    def left(self) -> Decimal:
        return self.budget - self.paid


def active_matches_per_region(region_ids: list[int]) -> dict[int, RegionFunding]:
    """Active matches per region with their summed budget, commitments and payments, for the umbrella."""
    with all_regions(read_only=True):
        rows = db.session.execute(
            select(
                Match.region_id,
                func.count(),
                func.sum(Match.budget_cents),
                func.sum(Match.committed_cents),
                func.sum(Match.paid_cents),
            )
            .where(Match.region_id.in_(region_ids), Match.status == MatchStatus.ACTIVE)
            .group_by(Match.region_id)
        ).all()
    return {
        region_id: RegionFunding(count, from_cents(budget or 0), from_cents(committed or 0), from_cents(paid or 0))
        for region_id, count, budget, committed, paid in rows
    }
