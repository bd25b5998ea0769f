"""Demo events: each region's kickoff with speed-dating, expert events on digitalisation, monthly peer
learning, and the final event — in the coming months, so the calendar has something to show."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from hub.db import db
from hub.demo import demo_loader
from hub.tenancy import region_scope
from hub.tenancy.models import Region
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


@demo_loader
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


@demo_loader
def load_demo_past_meetings() -> int:
    """One past network meeting per region with registrations; most of those who registered came."""
    from hub.accounts.models import Membership, User
    from hub.demo import DOMAIN
    from hub.tenancy import all_regions
    from regions.events.models import Registration
    from regions.events.vocab import RegistrationStatus

    changes = 0
    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    day = date.today() - timedelta(weeks=3)
    for slug, guests in PAST_GUESTS.items():
        if slug not in regions:
            continue
        with all_regions():
            members = list(
                db.session.scalars(
                    select(User)
                    .join(Membership, Membership.user_id == User.id)
                    .where(Membership.region_id == regions[slug].id)
                    .order_by(User.id)
                )
            )
            visitors = [
                u for u in (db.session.scalar(select(User).where(User.email == f"{g}@{DOMAIN}")) for g in guests) if u
            ]
        with region_scope(regions[slug]):
            if db.session.scalar(select(Event.id).where(Event.title == PAST_MEETING)):
                continue
            start = services.to_utc(datetime(day.year, day.month, day.day, 18), "Europe/Berlin")
            event = services.create_event(
                {
                    "title": PAST_MEETING,
                    "type": EventType.NETWORK_MEETING,
                    "venue": "Netzwerkraum",
                    "audience": Audience.NETWORK,
                    "status": EventStatus.PUBLISHED,
                    "description": "Matches und Interessierte tauschen sich aus.",
                },
                starts_at=start,
                ends_at=start + timedelta(hours=2),
            )
            db.session.flush()
            people = list(dict.fromkeys([*members, *visitors]))
            for index, person in enumerate(people):
                db.session.add(
                    Registration(
                        event_id=event.id,
                        user_id=person.id,
                        status=RegistrationStatus.REGISTERED,
                        answers={},
                        checked_in_at=start if index % 4 != 3 else None,  # one in four did not come
                    )
                )
            event.registered_count = len(people)
            db.session.flush()
            changes += 1
    return changes
