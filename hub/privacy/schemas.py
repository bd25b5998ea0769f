"""Validation of the erasure forms and the export's API description."""

from __future__ import annotations

from marshmallow import fields, validate

from hub.core.schemas import BaseSchema


class OwnErasureSchema(BaseSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))
    confirmation = fields.String(required=True, load_only=True, validate=validate.Length(max=254))


class CoordinatorErasureSchema(BaseSchema):
    confirmation = fields.String(required=True, load_only=True, validate=validate.Length(max=254))


class ExportSectionSchema(BaseSchema):
    table = fields.String(dump_only=True, metadata={"example": "profile"})
    title = fields.String(dump_only=True, metadata={"example": "Profile"})
    rows = fields.List(fields.Dict(), dump_only=True, metadata={"description": "the person's own rows"})
    about_you = fields.List(
        fields.Dict(), dump_only=True, metadata={"description": "rows about the person, without who wrote them"}
    )


class ExportSchema(BaseSchema):
    format = fields.String(dump_only=True, metadata={"example": "cimis-hub-export/1"})
    created_at = fields.String(dump_only=True)
    person = fields.Dict(dump_only=True)
    region_id = fields.Integer(dump_only=True, allow_none=True)
    sections = fields.List(fields.Nested(ExportSectionSchema), dump_only=True)
