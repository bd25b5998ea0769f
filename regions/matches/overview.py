"""The match page at a glance: where the team stands in its term, its milestones and its money.

Read only: it orders and counts what the match already holds and decides nothing about who may do what
(regions/matches/access.py does). The term is the cohort's project period, the same for every team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from regions.matches.models import Match, Milestone

DONE, OVERDUE, NEXT, OPEN = "done", "overdue", "next", "open"


@dataclass(frozen=True)
class Step:
    """A milestone on the timeline with its state: done, overdue, next (the first one still ahead) or open."""

    milestone: Milestone
    state: str


@dataclass(frozen=True)
class Overview:
    """A match's milestones in order with their states, its term and its money."""

    steps: list[Step]
    today: date
    starts_on: date
    ends_on: date
    budget: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def done(self) -> int:
        return sum(step.state == DONE for step in self.steps)

    @property
    def overdue(self) -> list[Milestone]:
        return [step.milestone for step in self.steps if step.state == OVERDUE]

    @property
    def next(self) -> Milestone | None:
        """The first milestone not reached whose day is still ahead (today counts as ahead)."""
        return next((step.milestone for step in self.steps if step.state == NEXT), None)

    @property
    def term_days(self) -> int:
        return max((self.ends_on - self.starts_on).days, 1)

    @property
    def elapsed_days(self) -> int:
        """Days of the term gone by, between 0 (not started) and all of them (over)."""
        return min(max((self.today - self.starts_on).days, 0), self.term_days)

    @property
    def days_left(self) -> int:
        return self.term_days - self.elapsed_days

    @property
    def remaining(self) -> Decimal:
        """What can still be paid out (the budget less what was paid)."""
        return self.budget - self.paid

    @property
    def free(self) -> Decimal:
        """What is not promised for any purpose yet (the budget less the commitments)."""
        return self.budget - self.committed


def overview(match: Match, today: date) -> Overview:
    """The match's overview on ``today`` (Berlin): the term is its cohort's period."""
    steps, next_found = [], False
    for milestone in sorted(match.milestones, key=lambda m: (m.due_on, m.id)):
        if milestone.done_on is not None:
            state = DONE
        elif milestone.due_on < today:
            state = OVERDUE
        elif not next_found:
            state, next_found = NEXT, True
        else:
            state = OPEN
        steps.append(Step(milestone, state))
    return Overview(
        steps=steps,
        today=today,
        starts_on=match.cohort.starts_on,
        ends_on=match.cohort.ends_on,
        budget=match.budget,
        committed=match.committed,
        paid=match.paid,
    )
