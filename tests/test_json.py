"""The hub writes JSON with orjson (hub/core/json.py) by Flask's rules: the same answers as Flask's own provider."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from hub.core.json import OrjsonProvider


@dataclasses.dataclass
class Point:
    x: int


VALUES = [
    {"b": 1, "a": [1, 2, {"ü": "Straße <b>&'"}]},
    {2: "two", 1: "one"},
    [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), date(2026, 1, 2), Decimal("1.50"), uuid.UUID(int=5), Point(1)],
    "text",
    1.5,
    None,
    True,
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
@pytest.mark.parametrize("debug", [False, True])
def test_a_json_answer_is_what_flasks_own_provider_gives(value, debug):
    app = Flask(__name__)
    app.debug = debug
    with app.app_context():
        flasks = DefaultJSONProvider(app).response(value).get_data()
        ours = OrjsonProvider(app).response(value).get_data()
    assert json.loads(ours) == json.loads(flasks)
    assert ours.endswith(b"\n") and flasks.endswith(b"\n")
    if debug:  # indented, as Flask's is in debug mode
        assert (b"\n  " in ours) == isinstance(value, (dict, list))
    else:  # compact, keys in order: Flask's text but for UTF-8 letters instead of \u escapes
        same_text = json.dumps(json.loads(flasks), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert ours.decode() == same_text + "\n"


def test_the_hub_uses_it_and_reads_json_columns_with_orjson(app):
    import orjson

    from hub import ENGINE_OPTIONS

    assert isinstance(app.json, OrjsonProvider)
    assert ENGINE_OPTIONS["json_deserializer"]('{"a": [1]}') == orjson.loads('{"a": [1]}')
