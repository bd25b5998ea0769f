"""PUT replaces, PATCH changes: one rule for every resource that the JSON API lets a client change.

- **PATCH changes only the fields sent.** The body is laid over the resource as GET shows it (JSON Merge
  Patch, RFC 7396, for flat objects) and the result is validated exactly as a PUT would be, so rules that
  tie fields together (an end after its start) hold also when only one of them is sent. A field left
  out never changes; ``null`` or ``""`` mean what an empty form field means (no capacity, no text).
- **PUT replaces the resource**: every writable field must be in the body, and each missing one is named
  in the 422 answer (``errors.json.<field>``). Fields the API only shows (ids, counters, times of the last
  change) are ignored, so the JSON from GET can be sent back as it is.
- A request that changes nothing changes nothing: features give their services only the fields whose
  value changes (``Updates.changes``), so an event keeps its SEQUENCE and a series date stays in its
  series, and a member's rights are checked against what they change, not against what they send back.
- Both are in the OpenAPI document: PUT's body with every writable field required, PATCH's with none
  required and no defaults (a field left out is not set to anything).

A feature declares its resource once — ``Updates(InputSchema, shown=OutputSchema(), writable=(...))`` —
and uses ``.replacement`` and ``.patch`` as the bodies of its PUT and PATCH.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from flask_smorest import abort
from marshmallow import Schema, ValidationError, missing

from hub.core.schemas import _m

REQUIRED = _m("This field is required.")
PUT_DESCRIPTION = (
    "PUT replaces the resource: every writable field is required (the JSON from GET can be sent back as it "
    "is; fields that are only shown are ignored)."
)
PATCH_DESCRIPTION = (
    "PATCH changes only the fields sent; every other field keeps its value. null or an empty text clears "
    "a field as an empty form field does."
)


def _variant(schema: type[Schema], suffix: str, description: str, required: Callable[[str], bool], load):
    """A subclass of the input schema for the OpenAPI document: the same fields, required as said, without
    defaults, and loading with ``load``."""

    def on_bind_field(self, field_name, field_obj):
        schema.on_bind_field(self, field_name, field_obj)
        field_obj.load_default = missing
        field_obj.required = required(field_obj.data_key or field_name)

    name = schema.__name__.removesuffix("Schema") + suffix + "Schema"
    meta = type("Meta", (schema.Meta,), {"description": description})
    return type(name, (schema,), {"Meta": meta, "on_bind_field": on_bind_field, "load": load, "__doc__": description})


class Updates:
    """PUT and PATCH of one kind of resource: its input schema, how GET shows it, which fields PUT needs."""

    def __init__(self, schema: type[Schema], *, shown: Schema, writable: Sequence[str] | None = None):
        self.schema = schema
        self.shown = shown
        self.writable = tuple(writable or (f.data_key or name for name, f in schema().load_fields.items()))
        unshown = set(self.writable) - {f.data_key or name for name, f in shown.dump_fields.items()}
        if unshown:  # what PUT needs, GET must show, or its JSON could not be sent back
            raise ValueError(f"{schema.__name__}: GET does not show {sorted(unshown)}")
        plain = schema()
        writable_keys = set(self.writable)

        def replace(self_, data, *, many=None, partial=None, unknown=None):
            absent = {}
            if isinstance(data, Mapping):
                absent = {key: [REQUIRED] for key in self.writable if key not in data}
            try:
                loaded = plain.load(data, unknown=unknown)
            except ValidationError as err:
                raise ValidationError({**_by_field(err.messages), **absent}) from err
            if absent:
                raise ValidationError(absent)
            return loaded

        def sent(self_, data, *, many=None, partial=None, unknown=None):
            # Only checked to be an object here: it is validated once laid over the resource (``patched``).
            return dict(data) if isinstance(data, Mapping) else plain.load(data)

        self.replacement = _variant(schema, "Replacement", PUT_DESCRIPTION, writable_keys.__contains__, replace)()
        self.patch = _variant(schema, "Patch", PATCH_DESCRIPTION, lambda key: False, sent)()

    def current(self, obj) -> dict:
        """The resource's writable fields as GET shows them."""
        shown = self.shown.dump(obj)
        return {key: shown[key] for key in self.writable if key in shown}

    def patched(self, obj, sent: Mapping) -> dict:
        """The fields sent laid over the resource, validated as a PUT; 422 naming the fields otherwise."""
        try:
            return self.schema().load({**self.current(obj), **sent})
        except ValidationError as err:
            abort(422, errors={"json": _by_field(err.messages)})

    def stored(self, obj) -> dict | None:
        """The resource's current state as its input schema loads it (None if it no longer passes)."""
        try:
            return self.schema().load(self.current(obj))
        except ValidationError:
            return None

    def changes(self, obj, data: dict, prepare: Callable[[dict], dict] = dict) -> dict:
        """The validated fields whose value differs from the resource's, after ``prepare`` (e.g. times to UTC)
        on both sides; everything when the stored state no longer passes today's rules."""
        new, before = prepare(data), self.stored(obj)
        if before is None:
            return new
        old = prepare(before)
        return {key: value for key, value in new.items() if key not in old or old[key] != value}


def _by_field(messages) -> dict:
    return messages if isinstance(messages, dict) else {"_schema": messages}
