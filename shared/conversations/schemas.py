"""Schemas of conversations: a message and a report as the pages' forms and the API take them, and how the
API shows a conversation (the other person by the name and region of their profile, never their address)."""

from __future__ import annotations

from marshmallow import fields, validate

from hub.core.schemas import BaseSchema, _m
from shared.conversations.models import MESSAGE_MAX_LENGTH


class MessageInputSchema(BaseSchema):
    """A message: plain text, stripped, not empty, at most MESSAGE_MAX_LENGTH characters."""

    body = fields.String(
        required=True,
        validate=validate.Length(max=MESSAGE_MAX_LENGTH, error=_m("At most {max} characters, please.")),
        error_messages={"required": _m("Please write a message.")},
        metadata={"description": "Plain text, stripped, 1 to 2000 characters; line breaks are kept."},
    )


REASON_ERROR = _m("Please say in a few words what happened (10 to 2000 characters).")


class ReportInputSchema(BaseSchema):
    """Why one reports the conversation partner."""

    reason = fields.String(
        required=True,
        validate=validate.Length(min=10, max=2000, error=REASON_ERROR),
        error_messages={"required": REASON_ERROR},
    )


class PersonSchema(BaseSchema):
    """The other person as a conversation shows them: their profile's name and region."""

    profile_id = fields.Integer(allow_none=True)
    name = fields.String()
    region = fields.String(allow_none=True)


def _person(member) -> dict:
    profile = member.profile if member is not None else None
    if profile is None:
        return {"profile_id": None, "name": "", "region": None}
    return {"profile_id": profile.id, "name": profile.display_name, "region": profile.region.slug}


class MessageOutSchema(BaseSchema):
    id = fields.Integer()
    body = fields.String()
    created_at = fields.DateTime()
    mine = fields.Boolean()


class ConversationOutSchema(BaseSchema):
    """A conversation in the list: the other person, the last message, how many are unread, who blocked."""

    id = fields.Function(lambda o: o.thread.conversation.id)
    other = fields.Function(lambda o: PersonSchema().dump(_person(o.thread.other)))
    last_message = fields.Function(
        lambda o: None if o.last is None else {"body": o.last.body, "created_at": o.last.created_at.isoformat()},
        allow_none=True,
    )
    last_message_at = fields.Function(
        lambda o: o.thread.conversation.last_message_at.isoformat() if o.thread.conversation.last_message_at else None,
        allow_none=True,
    )
    unread = fields.Integer()
    blocked_by_me = fields.Function(lambda o: o.thread.blocked_by_me)
    can_write = fields.Function(lambda o: o.thread.open)


class ThreadOutSchema(BaseSchema):
    """One conversation with its messages (oldest first)."""

    id = fields.Function(lambda t: t["thread"].conversation.id)
    other = fields.Function(lambda t: PersonSchema().dump(_person(t["thread"].other)))
    blocked_by_me = fields.Function(lambda t: t["thread"].blocked_by_me)
    can_write = fields.Function(lambda t: t["thread"].open)
    messages = fields.Function(
        lambda t: MessageOutSchema(many=True).dump(
            [
                {
                    "id": m.id,
                    "body": m.body,
                    "created_at": m.created_at,
                    "mine": m.sender_user_id == t["thread"].me.user_id,
                }
                for m in t["messages"]
            ]
        )
    )


class ConversationListSchema(BaseSchema):
    conversations = fields.List(fields.Nested(ConversationOutSchema))
    unread = fields.Integer()


class ReadStateSchema(BaseSchema):
    """The caller's side of a conversation after marking it read, blocking or unblocking."""

    conversation_id = fields.Integer()
    read_upto = fields.Integer()
    blocked = fields.Function(lambda m: m.blocked_at is not None)


class ReportOutSchema(BaseSchema):
    id = fields.Integer()
    conversation_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    handled = fields.Function(lambda r: r.handled_at is not None)


class RegionReportSchema(BaseSchema):
    """A report as the reported person's coordination sees it: who reported whom, why, when, whether it is
    handled; never the conversation's messages. A person whose account is gone shows as null."""

    id = fields.Integer()
    reported = fields.Function(lambda r: _shown(r.reported_shown), allow_none=True)
    reporter = fields.Function(lambda r: _shown(r.reporter_shown), allow_none=True)
    reason = fields.String()
    created_at = fields.DateTime()
    handled = fields.Function(lambda r: r.handled_at is not None)
    handled_at = fields.DateTime(allow_none=True)


def _shown(profile) -> dict | None:
    if profile is None:
        return None
    return PersonSchema().dump({"profile_id": profile.id, "name": profile.display_name, "region": profile.region.slug})
