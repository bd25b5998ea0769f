"""Everything that changes an access request, written once for the pages, the API, the CLI and jobs.

Asking answers the same whatever the address is (a new request, one already open, or an account that has
access already), so the form tells nobody who is a member; what differs goes by e-mail to the address's owner.
A visitor's request writes inside the region's own scope (a visitor reads a region read-only), as the calendar's
registrations do, so the wall still checks the write. Accepting sends the invitation through the members'
action (``regions.members.actions.invite``): one rule, one home. None commits: ``hub.core.glue`` does.
"""

from __future__ import annotations

from hub.core.actions import Actor
from hub.core.db import db
from hub.core.roles import Role
from hub.core.tenancy import current_region_id, region_scope
from hub.core.tenancy.models import Region
from hub.privacy.legal import consent_version
from regions.access_requests import access, services
from regions.access_requests.models import AccessRequest
from regions.members import actions as members


def ask(
    actor: Actor,
    *,
    name: str,
    email: str,
    consent: bool,
    message: str,
    organisation: str = "",
    locale: str = "de",
) -> None:
    """Ask the region in scope for access; the answer is the same for every address (no account is revealed).

    A new request is stored and confirmed by e-mail, and the coordination is told; an open one of the same
    address stays the only one; an address with access already gets a mail on how to log in instead.
    """
    access.may_ask(actor)
    region = db.session.get(Region, current_region_id())
    with region_scope(region):
        member = services.has_access(region, email)
        if member is not None:
            services.tell_existing_member(region, member, locale)
        elif services.find_open(email) is None:
            services.record(
                region,
                name=name,
                email=email,
                organisation=organisation,
                message=message,
                consent_version=consent_version(),
                locale=locale,
            )
        db.session.flush()


def accept(actor: Actor, access_request_id: int) -> AccessRequest:
    """Accept a request: the person is invited into the region as a participant (the invitation is the answer)."""
    access_request = access.open_request(actor, access_request_id)
    invitation = members.invite(actor, email=access_request.email, name=access_request.name, role=Role.PARTICIPANT)
    services.mark_accepted(access_request, invitation, actor.user)
    return access_request


def decline(actor: Actor, access_request_id: int, *, reason: str = "") -> AccessRequest:
    """Decline a request, with a reason or without; the person is told politely by e-mail."""
    access_request = access.open_request(actor, access_request_id)
    services.decline(access_request.region, access_request, reason, actor.user)
    return access_request
