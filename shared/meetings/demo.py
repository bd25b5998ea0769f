"""Demo data: a network event in the Erzgebirge with meetings switched on, and one accepted meeting between
people of two regions (the Alte Brauerei of the Erzgebirge and the Filmproduktion of Meißen and Dresden), so
that both find it on their home, under "Meine Treffen" and in their private calendar feed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from hub.accounts.models import User
from hub.core.db import db
from hub.core.demo import DOMAIN
from hub.core.tenancy import all_regions, region_scope
from hub.core.tenancy.models import Region
from regions.events import services as events
from regions.events.models import Event, Registration
from regions.events.vocab import Audience, EventStatus, EventType, RegistrationStatus
from regions.profiles.models import Profile
from shared.meetings import slots
from shared.meetings.models import EventMeeting, MeetingBooking, MeetingSetup, MeetingStatus

TITLE = "Netzwerkbörse: Kreative treffen Unternehmen"
PEOPLE = ("alte-brauerei", "filmproduktion")


def _person(name: str) -> tuple[User | None, Profile | None]:
    with all_regions():
        user = db.session.scalar(select(User).where(User.email == f"{name}@{DOMAIN}"))
        profile = (
            db.session.scalar(select(Profile).where(Profile.user_id == user.id).order_by(Profile.id)) if user else None
        )
    return user, profile


def load_demo() -> int:
    """The event with its meeting slots and places, both people registered, and their accepted meeting."""
    region = db.session.scalar(select(Region).where(Region.slug == "erzgebirge"))
    people = [_person(name) for name in PEOPLE]
    if region is None or any(user is None for user, _ in people):
        return 0
    with region_scope(region):
        if db.session.scalar(select(Event.id).where(Event.title == TITLE)):
            return 0
        day = date.today() + timedelta(weeks=2, days=3)
        start = events.to_utc(datetime(day.year, day.month, day.day, 16), "Europe/Berlin")
        event = events.create_event(
            {
                "title": TITLE,
                "type": EventType.NETWORK_MEETING,
                "venue": "Manufaktur der Träume, Annaberg-Buchholz",
                "audience": Audience.NETWORK,
                "status": EventStatus.PUBLISHED,
                "capacity": 80,
                "description": "Kreative aus allen vier Regionen und Unternehmen des Erzgebirges verabreden sich zu "
                "Gesprächen von 20 Minuten an Tischen im Saal oder im Foyer.",
            },
            starts_at=start,
            ends_at=start + timedelta(hours=3),
        )
        db.session.flush()
        setup = MeetingSetup(
            event_id=event.id,
            enabled=True,
            slot_minutes=20,
            window_starts_at=start + timedelta(hours=1),
            window_ends_at=start + timedelta(hours=3),
            places=slots.place_names(8, ["Foyer"]),
        )
        db.session.add(setup)
        for user, _profile in people:
            db.session.add(Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.REGISTERED))
        event.registered_count = len(people)
        db.session.flush()
        slot = slots.slots(event, setup)[1]
        (proposer, proposer_profile), (invitee, invitee_profile) = people
        meeting = EventMeeting(
            event_id=event.id,
            proposer_id=proposer.id,
            invitee_id=invitee.id,
            proposer_profile_id=proposer_profile.id if proposer_profile else None,
            invitee_profile_id=invitee_profile.id if invitee_profile else None,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            place="Tisch 3",
            note="Wir suchen jemanden, der unser Sommerfest filmisch begleitet – lassen Sie uns sprechen.",
            status=MeetingStatus.ACCEPTED,
            decided_at=start - timedelta(days=10),
            sequence=1,
        )
        db.session.add(meeting)
        db.session.flush()
        db.session.add_all(
            [MeetingBooking(meeting_id=meeting.id, starts_at=slot.starts_at, user_id=u.id) for u, _ in people]
            + [MeetingBooking(meeting_id=meeting.id, starts_at=slot.starts_at, event_id=event.id, place="Tisch 3")]
        )
        db.session.flush()
    return 1
