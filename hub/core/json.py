"""The hub's JSON encoding: Flask's rules, written by orjson.

Flask's default provider encodes with the standard library, keys sorted and non-ASCII escaped; for a month of
the whole network (hundreds of events) that was a fifth of the request (docs/BENCHMARKS.md, "Layer cost").
orjson gives the same JSON — keys still sorted, the same compact separators — several times faster, written as
UTF-8 instead of ``\\u`` escapes (both are JSON; the response says UTF-8). The database's JSON columns are read
with orjson too (``loads``). What orjson does not know, or would write differently from Flask (dates, decimals,
UUIDs, dataclasses, objects with ``__html__``), goes to Flask's own ``default``, so every value comes out as it
did. In debug mode the output stays indented, as Flask's is.
"""

from __future__ import annotations

import typing as t

import orjson
from flask.json.provider import DefaultJSONProvider, _default

_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_NON_STR_KEYS
    # Flask writes these its own way (dates as HTTP dates, dataclasses via asdict): keep that.
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


def loads(text: str | bytes) -> t.Any:
    """JSON columns as the database returns them, read by orjson (the engines' ``json_deserializer``)."""
    return orjson.loads(text)


class OrjsonProvider(DefaultJSONProvider):
    """``app.json``: ``dumps`` and ``response`` through orjson; ``loads`` is the standard library's."""

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        return self._bytes(obj, kwargs.pop("indent", None)).decode()

    def response(self, *args: t.Any, **kwargs: t.Any):
        obj = self._prepare_response_obj(args, kwargs)
        indent = 2 if self._app.debug and self.compact is not True else None
        # A newline at the end, as Flask's own provider writes it.
        return self._app.response_class(self._bytes(obj, indent) + b"\n", mimetype=self.mimetype)

    @staticmethod
    def _bytes(obj: t.Any, indent: int | None) -> bytes:
        options = _OPTIONS | (orjson.OPT_INDENT_2 if indent else 0)
        return orjson.dumps(obj, default=_default, option=options)
