"""Demo events: each region's kickoff with speed-dating, expert events on digitalisation, monthly peer
learning, and the final event — in the coming months, so the calendar has something to show."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from hub.core.db import db
from hub.core.tenancy import region_scope
from hub.core.tenancy.models import Region
from regions.events import services
from regions.events.models import Event
from regions.events.vocab import Audience, EventStatus, EventType

QUESTIONS = [
    {"key": "q1", "label": "Welche Organisation vertreten Sie?", "required": True},
    {"key": "q2", "label": "Essenswünsche (vegetarisch, vegan …)", "required": False},
]

# (region, title, type, weeks from now, local start hour, hours, venue, audience, capacity, rrule)
DEMO_EVENTS = [
    (
        "erzgebirge",
        "Auftakt CIMIS II Erzgebirge mit Speed-Dating",
        EventType.KICKOFF,
        2,
        16,
        4,
        "Kulturzentrum Schneeberg",
        Audience.NETWORK,
        60,
        None,
    ),
    ("meissen", "Auftaktveranstaltung Meißen", EventType.KICKOFF, 3, 17, 3, "Meißen", Audience.NETWORK, 40, None),
    ("lausitz", "Auftakt Kreative Lausitz", EventType.KICKOFF, 3, 15, 4, "Bautzen", Audience.NETWORK, 40, None),
    (
        "dresden",
        "Fachveranstaltung: Digitalisierung im Ehrenamt",
        EventType.EXPERT,
        5,
        18,
        2,
        "Dresden",
        Audience.PUBLIC,
        80,
        None,
    ),
    (
        "erzgebirge",
        "Peer-Learning der Matches",
        EventType.PEER_LEARNING,
        4,
        18,
        2,
        "Annaberg-Buchholz",
        Audience.REGION,
        20,
        "FREQ=MONTHLY;COUNT=6",
    ),
    ("dresden", "Abschlussveranstaltung CIMIS II", EventType.FINAL, 26, 14, 5, "Dresden", Audience.PUBLIC, 200, None),
]


def load_demo_events() -> int:
    """Create the demo events that are missing (by title and region)."""
    changes = 0
    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    today = date.today()
    for slug, title, kind, weeks, hour, hours, venue, audience, capacity, rrule in DEMO_EVENTS:
        if slug not in regions:
            continue
        with region_scope(regions[slug]):
            if db.session.scalar(select(Event.id).where(Event.title == title)):
                continue
            day = today + timedelta(weeks=weeks)
            start = services.to_utc(datetime(day.year, day.month, day.day, hour), "Europe/Berlin")
            services.create_event(
                {
                    "title": title,
                    "type": kind,
                    "venue": venue,
                    "audience": audience,
                    "capacity": capacity,
                    "status": EventStatus.PUBLISHED,
                    "questions": QUESTIONS if kind == EventType.KICKOFF else [],
                    "description": "Kreative und Organisationen treffen sich, lernen sich kennen und finden Matches.",
                },
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                rrule=rrule,
            )
            db.session.flush()
            changes += 1
    return changes


# A network meeting that took place three weeks ago in each region, with who came (and a guest from
# another region), so that the dashboards have attendance to show. (region, guests from other regions)
PAST_MEETING = "Netzwerktreffen im Rückblick"
PAST_GUESTS = {"erzgebirge": ["filmproduktion"], "meissen": [], "lausitz": ["games-studio"], "dresden": ["grafikbuero"]}


def _members_and_guests(region, guests: list[str]) -> list:
    """The region's members, and the named people from other regions, in a fixed order."""
    from hub.accounts.models import Membership, User
    from hub.core.demo import DOMAIN
    from hub.core.tenancy import all_regions

    with all_regions():
        members = list(
            db.session.scalars(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.region_id == region.id)
                .order_by(User.id)
            )
        )
        visitors = [
            u for u in (db.session.scalar(select(User).where(User.email == f"{g}@{DOMAIN}")) for g in guests) if u
        ]
    return list(dict.fromkeys([*members, *visitors]))


def _meeting_with_people(title: str, day: date, description: str, people: list, *, held: bool, places: int | None):
    """A network meeting at 18:00 with the people registered (beyond ``places``, on the waiting list); at a
    held one, one in four of those registered did not come."""
    from regions.events.models import Registration
    from regions.events.vocab import RegistrationStatus

    start = services.to_utc(datetime(day.year, day.month, day.day, 18), "Europe/Berlin")
    event = services.create_event(
        {
            "title": title,
            "type": EventType.NETWORK_MEETING,
            "venue": "Netzwerkraum",
            "audience": Audience.NETWORK,
            "status": EventStatus.PUBLISHED,
            "capacity": places,
            "description": description,
        },
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    db.session.flush()
    for index, person in enumerate(people):
        waiting = places is not None and index >= places
        db.session.add(
            Registration(
                event_id=event.id,
                user_id=person.id,
                status=RegistrationStatus.WAITLISTED if waiting else RegistrationStatus.REGISTERED,
                answers={},
                checked_in_at=start if held and index % 4 != 3 else None,
            )
        )
    event.registered_count = min(len(people), places) if places is not None else len(people)
    event.waitlisted_count = len(people) - event.registered_count
    db.session.flush()
    return event


def load_demo_past_meetings() -> int:
    """One past network meeting per region with registrations; most of those who registered came."""
    changes = 0
    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    day = date.today() - timedelta(weeks=3)
    for slug, guests in PAST_GUESTS.items():
        if slug not in regions:
            continue
        people = _members_and_guests(regions[slug], guests)
        with region_scope(regions[slug]):
            if db.session.scalar(select(Event.id).where(Event.title == PAST_MEETING)):
                continue
            _meeting_with_people(
                PAST_MEETING, day, "Matches und Interessierte tauschen sich aus.", people, held=True, places=None
            )
            changes += 1
    return changes


# A small workshop the day after tomorrow in each region, full, with one person waiting: once the scheduler
# runs (`make run` starts it), the registered people find a reminder under Notifications and the person
# waiting hears where they stand.
NEXT_WORKSHOP = "Offene Werkstatt"


def load_demo_next_workshop() -> int:
    """A full workshop in two days per region, with a waiting list of one."""
    changes = 0
    day = date.today() + timedelta(days=2)
    for region in db.session.scalars(select(Region)).all():
        people = _members_and_guests(region, [])
        with region_scope(region):
            if len(people) < 2 or db.session.scalar(select(Event.id).where(Event.title == NEXT_WORKSHOP)):
                continue
            description = "Alle bringen eine Frage mit; wir suchen gemeinsam Antworten."
            _meeting_with_people(NEXT_WORKSHOP, day, description, people, held=False, places=len(people) - 1)
            changes += 1
    return changes


def load_demo() -> int:
    """The demo events, the past meeting with who came, and the full workshop in two days."""
    return load_demo_events() + load_demo_past_meetings() + load_demo_next_workshop()
