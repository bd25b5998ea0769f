"""The audit log's filters (pages and API alike) and its entries in the API."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from hub.audit.services import DEFAULT_PER_PAGE
from hub.audit.vocab import LOGGED_TYPES
from hub.core.audit_log.models import ACTIONS, CHANNELS
from hub.core.schemas import BaseSchema, Id, _m

MAX_PER_PAGE = 200


class AuditQuerySchema(BaseSchema):
    """Filters of one region's log; ``before`` is the id of the last entry seen (the next page is older)."""

    subject_type = fields.String(load_default=None, validate=validate.OneOf(list(LOGGED_TYPES)))
    subject_id = Id(load_default=None)
    action = fields.String(load_default=None, validate=validate.OneOf(ACTIONS))
    actor = fields.String(
        load_default=None,
        validate=validate.Length(max=120),
        metadata={"description": "Account number (12 or #12), or part of a name or e-mail address"},
    )
    date_from = fields.Date(data_key="from", load_default=None, metadata={"description": "First day (Berlin time)"})
    date_to = fields.Date(data_key="to", load_default=None, metadata={"description": "Last day (Berlin time)"})
    before = Id(
        load_default=None,
        metadata={"description": "Only entries older than the entry with this id (the next page)"},
    )
    per_page = fields.Integer(load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE))

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError(_m("The end must not be before the start."), "to")


class NetworkAuditQuerySchema(AuditQuerySchema):
    """Filters of the log across regions: also by region."""

    region = fields.String(load_default=None, validate=validate.Length(max=40), metadata={"example": "erzgebirge"})


class AuditEntrySchema(BaseSchema):
    id = fields.Integer()
    at = fields.DateTime()
    region = fields.String(attribute="region_slug")
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True, metadata={"description": "Empty when no one or a deleted account"})
    via = fields.String(metadata={"enum": list(CHANNELS)})
    subject_type = fields.String(metadata={"enum": list(LOGGED_TYPES)})
    subject_id = fields.Integer()
    subject_label = fields.String()
    action = fields.String(metadata={"enum": list(ACTIONS)})
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw(allow_none=True)),
        metadata={"description": "{field: [old, new]}; old is null for a create, new is null for a delete"},
    )


class AuditPageSchema(BaseSchema):
    entries = fields.List(fields.Nested(AuditEntrySchema), attribute="rows")
    next_before = fields.Integer(
        allow_none=True, metadata={"description": "Pass as `before` for the next (older) page; null at the end"}
    )
