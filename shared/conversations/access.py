"""Who may read and write a conversation: only its two people; anyone else gets NotFound (404).

Conversations join people of different regions, so they are not region-scoped: the loaders here opt out of
the wall with ``all_regions()`` (inside shared.conversations.services) and check the caller themselves. A
conversation starts from an accepted contact request of the caller's (shared.contacts.access); before the
acceptance there is none to write in (403). A report belongs to the region of the person reported: its
coordination loads it inside that region's scope, so another region's report does not exist for them.
"""

from __future__ import annotations

from flask import Flask

from hub.core.actions import Actor, Forbidden, NotFound, get_or_404
from hub.core.schemas import _m
from shared.contacts.access import own_request
from shared.contacts.models import ContactRequest, ContactStatus
from shared.contacts.services import on_accepted, refuse_requests
from shared.conversations import services
from shared.conversations.models import ConversationReport
from shared.conversations.services import Thread


def own_thread(actor: Actor, conversation_id: int) -> Thread:
    """A conversation the actor is one of the two people of."""
    found = services.thread_of(actor.user, conversation_id) if actor.user is not None else None
    if found is None:
        raise NotFound()
    return found


def accepted_contact(actor: Actor, contact_request_id: int) -> ContactRequest:
    """An accepted contact request of the actor's: the two may write to each other."""
    contact = own_request(actor, contact_request_id)
    if contact.status != ContactStatus.ACCEPTED:
        raise Forbidden(_m("You can write to each other once the contact request is accepted."))
    return contact


def report_readers(actor: Actor) -> None:
    """Reports about people of the region are for its coordination (and administrators), not the umbrella's
    review: a report is personal data of two people, shown to as few as needed."""
    actor.require_coordination()


def region_report(actor: Actor, report_id: int) -> ConversationReport:
    """A report about a person of the region in scope, for its coordination."""
    report_readers(actor)
    return get_or_404(ConversationReport, report_id)


def install(app: Flask) -> None:
    """An accepted contact request opens a conversation; a block refuses the blocked person's requests."""
    on_accepted(app, services.start_for_contact)
    refuse_requests(app, services.blocked_refusal)
