"""Schemas of access requests: what a visitor sends, how the coordination declines, how the API shows a request."""

from __future__ import annotations

from marshmallow import fields, validate

from hub.core.schemas import BaseSchema, _m
from regions.access_requests.vocab import AccessStatus

CONSENT_NEEDED = _m("Please agree to the privacy notice, so that the coordination may read your request.")


class AccessRequestInputSchema(BaseSchema):
    """The visitor's form (and the API's body): who they are and what they offer or seek."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=120))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    organisation = fields.String(load_default="", validate=validate.Length(max=200))
    message = fields.String(required=True, validate=validate.Length(min=10, max=1000))
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=CONSENT_NEEDED),
        error_messages={"required": CONSENT_NEEDED},
    )


class DeclineSchema(BaseSchema):
    """Declining, with a reason the person is told (optional)."""

    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class AccessListQuerySchema(BaseSchema):
    status = fields.Enum(AccessStatus, by_value=True, load_default=AccessStatus.OPEN)


class AccessRequestSchema(BaseSchema):
    """A request as the coordination sees it in the API."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    email = fields.String(dump_only=True)
    organisation = fields.String(dump_only=True)
    message = fields.String(dump_only=True)
    status = fields.Function(lambda r: r.status.value, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)
    decline_reason = fields.String(dump_only=True)
    invitation_id = fields.Integer(dump_only=True, allow_none=True)
