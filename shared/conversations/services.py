"""Conversations: start one on an accepted contact request, list them, write, read, block and report.

A conversation joins two regions, so this module opts out of the wall (``all_regions()``) where it reads the
people's profiles; who may touch a conversation is checked in shared.conversations.access (only its two
people). An e-mail tells the recipient that someone wrote, with a link back, never the text and never the
writer's address, and only once per conversation until the recipient has read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from hub.accounts.models import Membership, User
from hub.accounts.services import external_url
from hub.core.actions import Conflict, Forbidden
from hub.core.db import db, utcnow
from hub.core.mail.services import enqueue, render_mail
from hub.core.roles import Role
from hub.core.schemas import ServiceError, _m
from hub.core.tenancy import all_regions
from hub.notifications.services import notify, withdraw
from regions.profiles.models import Profile
from shared.conversations.models import (
    MESSAGE_MAX_LENGTH,
    MESSAGES,
    REPORTS,
    Conversation,
    ConversationMember,
    ConversationReport,
    Message,
    pair_key,
)


class ConversationError(ServiceError):
    """A message or report that cannot be taken."""


@dataclass
class Thread:
    """A conversation as one of its two people sees it: their side, the other's (None once erased)."""

    conversation: Conversation
    me: ConversationMember
    other: ConversationMember | None

    @property
    def blocked_by_me(self) -> bool:
        return self.me.blocked_at is not None

    @property
    def blocked_by_other(self) -> bool:
        return self.other is not None and self.other.blocked_at is not None

    @property
    def open(self) -> bool:
        """Whether messages can be written here."""
        return self.other is not None and not self.blocked_by_me and not self.blocked_by_other


@dataclass
class Overview:
    """One line of the conversations list."""

    thread: Thread
    last: Message | None
    unread: int


# -- starting --------------------------------------------------------------------------------------------


def start(sender_profile: Profile, sender: User, recipient_profile: Profile, recipient: User) -> Conversation:
    """The conversation of two accounts, made if it does not exist yet (one per pair, whichever asked)."""
    key = pair_key(sender.id, recipient.id)
    with all_regions():
        found = db.session.scalar(select(Conversation).where(Conversation.pair_key == key))
        if found is not None:
            return found
        conversation = Conversation(pair_key=key)
        conversation.members = [
            ConversationMember(user_id=sender.id, profile_id=sender_profile.id),
            ConversationMember(user_id=recipient.id, profile_id=recipient_profile.id),
        ]
        db.session.add(conversation)
        db.session.flush()
    return conversation


def start_for_contact(contact, sender: User, addressee: User) -> None:
    """An accepted contact request opens the two people's conversation (installed into shared.contacts)."""
    start(contact.sender, sender, contact.recipient, addressee)


def blocked_refusal(asker: User, addressee: User) -> str | None:
    """Whoever blocked someone gets no contact requests from them (installed into shared.contacts)."""
    blocked = db.session.scalar(
        select(func.count())
        .select_from(ConversationMember)
        .join(Conversation, Conversation.id == ConversationMember.conversation_id)
        .where(
            Conversation.pair_key == pair_key(asker.id, addressee.id),
            ConversationMember.user_id == addressee.id,
            ConversationMember.blocked_at.is_not(None),
        )
    )
    return _m("This person does not accept contact requests from you.") if blocked else None


# -- reading ---------------------------------------------------------------------------------------------


def thread_of(user: User, conversation_id: int) -> Thread | None:
    """The conversation as the user sees it; None for one they are not part of (one statement)."""
    with all_regions(read_only=True):
        members = db.session.scalars(
            select(ConversationMember)
            .where(ConversationMember.conversation_id == conversation_id)
            .options(
                joinedload(ConversationMember.conversation),
                joinedload(ConversationMember.profile).joinedload(Profile.region),
            )
        ).all()
    me = next((m for m in members if m.user_id == user.id), None)
    if me is None:
        return None
    other = next((m for m in members if m.user_id != user.id), None)
    return Thread(me.conversation, me, other)


def messages_of(thread: Thread) -> list[Message]:
    """The conversation's messages, oldest first."""
    return list(
        db.session.scalars(
            select(Message).where(Message.conversation_id == thread.conversation.id).order_by(Message.id)
        )
    )


