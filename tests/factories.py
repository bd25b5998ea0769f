"""Small factories that build test data through the services, each in its own region scope."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

from hub.accounts import services
from hub.accounts.models import Role
from hub.db import db
from hub.tenancy import all_regions

PASSWORD = "correct horse battery"


def tiny_png(color=(200, 80, 40), size=(40, 30)) -> bytes:
    """A small real PNG picture."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


_seq = itertools.count(1)


@dataclass
class Made:
    """A plain record of what a factory made, safe to use outside the app context."""

    id: int
    email: str = ""
    name: str = ""
    region: str | None = None
    extra: str = ""
    owner: Made | None = None  # who may legitimately reach it, when not the region's coordination


class Factory:
    """make.user(), make.coordinator('erzgebirge'), make.invitation('lausitz'), …"""

    def __init__(self, app, regions):
        self.app = app
        self.regions = regions

    def _region(self, slug):
        return db.session.merge(self.regions[slug], load=False) if slug else None

    def user(
        self,
        role: Role | str = Role.PARTICIPANT,
        region: str | None = None,
        *,
        name: str | None = None,
        email: str | None = None,
        password: str = PASSWORD,
    ) -> Made:
        role = Role(role)
        n = next(_seq)
        email = email or f"person{n}@example.org"
        name = name or f"Person {n}"
        with self.app.app_context(), all_regions():
            user = services.create_user(email, name, password, role=role, region=self._region(region))
            db.session.commit()
            return Made(id=user.id, email=user.email, name=user.name, region=region)

    def participant(self, region: str, **kw) -> Made:
        return self.user(Role.PARTICIPANT, region, **kw)

    def coordinator(self, region: str, **kw) -> Made:
        return self.user(Role.COORDINATOR, region, **kw)

    def umbrella(self, **kw) -> Made:
        return self.user(Role.UMBRELLA, **kw)

    def admin(self, **kw) -> Made:
        return self.user(Role.ADMIN, **kw)

    def membership(self, region: str, **kw) -> Made:
        """A participant's membership in a region (returns the membership's id)."""
        person = self.participant(region, **kw)
        with self.app.app_context(), all_regions():
            from sqlalchemy import select

            from hub.accounts.models import Membership

            membership = db.session.scalar(select(Membership).where(Membership.user_id == person.id))
            return Made(id=membership.id, email=person.email, name=person.name, region=region)

    def invitation(
        self, region: str, *, email: str | None = None, name: str | None = None, role: Role = Role.PARTICIPANT
    ) -> Made:
        """An open invitation into a region; ``extra`` holds the raw token of its link."""
        n = next(_seq)
        email = email or f"invitee{n}@example.org"
        with self.app.app_context(), self.app.test_request_context(), all_regions():
            invitation, raw = services.invite(self._region(region), email, name or f"Invitee {n}", role, None)
            db.session.commit()
            return Made(id=invitation.id, email=invitation.email, name=invitation.name, region=region, extra=raw)

    def profile(
        self,
        region: str,
        *,
        user: Made | None = None,
        name: str | None = None,
        kind: str = "creative",
        visibility: str = "private",
        consent: bool | None = None,
        picture: bool = False,
        **fields,
    ) -> Made:
        """A profile in a region (kept by the coordination unless ``user`` is given)."""
        from hub.accounts.models import User
        from hub.tenancy import region_scope
        from regions.profiles import pictures
        from regions.profiles import services as profiles
        from regions.profiles.vocab import ContactVisibility, ProfileKind, Visibility

        n = next(_seq)
        data = {
            "kind": ProfileKind(kind),
            "display_name": name or f"Profile {n}",
            "visibility": Visibility(visibility),
            "contact_visibility": ContactVisibility(fields.pop("contact_visibility", "on_request")),
            "consent": visibility != "private" if consent is None else consent,
            **fields,
        }
        with self.app.app_context(), self.app.test_request_context(), region_scope(self.regions[region].id):
            owner = db.session.get(User, user.id) if user else None
            profile = profiles.create_profile(data, user=owner, acting_user=owner)
            if picture:
                profile.picture = pictures.store_picture(io.BytesIO(tiny_png()))
            db.session.commit()
            return Made(id=profile.id, name=profile.display_name, region=region, email=user.email if user else "")

    def contact_request(self, sender: Made, recipient: Made, message: str = "Hallo, lass uns sprechen!") -> Made:
        """A pending contact request between two profiles that belong to accounts."""
        from hub.accounts.models import User
        from shared.contacts import services as contacts

        with self.app.app_context(), self.app.test_request_context():
            asker = db.session.get(User, sender.owner.id)
            contact = contacts.request_contact(asker, recipient.id, message, sender.id)
            db.session.commit()
            return Made(id=contact.id, region=recipient.region, owner=recipient.owner)

    def event(
        self, region: str, *, title: str | None = None, start=None, hours: float = 2, rrule: str | None = None, **fields
    ) -> Made:
        """An event in a region (published, visible to the region unless said otherwise)."""
        from datetime import UTC, datetime, timedelta

        from hub.tenancy import region_scope
        from regions.events import services as events
        from regions.events.vocab import Audience, EventStatus, EventType

        n = next(_seq)
        start = start or datetime.now(UTC).replace(microsecond=0) + timedelta(days=14 + n % 30)
        data = {
            "title": title or f"Event {n}",
            "type": EventType(fields.pop("type", "network_meeting")),
            "audience": Audience(fields.pop("audience", "region")),
            "status": EventStatus(fields.pop("status", "published")),
            **fields,
        }
        with self.app.app_context(), self.app.test_request_context(), region_scope(self.regions[region].id):
            event = events.create_event(data, starts_at=start, ends_at=start + timedelta(hours=hours), rrule=rrule)
            db.session.commit()
            return Made(id=event.id, name=event.title, region=region)

    def registration(self, event: Made, user: Made, answers: dict | None = None) -> Made:
        """Register a person for an event (a place, or the waiting list when full)."""
        from hub.accounts.models import User
        from hub.tenancy import region_scope
        from regions.events import services as events

        with self.app.app_context(), self.app.test_request_context(), region_scope(self.regions[event.region].id):
            registration = events.register(events.get_event(event.id), db.session.get(User, user.id), answers)
            db.session.commit()
            return Made(id=registration.id, region=event.region, extra=registration.status.value, owner=user)

    def access_token(self, user: Made, name: str = "script") -> Made:
        """A personal access token; ``extra`` holds the raw token."""
        with self.app.app_context():
            from hub.accounts.models import User

            token, raw = services.create_access_token(db.session.get(User, user.id), name)
            db.session.commit()
            return Made(id=token.id, name=token.name, region=user.region, extra=raw)


