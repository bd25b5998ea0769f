"""Everything that changes a contact request, written once for the pages, the API, the CLI and jobs.

Each action takes plain values and the acting person, loads what it names through
``shared.directory.access`` and ``shared.contacts.access`` (who may), applies the rules of
``shared.contacts.services`` and raises ``ServiceError``. None commits: ``hub.core.glue`` does. How many
requests a person may send is limited per person across pages and API (hub.core.rate_limits), counted
for every attempt before anything else is looked at.
"""

from __future__ import annotations

from hub.core.actions import Actor
from shared.contacts import access, services
from shared.contacts.models import ContactRequest
from shared.directory.access import visible_profile


def request_contact(
    actor: Actor, profile_id: int, *, message: str, sender_profile_id: int | None = None
) -> ContactRequest:
    """Ask the owner of a profile the actor sees for contact, as one of the actor's own profiles; they are told."""
    recipient = visible_profile(actor, profile_id)
    return services.request_contact(actor.user, recipient.id, message, sender_profile_id)


def answer(actor: Actor, contact_request_id: int, accept: bool) -> ContactRequest:
    """The addressee accepts (both then see each other's contact details) or declines."""
    contact = access.own_request(actor, contact_request_id)
    return services.decide(actor.user, contact.id, accept)