def conversations_of(user: User) -> list[Overview]:
    """The user's conversations, the newest message first, each with the other person, the last message and
    how many messages are unread (four statements, however many conversations)."""
    with all_regions(read_only=True):
        mine = db.session.scalars(
            select(ConversationMember)
            .where(ConversationMember.user_id == user.id)
            .options(joinedload(ConversationMember.conversation))
        ).all()
        if not mine:
            return []
        ids = [m.conversation_id for m in mine]
        others = {
            m.conversation_id: m
            for m in db.session.scalars(
                select(ConversationMember)
                .where(ConversationMember.conversation_id.in_(ids), ConversationMember.user_id != user.id)
                .options(joinedload(ConversationMember.profile).joinedload(Profile.region))
            )
        }
    newest = select(func.max(Message.id)).where(Message.conversation_id.in_(ids)).group_by(Message.conversation_id)
    last = {m.conversation_id: m for m in db.session.scalars(select(Message).where(Message.id.in_(newest)))}
    unread = dict(
        db.session.execute(
            _unread(user.id, select(Message.conversation_id, func.count())).group_by(Message.conversation_id)
        ).all()
    )
    found = []
    for m in mine:
        thread = Thread(m.conversation, m, others.get(m.conversation_id))
        found.append(Overview(thread, last.get(m.conversation_id), unread.get(m.conversation_id, 0)))
    found.sort(key=lambda o: o.thread.conversation.last_message_at or o.thread.conversation.created_at, reverse=True)
    return found


def _unread(user_id: int, query=None):
    """Messages to the user that are newer than what they read, in conversations they are part of."""
    return (
        (query if query is not None else select(func.count()))
        .select_from(Message)
        .join(
            ConversationMember,
            and_(ConversationMember.conversation_id == Message.conversation_id, ConversationMember.user_id == user_id),
        )
        .where(Message.sender_user_id != user_id, Message.id > ConversationMember.read_upto)
    )


def unread_query(user_id: int):
    """How many messages wait for the person, in all their conversations (the header's badge: one scalar
    subquery of the header's one statement)."""
    return _unread(user_id)


def unread_count(user_id: int) -> int:
    return db.session.scalar(_unread(user_id)) or 0


# -- writing ---------------------------------------------------------------------------------------------


def send(thread: Thread, body: str) -> Message:
    """Write to the other person; they get one e-mail until they have read the conversation."""
    text = (body or "").strip()
    if not text:
        raise ConversationError(_m("Please write a message."), "body")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ConversationError(_m("At most {max} characters, please.").format(max=MESSAGE_MAX_LENGTH), "body")
    if thread.other is None:
        raise ConversationError(_m("This person's account no longer exists."))
    if thread.blocked_by_me:
        raise Forbidden(_m("You have blocked this person. Unblock them to write again."))
    if thread.blocked_by_other:
        raise Forbidden(_m("You cannot write in this conversation any more."))
    conversation, me, other = thread.conversation, thread.me, thread.other
    message = Message(
        conversation_id=conversation.id, sender_user_id=me.user_id, recipient_user_id=other.user_id, body=text
    )
    db.session.add(message)
    db.session.flush()
    conversation.last_message_at = message.created_at
    me.read_upto = message.id
    if not other.mail_waiting:
        other.mail_waiting = _tell(thread, message)
    return message


def _tell(thread: Thread, message: Message) -> bool:
    """Queue the e-mail that someone wrote (who and a link; not the text, not their address)."""
    with all_regions(read_only=True):
        recipient = db.session.get(User, thread.other.user_id)
    if recipient is None or not recipient.active:
        return False
    writer = thread.me.profile.display_name if thread.me.profile is not None else thread.me.user_id
    subject, body = render_mail(
        "conversation_message",
        locale=recipient.locale,
        writer=writer,
        link=external_url("conversations.thread", conversation_id=thread.conversation.id),
    )
    queued = enqueue(
        recipient.email,
        subject,
        body,
        locale=recipient.locale,
        topic=MESSAGES.key,
        dedupe_key=f"{_mail_key(thread.conversation.id)}{message.id}",
        user=recipient,
    )
    return queued is not None


def _mail_key(conversation_id: int) -> str:
    return f"conversation:{conversation_id}:"


