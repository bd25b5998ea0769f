"""How complete a profile is: seven things that make a person findable and worth contacting, and which are missing.

Reads only the profile itself (no statement); the home shows it as "5 of 7" with the missing things named,
each linking to its field of the profile form (``#f-<field>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from regions.profiles.models import Profile
from regions.profiles.vocab import ProfileKind, Visibility


@dataclass(frozen=True)
class Part:
    """One thing a complete profile has: its form field (for the link) and its name."""

    field: str
    label: object


@dataclass(frozen=True)
class Completeness:
    done: int
    total: int
    missing: list[Part]
    listed: bool  # seen by others in the directory (consent given, not private, not archived)
    network_wide: bool  # seen by the members of all regions

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def complete(self) -> bool:
        return not self.missing


def _parts(profile: Profile) -> list[tuple[Part, bool]]:
    if profile.kind == ProfileKind.ORGANISATION:
        field = (Part("sector", _l("Sector")), bool(profile.sector.strip()))
    else:
        field = (Part("submarkets", _l("Submarkets")), bool(profile.submarkets))
    return [
        (Part("picture", _l("Picture or logo")), bool(profile.picture)),
        (Part("pitch", _l("Short pitch")), bool(profile.pitch.strip())),
        (Part("description", _l("Description")), bool(profile.description.strip())),
        (Part("offer_tags", _l("What you offer")), bool(profile.offer_tags or profile.offers_text.strip())),
        (Part("need_tags", _l("What you are looking for")), bool(profile.need_tags or profile.needs_text.strip())),
        (Part("town", _l("Town")), bool(profile.town.strip())),
        field,
    ]


def completeness(profile: Profile) -> Completeness:
    """What of a profile is filled in, and what is missing, in the order of the form."""
    parts = _parts(profile)
    return Completeness(
        done=sum(1 for _, filled in parts if filled),
        total=len(parts),
        missing=[part for part, filled in parts if not filled],
        listed=profile.is_listed,
        network_wide=profile.is_listed and profile.visibility == Visibility.NETWORK,
    )
