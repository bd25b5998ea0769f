"""Conversations in the JSON API, with exactly the rules of the pages (shared.conversations.actions).

A conversation that is not the caller's answers 404 before the body is read (nothing to learn from it)."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user, login_required
from flask_smorest import Blueprint

from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import api_action, load
from shared.conversations import access, actions, services
from shared.conversations.schemas import (
    ConversationListSchema,
    MessageInputSchema,
    MessageOutSchema,
    ReadStateSchema,
    RegionReportSchema,
    ReportInputSchema,
    ReportOutSchema,
    ThreadOutSchema,
)

blp = Blueprint(
    "api_conversations", __name__, url_prefix="/api/v1", description="Conversations between people in contact"
)
SECURITY = [{"bearerAuth": []}]


def _own_thread_first(view):
    """404 for a conversation that is not the caller's, before the body is even parsed."""

    @wraps(view)
    def wrapped(*args, conversation_id: int, **kwargs):
        load(access.own_thread, Actor.current(), conversation_id)
        return view(*args, conversation_id=conversation_id, **kwargs)

    return wrapped


@blp.get("/conversations")
@login_required
@blp.response(200, ConversationListSchema)
@blp.doc(security=SECURITY)
def conversations():
    """The caller's conversations, the newest message first, and how many messages are unread."""
    return {"conversations": services.conversations_of(current_user), "unread": services.unread_count(current_user.id)}


@blp.get("/conversations/<int:conversation_id>")
@login_required
@blp.response(200, ThreadOutSchema)
@blp.doc(security=SECURITY)
def conversation(conversation_id: int):
    """One conversation with its messages, oldest first (reading does not mark it read: POST …/read does)."""
    found = load(access.own_thread, Actor.current(), conversation_id)
    return {"thread": found, "messages": services.messages_of(found)}


@blp.post("/conversations/<int:conversation_id>/messages")
@login_required
@_own_thread_first
@blp.arguments(MessageInputSchema)
@blp.response(201, MessageOutSchema)
@blp.doc(security=SECURITY)
@api_action
def send(data, conversation_id: int):
    """Write a message to the other person (plain text; they get one e-mail until they have read it)."""
    message = actions.send(Actor.current(), conversation_id, **data)
    return {"id": message.id, "body": message.body, "created_at": message.created_at, "mine": True}


@blp.post("/conversations/<int:conversation_id>/read")
@login_required
@blp.response(200, ReadStateSchema)
@blp.doc(security=SECURITY)
@api_action
def mark_read(conversation_id: int):
    """Mark every message of the conversation read."""
    return actions.mark_read(Actor.current(), conversation_id)


@blp.post("/conversations/<int:conversation_id>/block")
@login_required
@blp.response(200, ReadStateSchema)
@blp.alt_response(409, description="Blocked already")
@blp.doc(security=SECURITY)
@api_action
def block(conversation_id: int):
    """Block the other person: no messages either way, no contact requests from them."""
    return actions.block(Actor.current(), conversation_id)


@blp.post("/conversations/<int:conversation_id>/unblock")
@login_required
@blp.response(200, ReadStateSchema)
@blp.alt_response(409, description="Not blocked")
@blp.doc(security=SECURITY)
@api_action
def unblock(conversation_id: int):
    """Undo a block."""
    return actions.unblock(Actor.current(), conversation_id)


@blp.post("/conversations/<int:conversation_id>/reports")
@login_required
@_own_thread_first
@blp.arguments(ReportInputSchema)
@blp.response(201, ReportOutSchema)
@blp.alt_response(409, description="Reported already, not handled yet")
@blp.doc(security=SECURITY)
@api_action
def report(data, conversation_id: int):
    """Report the other person to the coordination of their region (it never sees the messages)."""
    return actions.report(Actor.current(), conversation_id, **data)


@blp.post("/contact-requests/<int:contact_id>/conversation")
@login_required
@blp.response(200, ThreadOutSchema)
@blp.doc(security=SECURITY)
@api_action
def start(contact_id: int):
    """The conversation of an accepted contact request of the caller's (made if it is missing)."""
    found = actions.open_conversation(Actor.current(), contact_id)
    return {"thread": found, "messages": services.messages_of(found)}


# -- the coordination's reports (the region in the address: the reported person's) ------------------------


@blp.get("/regions/<region>/conversation-reports")
@coordinator_required
@blp.response(200, RegionReportSchema(many=True))
@blp.doc(security=SECURITY)
def region_reports():
    """Reports about people of the region by their conversation partners, open ones first, newest first: who,
    whom, why, when (never the messages). For the coordination, not the umbrella's review."""
    load(access.report_readers, Actor.current())
    return services.reports_of_region()


@blp.post("/regions/<region>/conversation-reports/<int:conversation_report_id>/close")
@coordinator_required
@blp.response(200, RegionReportSchema)
@blp.alt_response(409, description="Closed already")
@blp.doc(security=SECURITY)
@api_action
def close_report(conversation_report_id: int):
    """The report has been handled."""
    return services.with_names([actions.close_report(Actor.current(), conversation_report_id)])[0]
