"""New people and events of the network that fit a person's offers and needs: a simple, honest first version.

A profile fits when it offers a tag the person looks for, or looks for a tag the person offers (German-folded,
as the directory compares tags); an event fits when one of the person's tags appears in its title or
description. Only profiles made in the last NEW_DAYS days and events still to come, those the person may see.

Issue 18 ("people to meet") replaces this module: the home calls ``fits_for`` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hub.core.text import fold
from regions.events.models import Event
from regions.profiles.models import Profile
from shared.calendar.glance import coming_events
from shared.directory.glance import new_profiles_with_tags
from shared.directory.search import Viewer
from shared.directory.text import facet_key

NEW_DAYS = 90
PEOPLE = 4
EVENTS = 3


@dataclass(frozen=True)
class PersonFit:
    profile: Profile
    offers: list[str]  # what they offer that the person looks for
    needs: list[str]  # what they look for that the person offers


@dataclass(frozen=True)
class EventFit:
    event: Event
    tags: list[str]  # the person's tags the event speaks of


@dataclass
class Fits:
    people: list[PersonFit] = field(default_factory=list)
    events: list[EventFit] = field(default_factory=list)
    has_tags: bool = False  # without tags nothing can fit: the home asks for them


def _keys(tags) -> dict[str, str]:
    return {facet_key(tag)[:120]: tag for tag in tags if facet_key(tag)}


def fits_for(viewer: Viewer, profiles: list[Profile], now: datetime) -> Fits:
    """What fits the person whose own profiles these are (two statements)."""
    offers = _keys(tag for p in profiles for tag in p.offer_tags)
    needs = _keys(tag for p in profiles for tag in p.need_tags)
    fits = Fits(has_tags=bool(offers or needs))
    if not fits.has_tags:
        return fits
    for profile in new_profiles_with_tags(viewer, offers.keys() | needs.keys(), now - timedelta(days=NEW_DAYS)):
        they_offer = [tag for key, tag in _keys(profile.offer_tags).items() if key in needs]
        they_need = [tag for key, tag in _keys(profile.need_tags).items() if key in offers]
        if they_offer or they_need:
            fits.people.append(PersonFit(profile, they_offer, they_need))
            if len(fits.people) == PEOPLE:
                break
    wanted = {**offers, **needs}
    for event in coming_events(viewer, now):
        text = f" {fold(event.title)} {fold(event.description)} "
        tags = [tag for key, tag in wanted.items() if f" {key} " in text]
        if tags:
            fits.events.append(EventFit(event, tags))
            if len(fits.events) == EVENTS:
                break
    return fits
