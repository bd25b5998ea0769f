"""Schemas of people to meet and favourites: the API's lists (with each reason as data and as a sentence)."""

from __future__ import annotations

from marshmallow import fields, validate

from hub.core.schemas import BaseSchema
from regions.profiles.schemas import ProfileSchema
from shared.meet.services import LIST_SIZE, PER_PAGE


class PageQuerySchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500))


class ReasonSchema(BaseSchema):
    side = fields.String(
        dump_only=True,
        metadata={"description": "offer: they offer the tag you look for; need: they look for the tag you offer"},
    )
    theirs = fields.String(dump_only=True, metadata={"description": "The tag as they wrote it."})
    yours = fields.String(dump_only=True, metadata={"description": "The same tag as you wrote it."})
    sentence = fields.String(dump_only=True, metadata={"description": "The reason in words, in your language."})
    sentence_de = fields.String(dump_only=True, metadata={"description": "The reason in German."})


class PersonToMeetSchema(BaseSchema):
    profile = fields.Nested(ProfileSchema.for_audience(), dump_only=True)
    score = fields.Integer(dump_only=True, metadata={"description": "How many tags match, both directions."})
    mutual = fields.Boolean(dump_only=True, metadata={"description": "The fit goes both ways."})
    saved = fields.Boolean(dump_only=True, metadata={"description": "You saved this person."})
    reasons = fields.List(fields.Nested(ReasonSchema), dump_only=True)
    sentence = fields.String(dump_only=True, metadata={"description": "All reasons in words, in your language."})
    sentence_de = fields.String(dump_only=True, metadata={"description": "All reasons in German."})


class PeoplePageSchema(BaseSchema):
    items = fields.List(fields.Nested(PersonToMeetSchema), dump_only=True)
    page = fields.Integer(dump_only=True)
    pages = fields.Integer(dump_only=True)
    total = fields.Integer(dump_only=True, metadata={"description": f"At most the {LIST_SIZE} best."})
    per_page = fields.Integer(dump_only=True, dump_default=PER_PAGE)


class MarkedPersonSchema(BaseSchema):
    """A person one saved or hid, and when."""

    profile = fields.Nested(ProfileSchema.for_audience(), dump_only=True)
    at = fields.DateTime(dump_only=True)


class MarkedPageSchema(BaseSchema):
    items = fields.List(fields.Nested(MarkedPersonSchema), dump_only=True)
    page = fields.Integer(dump_only=True)
    pages = fields.Integer(dump_only=True)
    total = fields.Integer(dump_only=True)


class MarkSchema(BaseSchema):
    """What a hide or save (or their undoing) leaves: the person and whether the mark is set."""

    profile_id = fields.Integer(dump_only=True)
    marked = fields.Boolean(dump_only=True)


BACK_PLACES = ("home", "list", "hidden", "favourites", "profile")


class BackSchema(BaseSchema):
    """The hidden value of a star or hide button: which of the known places the person returns to."""

    back = fields.String(load_default="list", validate=validate.OneOf(BACK_PLACES))
