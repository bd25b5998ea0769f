"""Small factories that build test data through the services, each in its own region scope."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hub.accounts import services
from hub.accounts.models import Role
from hub.db import db
from hub.tenancy import all_regions

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@dataclass
class Made:
    """A plain record of what a factory made, safe to use outside the app context."""

    id: int
    email: str = ""
    name: str = ""
    region: str | None = None
    extra: str = ""


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
