"""Demo conversation: the Alte Brauerei (Erzgebirge) and a Dresden craft business, in contact and writing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hub.accounts.services import user_by_email
from hub.core.db import db, utcnow
from hub.core.demo import DOMAIN
from hub.core.tenancy import all_regions
from regions.profiles.models import Profile
from shared.contacts.models import ContactRequest, ContactStatus
from shared.conversations import services
from shared.conversations.models import Message

ASKER, ADDRESSEE = "alte-brauerei", "handwerksbetrieb"
REQUEST = "Guten Tag, wir suchen Unterstützung beim Ausbau unseres Veranstaltungsraums – hätten Sie Interesse?"
# (who writes, hours ago, text)
MESSAGES = [
    (ASKER, 50, "Danke für die schnelle Zusage! Wir planen einen neuen Tresen und Regale für den Saal."),
    (ADDRESSEE, 48, "Gern. Können Sie mir Maße und ein paar Fotos schicken?\nDann mache ich einen ersten Entwurf."),
    (ASKER, 26, "Mache ich bis Freitag. Passt Ihnen ein Termin beim Netzwerktreffen in Dresden?"),
    (ADDRESSEE, 3, "Ja, das passt. Ich bringe Holzmuster mit."),
]


def load_demo() -> int:
    """Add the demo's accepted contact and its conversation if they are missing; return how many things changed."""
    with all_regions():
        people = {local: user_by_email(f"{local}@{DOMAIN}") for local in (ASKER, ADDRESSEE)}
        if None in people.values():
            return 0
        profiles = {
            local: db.session.scalar(select(Profile).where(Profile.user_id == user.id).order_by(Profile.id))
            for local, user in people.items()
        }
        if None in profiles.values():
            return 0
        sender, recipient = profiles[ASKER], profiles[ADDRESSEE]
        contact = db.session.scalar(
            select(ContactRequest).where(
                ContactRequest.sender_profile_id == sender.id, ContactRequest.recipient_profile_id == recipient.id
            )
        )
        changes = 0
        if contact is None:
            contact = ContactRequest(
                sender=sender,
                recipient=recipient,
                sender_region_id=sender.region_id,
                recipient_region_id=recipient.region_id,
                message=REQUEST,
                status=ContactStatus.ACCEPTED,
                created_at=utcnow() - timedelta(days=3),
                decided_at=utcnow() - timedelta(days=2, hours=3),
            )
            db.session.add(contact)
            changes += 1
        if contact.status != ContactStatus.ACCEPTED:
            return changes
        conversation = services.start(sender, people[ASKER], recipient, people[ADDRESSEE])
        if db.session.scalar(select(Message.id).where(Message.conversation_id == conversation.id).limit(1)):
            return changes
        now = utcnow()
        for local, hours, text in MESSAGES:
            other = ADDRESSEE if local == ASKER else ASKER
            message = Message(
                conversation_id=conversation.id,
                sender_user_id=people[local].id,
                recipient_user_id=people[other].id,
                body=text,
                created_at=now - timedelta(hours=hours),
            )
            db.session.add(message)
            db.session.flush()
            conversation.last_message_at = message.created_at
            changes += 1
        # Each has read up to their own last message: the Alte Brauerei has one unread answer waiting.
        for member in conversation.members:
            member.read_upto = max(
                (
                    m.id
                    for m in db.session.scalars(select(Message).where(Message.conversation_id == conversation.id))
                    if m.sender_user_id == member.user_id
                ),
                default=0,
            )
        return changes
