"""Schemas of the directory: the search query, and a search's answer in the API."""

from __future__ import annotations

from marshmallow import fields, validate

from hub.core.schemas import BaseSchema
from regions.profiles.schemas import ProfileSchema
from regions.profiles.vocab import SUBMARKETS, ProfileKind
from shared.directory.search import MAX_PAGE


class DirectoryQuerySchema(BaseSchema):
    """Search parameters; any text is accepted and never reaches the engine as syntax."""

    q = fields.String(load_default="", validate=validate.Length(max=200))
    region = fields.String(load_default=None, validate=validate.Length(max=40))
    kind = fields.String(load_default=None, validate=validate.OneOf([k.value for k in ProfileKind]))
    submarket = fields.String(load_default=None, validate=validate.OneOf(list(SUBMARKETS)))
    sector = fields.String(load_default=None, validate=validate.Length(max=120))
    tag = fields.String(load_default=None, validate=validate.Length(max=120))
    town = fields.String(load_default=None, validate=validate.Length(max=120))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class FacetValueSchema(BaseSchema):
    value = fields.String()
    label = fields.String()
    count = fields.Integer()
    selected = fields.Boolean()


class DirectoryResultSchema(BaseSchema):
    total = fields.Integer(metadata={"description": "the number of hits; at least this many when total_exact is false"})
    total_exact = fields.Boolean(
        metadata={"description": "false when the search stopped after the first hits: total is a lower bound"}
    )
    counts_exact = fields.Boolean(
        metadata={"description": "false when the facet counts are those of the first `total` hits, not of every hit"}
    )
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()
    results = fields.List(fields.Nested(ProfileSchema.for_audience()), attribute="profiles")
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))
