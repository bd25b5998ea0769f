"""Profile schemas: one input schema for forms and API, one output schema with views per audience."""

from __future__ import annotations

from marshmallow import fields, pre_load, validate

from hub.core.schemas import BaseSchema, _m
from regions.profiles.vocab import LANGUAGES, SUBMARKETS, ContactVisibility, ProfileKind, Visibility

MAX_TAGS = 15


def _split_tags(value):
    """Tags come as a list or as one comma-separated text (forms, CSV)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, str):
            return value  # let the field report the wrong type
        out += [part.strip() for part in item.replace(";", ",").split(",") if part.strip()]
    return list(dict.fromkeys(out))


class Tags(fields.List):
    """Up to 15 short tags, each 2–60 characters."""

    def __init__(self, **kwargs):
        super().__init__(
            fields.String(validate=validate.Length(min=2, max=60)),
            validate=validate.Length(max=MAX_TAGS, error=_m("At most {max} tags.")),
            load_default=list,
            **kwargs,
        )


class ProfileInputSchema(BaseSchema):
    """What a participant or coordinator may write into a profile."""

    kind = fields.Enum(ProfileKind, by_value=True, required=True)
    display_name = fields.String(required=True, validate=validate.Length(min=2, max=120))
    organisation_name = fields.String(load_default="", validate=validate.Length(max=200))
    pitch = fields.String(load_default="", validate=validate.Length(max=280))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    submarkets = fields.List(fields.String(validate=validate.OneOf(list(SUBMARKETS))), load_default=list)
    sector = fields.String(load_default="", validate=validate.Length(max=120))
    offer_tags = Tags()
    offers_text = fields.String(load_default="", validate=validate.Length(max=2000))
    need_tags = Tags()
    needs_text = fields.String(load_default="", validate=validate.Length(max=2000))
    town = fields.String(load_default="", validate=validate.Length(max=120))
    website = fields.Url(load_default="", schemes={"http", "https"}, validate=validate.Length(max=300))
    contact_email = fields.Email(load_default="", validate=validate.Length(max=254))
    contact_phone = fields.String(
        load_default="",
        validate=[
            validate.Length(max=40),
            validate.Regexp(r"^[0-9+()/ .-]*$", error=_m("Only digits, spaces and + ( ) / - . are allowed.")),
        ],
    )
    languages = fields.List(fields.String(validate=validate.OneOf(list(LANGUAGES))), load_default=list)
    visibility = fields.Enum(Visibility, by_value=True, load_default=Visibility.PRIVATE)
    contact_visibility = fields.Enum(ContactVisibility, by_value=True, load_default=ContactVisibility.ON_REQUEST)
    consent = fields.Boolean(load_default=False)

    @pre_load
    def _lists(self, data, **kwargs):
        if isinstance(data, dict):
            data = dict(data)
            for key in ("offer_tags", "need_tags"):
                if key in data:
                    data[key] = _split_tags(data[key])
            for key in ("submarkets", "languages"):
                if isinstance(data.get(key), str):
                    data[key] = [data[key]]
        return data


class ProfileFilterSchema(BaseSchema):
    """Which of the region's profiles the coordination's list shows."""

    archived = fields.Boolean(load_default=False, metadata={"description": "the archived profiles instead"})
    q = fields.String(load_default="", validate=validate.Length(max=100), metadata={"description": "name or e-mail"})


class PictureChoiceSchema(BaseSchema):
    """The profile form's box to take the current picture away."""

    remove_picture = fields.Boolean(load_default=False)


class ProfileSchema(BaseSchema):
    """A profile as the API shows it; contact fields only where the viewer may see them."""

    id = fields.Integer(dump_only=True)
    region = fields.Function(lambda p: p.region.slug, dump_only=True)
    kind = fields.Function(lambda p: p.kind.value, dump_only=True)
    display_name = fields.String(dump_only=True)
    organisation_name = fields.String(dump_only=True)
    pitch = fields.String(dump_only=True)
    description = fields.String(dump_only=True)
    submarkets = fields.List(fields.String(), dump_only=True)
    sector = fields.String(dump_only=True)
    offer_tags = fields.List(fields.String(), dump_only=True)
    offers_text = fields.String(dump_only=True)
    need_tags = fields.List(fields.String(), dump_only=True)
    needs_text = fields.String(dump_only=True)
    town = fields.String(dump_only=True)
    website = fields.String(dump_only=True)
    languages = fields.List(fields.String(), dump_only=True)
    has_picture = fields.Function(lambda p: bool(p.picture), dump_only=True)
    contact_email = fields.String(dump_only=True)
    contact_phone = fields.String(dump_only=True)
    visibility = fields.Function(lambda p: p.visibility.value, dump_only=True)
    contact_visibility = fields.Function(lambda p: p.contact_visibility.value, dump_only=True)
    consent = fields.Function(lambda p: p.has_consent, dump_only=True, metadata={"description": "as PUT takes it"})
    consent_given_at = fields.DateTime(dump_only=True, allow_none=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    # Field sets per audience (CTFd's idea): the same profile dumps differently for each.
    views = {
        "member": [
            "id",
            "region",
            "kind",
            "display_name",
            "organisation_name",
            "pitch",
            "description",
            "submarkets",
            "sector",
            "offer_tags",
            "offers_text",
            "need_tags",
            "needs_text",
            "town",
            "website",
            "languages",
            "has_picture",
        ],
        "contact": ["contact_email", "contact_phone"],
        "owner": [
            "visibility",
            "contact_visibility",
            "consent",
            "consent_given_at",
            "archived_at",
            "created_at",
            "updated_at",
        ],
    }

    @classmethod
    def for_audience(cls, *audiences: str, **kwargs) -> ProfileSchema:
        only = [name for audience in ("member", *audiences) for name in cls.views[audience]]
        return cls(only=only, **kwargs)