def mark_read(thread: Thread) -> ConversationMember:
    """The person has seen every message of the conversation; an e-mail about them not sent yet is withdrawn."""
    me = thread.me
    newest = db.session.scalar(select(func.max(Message.id)).where(Message.conversation_id == thread.conversation.id))
    if newest is not None and newest > me.read_upto:
        me.read_upto = newest
    if me.mail_waiting:
        me.mail_waiting = False
        withdraw(db.session.get(User, me.user_id), _mail_key(thread.conversation.id))
    return me


def has_unread(thread: Thread) -> bool:
    """Whether reading the thread changes anything (a page view writes only then)."""
    newest = db.session.scalar(
        select(func.max(Message.id)).where(
            Message.conversation_id == thread.conversation.id, Message.sender_user_id != thread.me.user_id
        )
    )
    return thread.me.mail_waiting or (newest or 0) > thread.me.read_upto


def block(thread: Thread) -> ConversationMember:
    if thread.blocked_by_me:
        raise Conflict(_m("You have blocked this person already."))
    thread.me.blocked_at = utcnow()
    return thread.me


def unblock(thread: Thread) -> ConversationMember:
    if not thread.blocked_by_me:
        raise Conflict(_m("You have not blocked this person."))
    thread.me.blocked_at = None
    return thread.me


# -- reports ---------------------------------------------------------------------------------------------


def report(thread: Thread, reason: str) -> ConversationReport:
    """Report the other person to the coordination of their region (who, why, when; never the messages)."""
    text = (reason or "").strip()
    if len(text) < 10:
        raise ConversationError(_m("Please say in a few words what happened (10 to 2000 characters)."), "reason")
    other = thread.other
    if other is None or other.profile is None:
        raise ConversationError(_m("This person's account no longer exists."))
    with all_regions():
        open_already = db.session.scalar(
            select(func.count())
            .select_from(ConversationReport)
            .where(
                ConversationReport.conversation_id == thread.conversation.id,
                ConversationReport.reporter_user_id == thread.me.user_id,
                ConversationReport.handled_at.is_(None),
            )
        )
        if open_already:
            raise Conflict(_m("You have reported this person already; the coordination is looking into it."))
        found = ConversationReport(
            region_id=other.profile.region_id,
            conversation_id=thread.conversation.id,
            reporter_user_id=thread.me.user_id,
            reporter_profile_id=thread.me.profile_id,
            reported_user_id=other.user_id,
            reported_profile_id=other.profile_id,
            reason=text[:2000],
        )
        db.session.add(found)
        db.session.flush()
        for coordinator in coordinators_of(other.profile.region_id):
            notify(
                coordinator,
                REPORTS.key,
                "conversation_report",
                link=external_url("region.conversation_reports.index_reports", region=other.profile.region.slug),
                region=other.profile.region_id,
                reported=other.profile.display_name,
            )
    return found


def coordinators_of(region_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.region_id == region_id, Membership.role == Role.COORDINATOR)
        )
    )


def reports_of_region() -> list[ConversationReport]:
    """The reports about people of the region in scope, open ones first, newest first (with both names)."""
    rows = list(
        db.session.scalars(
            select(ConversationReport).order_by(
                ConversationReport.handled_at.is_not(None), ConversationReport.created_at.desc()
            )
        )
    )
    return with_names(rows)


def with_names(rows: list[ConversationReport]) -> list[ConversationReport]:
    """The reports with both people's profiles (``reporter_shown``, ``reported_shown``; the reporter's may be of
    another region, read past the wall for its name and region only), in one statement."""
    ids = {r.reporter_profile_id for r in rows} | {r.reported_profile_id for r in rows}
    with all_regions(read_only=True):
        profiles = {
            p.id: p
            for p in db.session.scalars(
                select(Profile).where(Profile.id.in_(ids - {None})).options(joinedload(Profile.region))
            )
        }
    for row in rows:
        row.reporter_shown = profiles.get(row.reporter_profile_id)
        row.reported_shown = profiles.get(row.reported_profile_id)
    return rows


def close_report(found: ConversationReport, user: User) -> ConversationReport:
    if found.handled_at is not None:
        raise Conflict(_m("This report has been closed already."))
    found.handled_at = utcnow()
    found.handled_by_user_id = user.id
    db.session.flush()  # inside the region's scope: what reads on (the names, past the wall) only reads
    return found
