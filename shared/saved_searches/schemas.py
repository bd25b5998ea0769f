"""Schemas of saved searches: what one saves (a directory search through the directory's own schema, plus a name
and the notice), what one changes, and how the API shows a saved search."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from hub.core.schemas import BaseSchema
from shared.directory.schemas import DirectoryQuerySchema
from shared.directory.search import MAX_PAGE

NAME_LENGTH = 80


class SavedSearchInputSchema(DirectoryQuerySchema):
    """A search to keep: the directory's words and filters (loaded by the directory's schema, without the page),
    a name (made from the search when left empty) and whether new fitting profiles are announced."""

    class Meta:
        unknown = RAISE  # an unknown filter is refused, not dropped: the saved search would not be what was meant
        exclude = ("page", "per_page")

    name = fields.String(load_default=None, validate=validate.Length(max=NAME_LENGTH))
    notify = fields.Boolean(load_default=True)


class SavedSearchUpdateSchema(BaseSchema):
    """A new name, the notice on or off, or both."""

    class Meta:
        unknown = RAISE

    name = fields.String(validate=validate.Length(min=1, max=NAME_LENGTH))
    notify = fields.Boolean()


class RenameSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=NAME_LENGTH))


class NoticeSchema(BaseSchema):
    notify = fields.Boolean(required=True)


class SavedSearchSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    query = fields.Dict(keys=fields.String(), values=fields.String())
    notify = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SavedSearchListSchema(BaseSchema):
    limit = fields.Integer()
    saved_searches = fields.List(fields.Nested(SavedSearchSchema))


class ResultPageSchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
