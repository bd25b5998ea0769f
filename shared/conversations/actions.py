"""Everything that changes a conversation, written once for the pages and the API.

Each action takes plain values and the acting person, loads the conversation through
``shared.conversations.access`` (only its two people; anyone else gets 404), applies the rules of
``shared.conversations.services`` and raises ``ServiceError``. None commits: ``hub.core.glue`` does.
"""

from __future__ import annotations

from hub.accounts.models import User
from hub.core.actions import Actor
from hub.core.db import db
from hub.core.schemas import _m
from hub.core.tenancy import all_regions
from shared.conversations import access, services
from shared.conversations.models import ConversationMember, ConversationReport, Message
from shared.conversations.services import ConversationError, Thread


def open_conversation(actor: Actor, contact_request_id: int) -> Thread:
    """The conversation of an accepted contact request of the actor's (made if it is missing: requests
    accepted before conversations existed)."""
    contact = access.accepted_contact(actor, contact_request_id)
    with all_regions():
        sender = db.session.get(User, contact.sender.user_id) if contact.sender.user_id else None
        addressee = db.session.get(User, contact.recipient.user_id) if contact.recipient.user_id else None
        if sender is None or addressee is None or not (sender.active and addressee.active):
            raise ConversationError(_m("This person's account no longer exists."))
        conversation = services.start(contact.sender, sender, contact.recipient, addressee)
    return access.own_thread(actor, conversation.id)


def send(actor: Actor, conversation_id: int, *, body: str) -> Message:
    """Write a message to the other person of the conversation."""
    return services.send(access.own_thread(actor, conversation_id), body)


def mark_read(actor: Actor, conversation_id: int) -> ConversationMember:
    """The actor has read the conversation."""
    return services.mark_read(access.own_thread(actor, conversation_id))


def block(actor: Actor, conversation_id: int) -> ConversationMember:
    """No more messages either way, and no contact requests from the other person, until the actor unblocks."""
    return services.block(access.own_thread(actor, conversation_id))


def unblock(actor: Actor, conversation_id: int) -> ConversationMember:
    return services.unblock(access.own_thread(actor, conversation_id))


def report(actor: Actor, conversation_id: int, *, reason: str) -> ConversationReport:
    """Report the other person to their region's coordination, with a reason (never the messages)."""
    return services.report(access.own_thread(actor, conversation_id), reason)


def close_report(actor: Actor, report_id: int) -> ConversationReport:
    """The region's coordination has handled a report."""
    return services.close_report(access.region_report(actor, report_id), actor.user)
