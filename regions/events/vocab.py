"""Kinds, audiences and states of events."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from hub.audit.vocab import value_labels
from hub.core.mail.topics import register_topic


class EventType(enum.StrEnum):
    KICKOFF = "kickoff"
    SPEED_DATING = "speed_dating"
    EXPERT = "expert"
    PEER_LEARNING = "peer_learning"
    NETWORK_MEETING = "network_meeting"
    FINAL = "final"
    OTHER = "other"


class Audience(enum.StrEnum):
    """Who may see and register: the own region, the whole network, or everyone (public page)."""

    REGION = "region"
    NETWORK = "network"
    PUBLIC = "public"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


TYPE_LABELS = {
    EventType.KICKOFF: _l("Kickoff with speed-dating"),
    EventType.SPEED_DATING: _l("Speed-dating"),
    EventType.EXPERT: _l("Expert event"),
    EventType.PEER_LEARNING: _l("Peer learning"),
    EventType.NETWORK_MEETING: _l("Network meeting"),
    EventType.FINAL: _l("Final event"),
    EventType.OTHER: _l("Other event"),
}

AUDIENCE_LABELS = {
    Audience.REGION: _l("Members of the region"),
    Audience.NETWORK: _l("Members of all regions"),
    Audience.PUBLIC: _l("Public"),
}

STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
}

# The status choice on the event form, explained; a new event is offered only the first two.
STATUS_CHOICES = {
    EventStatus.DRAFT: _l("Draft: only the coordination sees it"),
    EventStatus.PUBLISHED: _l("Published: in the calendar, open for registration"),
    EventStatus.CANCELLED: _l("Cancelled: stays in the calendar marked as cancelled; everyone registered is told"),
}
NEW_EVENT_STATUSES = (EventStatus.DRAFT, EventStatus.PUBLISHED)

REGISTRATION_LABELS = {
    RegistrationStatus.REGISTERED: _l("registered"),
    RegistrationStatus.WAITLISTED: _l("on the waiting list"),
    RegistrationStatus.CANCELLED: _l("cancelled"),
}


value_labels("event", "type", TYPE_LABELS)
value_labels("event", "audience", AUDIENCE_LABELS)
value_labels("event", "status", STATUS_LABELS)
value_labels("registration", "status", REGISTRATION_LABELS)


REGISTRATIONS = register_topic(
    "registrations",
    _l("Registrations"),
    _l("Your registration, a place that became free for you, an event that was cancelled."),
)
REMINDERS = register_topic(
    "event_reminders",
    _l("Event reminders"),
    _l("A reminder shortly before an event you registered for."),
)
WAITLIST = register_topic(
    "waitlist",
    _l("Waiting lists"),
    _l("Where you stand on a waiting list shortly before the event, and whether a place became free."),
)
