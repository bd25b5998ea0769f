"""The one validation layer: marshmallow schemas for HTML forms and the JSON API alike.

Marshmallow's built-in messages are replaced by translatable ones, so a bad field is explained
in the user's language on pages and in the API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from flask import abort
from flask_babel import gettext
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate
from werkzeug.datastructures import MultiDict

from hub.core.money import MAX_AMOUNT, AmountError, api_pattern, parse_api_amount, parse_german_amount


class Message(str):
    """A validation message that marshmallow treats as a string and that is translated when shown.

    Its string value is the English msgid; ``str(message)`` gives it in the current language with
    the values that marshmallow's ``.format(...)`` filled in.
    """

    def __new__(cls, msgid: str, params: dict | None = None):
        obj = super().__new__(cls, msgid)
        obj.params = params or {}
        return obj

    def format(self, *args, **kwargs) -> Message:
        return Message(str.__str__(self), {**self.params, **kwargs})

    def __str__(self) -> str:
        text = gettext(str.__str__(self))
        return text.format(**self.params) if self.params else text

    def __reduce__(self):
        return (Message, (str.__str__(self), self.params))


_m = Message


def localize(messages):
    """Turn a (nested) marshmallow error structure into text in the current language."""
    if isinstance(messages, dict):
        return {k: localize(v) for k, v in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [localize(v) for v in messages]
    return str(messages)


def _translate_defaults() -> None:
    fields.Field.default_error_messages.update(
        {
            "required": _m("This field is required."),
            "null": _m("This field may not be empty."),
            "validator_failed": _m("Invalid value."),
        }
    )
    fields.String.default_error_messages.update({"invalid": _m("Not a valid text.")})
    fields.Email.default_error_messages.update({"invalid": _m("Not a valid e-mail address.")})
    fields.Url.default_error_messages.update({"invalid": _m("Not a valid web address.")})
    fields.Integer.default_error_messages.update({"invalid": _m("Not a valid whole number.")})
    fields.Number.default_error_messages.update(
        {"invalid": _m("Not a valid number."), "too_large": _m("The number is too large.")}
    )
    fields.Decimal.default_error_messages.update(
        {"invalid": _m("Not a valid amount."), "special": _m("Not a valid amount.")}
    )
    fields.Boolean.default_error_messages.update({"invalid": _m("Not a valid yes/no value.")})
    fields.DateTime.default_error_messages.update({"invalid": _m("Not a valid date and time.")})
    fields.Date.default_error_messages.update({"invalid": _m("Not a valid date.")})
    fields.List.default_error_messages.update({"invalid": _m("Not a valid list.")})
    fields.Enum.default_error_messages.update({"unknown": _m("Must be one of: {choices}.")})
    validate.Length.message_min = _m("Shorter than the minimum length of {min}.")
    validate.Length.message_max = _m("Longer than the maximum length of {max}.")
    validate.Length.message_all = _m("Length must be between {min} and {max}.")
    validate.Length.message_equal = _m("Length must be {equal}.")
    validate.OneOf.default_message = _m("Must be one of: {choices}.")
    validate.Range.message_min = _m("Must be at least {min}.")
    validate.Range.message_max = _m("Must be at most {max}.")
    validate.Range.message_all = _m("Must be between {min} and {max}.")
    validate.Email.default_message = _m("Not a valid e-mail address.")
    validate.URL.default_message = _m("Not a valid web address.")


_translate_defaults()


class BaseSchema(Schema):
    """Strips text, treats empty form fields as missing and ignores unknown keys."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _clean(self, data: Any, **kwargs):
        if isinstance(data, Mapping):
            # PostgreSQL cannot store a NUL character in text: refused here, with the field named.
            refused = {key: [_m("Not a valid text.")] for key, value in data.items() if _holds_nul(value)}
            if refused:
                raise ValidationError(refused)
        if not isinstance(data, dict):
            return data
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if value == "":
                    continue
            cleaned[key] = value
        return cleaned


# Set while a form is loaded: fields whose notation differs between forms and the API (Amount) read it.
_FORM_INPUT: ContextVar[bool] = ContextVar("form_input", default=False)


@contextmanager
def form_input():
    """Load schemas as a form's input (German notation) inside this block."""
    token = _FORM_INPUT.set(True)
    try:
        yield
    finally:
        _FORM_INPUT.reset(token)


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(v) for v in value)
    return False


def load_form(schema: Schema, form: MultiDict) -> tuple[dict | None, dict[str, list[str]]]:
    """Validate submitted form data; return (data, {}) or (None, errors by field)."""
    raw: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if isinstance(field, fields.List):
            values = [v for v in form.getlist(key) if v != ""]
            if values:
                raw[key] = values
        elif key in form:
            raw[key] = form.get(key)
    try:
        with form_input():
            return schema.load(raw), {}
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return None, {k: _flat(localize(v)) for k, v in messages.items()}


