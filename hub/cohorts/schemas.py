"""Cohort schemas for the admin form and the API."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from hub.core.schemas import Amount, BaseSchema, _m


class CohortInputSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=3, max=120))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    funding_per_match = Amount(required=True)
    planned_expert_events = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100))
    description = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError(_m("The end must not be before the start."), "ends_on")


class CohortSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    funding_per_match = Amount()
    planned_expert_events = fields.Integer()
    description = fields.String()