# Samples for the isolation suite ---------------------------------------------------------------
# Each URL argument that names an object (``<int:membership_id>``) maps to a function that makes
# such an object in a given region, carrying a marker text. The isolation suite fills every
# route's arguments from here, so a new route is covered without touching the suite.

SAMPLES = {}


def sample(*arg_names: str):
    """Register a factory of sample objects for URL arguments with these names."""

    def register(fn):
        for name in arg_names:
            SAMPLES[name] = fn
        return fn

    return register


@sample("membership_id")
def _sample_membership(make: Factory, region: str, marker: str) -> Made:
    return make.membership(region, name=f"{marker} member", email=f"{marker.lower()}-m@example.org")


@sample("invitation_id")
def _sample_invitation(make: Factory, region: str, marker: str) -> Made:
    return make.invitation(region, name=f"{marker} invitee", email=f"{marker.lower()}-i@example.org")


@sample("access_token_id")
def _sample_access_token(make: Factory, region: str, marker: str) -> Made:
    owner = make.participant(region, name=f"{marker} token owner", email=f"{marker.lower()}-t@example.org")
    return make.access_token(owner, name=f"{marker} token")


@sample("profile_id")
def _sample_profile(make: Factory, region: str, marker: str) -> Made:
    """A private profile with a picture, kept by the coordination."""
    return make.profile(region, name=f"{marker} profile", picture=True, pitch=f"{marker} pitch")


@sample("contact_request_id")
def _sample_contact_request(make: Factory, region: str, marker: str) -> Made:
    """A pending request between two network-visible participants of the region; its owner is the addressee."""
    asker = make.participant(region, name=f"{marker} asker", email=f"{marker.lower()}-asker@example.org")
    addressee = make.participant(region, name=f"{marker} addressee", email=f"{marker.lower()}-addr@example.org")
    sender = make.profile(region, user=asker, name=f"{marker} sender profile", visibility="network")
    sender.owner = asker
    recipient = make.profile(region, user=addressee, name=f"{marker} recipient profile", visibility="network")
    recipient.owner = addressee
    return make.contact_request(sender, recipient, message=f"{marker} message text")


@sample("event_id")
def _sample_event(make: Factory, region: str, marker: str) -> Made:
    """A draft region-only event with a question (drafts are the coordination's alone)."""
    return make.event(
        region,
        title=f"{marker} event",
        status="draft",
        capacity=10,
        description=f"{marker} description",
        questions=[{"key": "q1", "label": "Org?", "required": False}],
    )


@sample("registration_id")
def _sample_registration(make: Factory, region: str, marker: str) -> Made:
    """A registration of a region member for a published event of the region."""
    person = make.participant(region, name=f"{marker} attendee", email=f"{marker.lower()}-reg@example.org")
    event = make.event(region, title=f"{marker} open event", capacity=5)
    registration = make.registration(event, person)
    registration.owner = None  # reached by the region's coordination, not by the attendee
    return registration
