"""Schemas of contact requests: what one sends, and how the API shows a request and one's lists."""

from __future__ import annotations

from marshmallow import fields, validate

from hub.core.schemas import BaseSchema
from regions.profiles.schemas import ProfileSchema


class ContactRequestSchema(BaseSchema):
    """A contact request as the profile page's form and the API take it."""

    message = fields.String(required=True, validate=validate.Length(min=10, max=1000))
    sender_profile_id = fields.Integer(load_default=None)


class ContactRequestOutSchema(BaseSchema):
    id = fields.Integer()
    status = fields.Function(lambda c: c.status.value)
    message = fields.String()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    sender = fields.Nested(ProfileSchema.for_audience())
    recipient = fields.Nested(ProfileSchema.for_audience())


class ContactListSchema(BaseSchema):
    received = fields.List(fields.Nested(ContactRequestOutSchema))
    sent = fields.List(fields.Nested(ContactRequestOutSchema))
