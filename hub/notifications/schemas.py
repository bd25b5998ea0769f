"""One schema layer for the notification pages and the API."""

from __future__ import annotations

from marshmallow import fields, validate

from hub.core.pages import MAX_PAGE
from hub.core.schemas import BaseSchema
from hub.notifications.models import DIGEST_FREQUENCIES


class NotificationSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    topic = fields.String(dump_only=True)
    subject = fields.String(dump_only=True)
    body = fields.String(dump_only=True)
    link = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    read_at = fields.DateTime(dump_only=True, allow_none=True)


class NotificationPageSchema(BaseSchema):
    items = fields.List(fields.Nested(NotificationSchema), dump_only=True)
    unread = fields.Integer(dump_only=True)
    page = fields.Integer(dump_only=True)
    pages = fields.Integer(dump_only=True)


class NotificationQuerySchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    unread = fields.Boolean(load_default=False)


class MarkReadSchema(BaseSchema):
    ids = fields.List(fields.Integer(), metadata={"description": "Which to mark read; all when missing."})


class SettingsSchema(BaseSchema):
    """Which kinds of e-mail a person wants, and how often the coordinators' digest comes."""

    emailed = fields.List(
        fields.String(),
        metadata={"description": "The topics wanted by e-mail; every topic not listed is switched off."},
    )
    digest = fields.String(validate=validate.OneOf(DIGEST_FREQUENCIES))
    topics = fields.Dict(dump_only=True, metadata={"description": "Every topic with its name."})
