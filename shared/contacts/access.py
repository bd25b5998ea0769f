"""Who may see and answer a contact request: only the two people it joins; anyone else gets NotFound.

Whom one may ask is the directory's rule (shared.directory.access: a profile one sees); that only the
addressee answers, and only once, is the service's (shared.contacts.services.decide).
"""

from __future__ import annotations

from hub.core.actions import Actor, NotFound
from shared.contacts import services
from shared.contacts.models import ContactRequest


def own_request(actor: Actor, contact_request_id: int) -> ContactRequest:
    """A contact request the actor sent or received."""
    contact = services.get_request_for(actor.user, contact_request_id) if actor.user is not None else None
    if contact is None:
        raise NotFound()
    return contact
