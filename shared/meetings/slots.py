"""The slots and places of an event's meetings: pure rules, no database.

The meeting window is the event's own time unless the coordination states one inside it; it is cut into
slots of ``slot_minutes`` from its start (a rest too short for a slot is left over). Places are the
tables counted by the coordination ("Tisch 1" … "Tisch n", named in the program's language, German, as they
are stored) followed by the places it names ("Foyer").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date

from shared.calendar.services import clock, display_zone

MAX_SLOTS = 200
MAX_PLACES = 100
TABLE = "Tisch {n}"


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.starts_at < end and start < self.ends_at

    @property
    def key(self) -> str:
        """How forms and the API name a slot: its start, ISO 8601 in UTC."""
        return self.starts_at.isoformat()

    @property
    def label(self) -> str:
        """ "18:00–18:20" on the hub's clock."""
        return f"{clock(self.starts_at)}–{clock(self.ends_at)}"


def window(event, setup) -> tuple[datetime, datetime]:
    """When meetings take place: the stated window, or the event's time."""
    return (setup.window_starts_at or event.starts_at, setup.window_ends_at or event.ends_at)


def slots(event, setup) -> list[Slot]:
    """The event's meeting slots, earliest first."""
    start, end = window(event, setup)
    length = timedelta(minutes=setup.slot_minutes)
    out = []
    while start + length <= end and len(out) < MAX_SLOTS:
        out.append(Slot(start, start + length))
        start += length
    return out


def slot_at(event, setup, starts_at: datetime) -> Slot | None:
    """The slot that starts at this moment, if there is one."""
    return next((s for s in slots(event, setup) if s.starts_at == starts_at), None)


def place_names(table_count: int, named: list[str]) -> list[str]:
    """The tables ("Tisch 1" …) and the named places, each once, in order."""
    names = [TABLE.format(n=n) for n in range(1, table_count + 1)] + [n.strip() for n in named if n.strip()]
    return list(dict.fromkeys(names))


def split_places(places: list[str]) -> tuple[int, list[str]]:
    """The other way round, for the form: how many leading places are "Tisch 1" … "Tisch n", and the rest."""
    count = 0
    while count < len(places) and places[count] == TABLE.format(n=count + 1):
        count += 1
    return count, places[count:]


def when(starts_at: datetime, ends_at: datetime) -> str:
    """A meeting's date and time in words on the hub's clock: "Montag, 21. Dezember 2026, 18:00–18:20"."""
    return f"{format_date(starts_at.astimezone(display_zone()), 'full')}, {clock(starts_at)}–{clock(ends_at)}"
