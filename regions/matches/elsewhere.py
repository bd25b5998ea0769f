"""What another feature adds to the matches' pages about other regions, without the matches importing it.

Teams across regions (``regions.teams``) registers here, when its access module is imported with the app's
features: the matches of other regions that people of this region are members of (for "Meine Matches" and the
coordination's list), the people of other regions in a match of this region (its team section) and which of
this region's matches cross the border (the list's badge). Without a registration all three are empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hub.core.actions import Actor
from regions.matches.models import Match


@dataclass(frozen=True)
class Elsewhere:
    joint: Callable[[Actor], list]
    guests: Callable[[Match, bool], list]
    crossing_ids: Callable[[], set[int]]


_REGISTERED: list[Elsewhere] = []


def register(elsewhere: Elsewhere) -> None:
    if elsewhere not in _REGISTERED:
        _REGISTERED.append(elsewhere)


def joint(actor: Actor) -> list:
    """Other regions' matches with this region's people (the coordination, the umbrella), or the actor's own."""
    return [found for one in _REGISTERED for found in one.joint(actor)]


def guests(match: Match, reviewing: bool) -> list:
    """People of other regions in this match (requests too, for the coordination and the umbrella)."""
    return [found for one in _REGISTERED for found in one.guests(match, reviewing)]


def crossing_ids() -> set[int]:
    """The region's matches with a member of another region."""
    return set().union(*(one.crossing_ids() for one in _REGISTERED))