def refill(values, name: str, current: Any = "") -> Any:
    """What a form field shows (the template global ``refill``): what the person sent when the form comes
    back refused (``values``, the submitted form), otherwise the stored value ``current``."""
    if values:
        return values.get(name, "")
    return "" if current is None else current


def load_buttons(schema: Schema, form: MultiDict) -> dict:
    """Validate a form of buttons and hidden values, which a person cannot type into: only a forged request
    sends a bad value, and it is refused as a bad request (400) before anything is changed."""
    data, errors = load_form(schema, form)
    if errors:
        abort(400)
    return data


def _flat(messages) -> list[str]:
    """One list of texts per field, also for list fields whose errors come per entry ({1: [...]})."""
    if isinstance(messages, dict):
        return list(dict.fromkeys(m for v in messages.values() for m in _flat(v)))
    if isinstance(messages, list):
        return list(dict.fromkeys(m for v in messages for m in _flat(v)))
    return [messages]


class Id(fields.Integer):
    """The id of an object in a request body: a positive number the id columns can hold.

    A larger number is refused with the field named instead of reaching the database (which
    answered 500 for it).
    """

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(min=1, max=2**31 - 1), **kwargs)


class Password(fields.String):
    """A new password: 12 to 128 characters (OWASP ASVS 2.1.1, 2.1.2)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Length(min=12, max=128))
        kwargs.setdefault("load_only", True)
        super().__init__(**kwargs)


class ServiceError(ValueError):
    """A change an action refuses; ``message`` is translatable, ``field`` names the culprit (None: the whole form).

    The one kind of error of the action layer; ``status`` is the HTTP answer the web glue gives for it
    (``hub.core.actions`` has the kinds for 404, 403 and 409).
    """

    status = 422

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def errors(self) -> dict:
        """The error as the form and the API show it: {field: [message]}."""
        return {self.field or "_form": [str(self.message)]}


UNENCODED_PLUS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


class LocalDateTime(fields.DateTime):
    """A date and time in ISO 8601: as the API writes it, with an offset (2026-12-02T15:00:00+00:00 or
    2026-12-02T15:00:00Z), or without one (2026-12-02T16:00, seconds optional), as a form's date-time field
    sends it: a wall-clock time in the zone the resource names (the describing text says which).

    Loads an aware datetime as given and a naive one as it is, for the caller to place in its zone
    (``regions.events.services.to_utc``), so what GET returns can always be sent back.
    """

    default_error_messages = {
        "invalid": _m("Not a valid date and time; use e.g. 2026-03-01T09:00 (local time) or 2026-03-01T08:00:00Z.")
    }
    YEARS = (2000, 2100)

    def __init__(self, *, zone: str = "Europe/Berlin", **kwargs):
        description = (
            "ISO 8601 as the API returns it (2026-12-02T17:00:00+00:00 or …Z); without an offset, a wall-clock "
            f"time in {zone} (2026-12-02T18:00), as the form sends it."
        )
        kwargs["metadata"] = {"description": description, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        # An offset's "+" in a query string that was not percent-encoded arrives as a space.
        text = UNENCODED_PLUS.sub(r"\1+\2", value.strip())
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        if not self.YEARS[0] <= moment.year <= self.YEARS[1]:
            raise self.make_error("invalid")
        return moment


class Amount(fields.Field):
    """An exact amount in euros with at most two decimals, in the notation of where it comes from.

    Forms (``load_form``) take the German "1.234,56 €", everything else the API's "1234.56"; a value is
    never read the other way. Negative amounts only where ``negative=True`` (corrections).
    """

    default_error_messages = {
        "type": _m('Not a valid amount: send it as a string, e.g. "1234.56".'),
        "api_format": _m(
            "Not a valid amount: write it with a dot and at most two decimals, without thousands separators,"
            ' e.g. "1234.56".'
        ),
        "form_format": _m("Not a valid amount: write it the German way, e.g. 1.234,56 or 1234,56."),
        "precision": _m("At most two decimals (cents)."),
        "negative": _m("The amount must not be negative."),
        "too_large": _m("The number is too large."),
    }

    def __init__(self, *, negative: bool = False, **kwargs):
        limit, sign = (f"±{MAX_AMOUNT}", "; a minus sign corrects an earlier entry") if negative else (MAX_AMOUNT, "")
        kwargs["metadata"] = {
            "type": "string",
            "pattern": api_pattern(negative),
            "example": "1234.56",
            "description": f"Euros as a decimal string with a dot: at most two decimals, no thousands separators,"
            f" at most {limit}{sign}.",
            **kwargs.get("metadata", {}),
        }
        super().__init__(**kwargs)
        self.negative = negative

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("type")  # a JSON number may be a float, which is not exact
        form = _FORM_INPUT.get()
        try:
            return (parse_german_amount if form else parse_api_amount)(value, negative=self.negative)
        except AmountError as exc:
            if exc.reason == "format":
                raise self.make_error("form_format" if form else "api_format") from exc
            raise self.make_error(exc.reason) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value:.2f}"
