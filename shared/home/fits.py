"""What fits a person, for their home: the best few people to meet (shared.meet: people of all four regions
whose offers answer the person's needs and whose needs their offers answer, with the reasons), and coming
events that speak of the person's tags.

The people are read from the person's precomputed list (computed on the first visit, kept fresh by
shared.meet's jobs), so the home costs the same few statements at 100,000 profiles as at ten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from hub.core.text import fold
from regions.events.models import Event
from regions.profiles.models import Profile
from shared.calendar.glance import coming_events
from shared.directory.search import Viewer
from shared.directory.text import facet_key
from shared.meet import services as meet
from shared.meet.services import PersonToMeet

PEOPLE = 4
EVENTS = 3


@dataclass(frozen=True)
class EventFit:
    event: Event
    tags: list[str]  # the person's tags the event speaks of


@dataclass
class Fits:
    people: list[PersonToMeet] = field(default_factory=list)
    events: list[EventFit] = field(default_factory=list)
    has_tags: bool = False  # without tags nothing can fit: the home asks for them


def _keys(tags) -> dict[str, str]:
    return {facet_key(tag)[:120]: tag for tag in tags if facet_key(tag)}


@lru_cache(maxsize=1024)
def _searchable(title: str, description: str) -> str:
    """An event's folded text, framed by spaces for whole-word tests. Every home reads the same coming events,
    and folding their descriptions was a tenth of a home page: each text is folded once per worker."""
    return f" {fold(title)} {fold(description)} "


def fits_for(viewer: Viewer, profiles: list[Profile], now: datetime) -> Fits:
    """What fits the person whose own profiles these are (a fixed number of statements)."""
    offers = _keys(tag for p in profiles for tag in p.offer_tags)
    needs = _keys(tag for p in profiles for tag in p.need_tags)
    fits = Fits(has_tags=bool(offers or needs))
    if not fits.has_tags:
        return fits
    fits.people = meet.top(viewer, PEOPLE, meet.ensure(viewer, profiles))
    wanted = {**offers, **needs}
    for event in coming_events(viewer, now):
        text = _searchable(event.title, event.description)
        tags = [tag for key, tag in wanted.items() if f" {key} " in text]
        if tags:
            fits.events.append(EventFit(event, tags))
            if len(fits.events) == EVENTS:
                break
    return fits
