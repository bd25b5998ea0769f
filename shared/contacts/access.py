"""Who may see and answer a contact request: only the two people it joins; anyone else gets NotFound.

Whom one may ask is the directory's rule (shared.directory.access: a profile one sees); that only the
addressee answers, and only once, is the service's (shared.contacts.services.decide). Once a request is
accepted, both see each other's contact details: the feature grants that to the directory (``install``).
"""

from __future__ import annotations

from flask import Flask

from hub.core.actions import Actor, NotFound
from shared.contacts import services
from shared.contacts.models import ContactRequest
from shared.directory.access import grant_contact_details


def own_request(actor: Actor, contact_request_id: int) -> ContactRequest:
    """A contact request the actor sent or received."""
    contact = services.get_request_for(actor.user, contact_request_id) if actor.user is not None else None
    if contact is None:
        raise NotFound()
    return contact


def install(app: Flask) -> None:
    """An accepted contact request shows both people each other's contact details in the directory."""
    grant_contact_details(app, services.has_accepted_contact)
