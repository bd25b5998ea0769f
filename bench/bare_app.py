"""The bare endpoint of the layer-cost benchmark (issue 19): a tiny Flask app, not the hub, that runs the SQL
statements one real hub request issued — the same text with the same parameters, captured by bench/layer_cost.py
with SQLAlchemy's cursor events — and dumps every row as JSON.

    BARE_DATABASE_URL=… BARE_STATEMENTS=/tmp/….pickle gunicorn -w 4 -b 127.0.0.1:PORT bare_app:app

It takes a connection from an SQLAlchemy pool set up as the hub's (``hub.ENGINE_OPTIONS``: ``pool_pre_ping``,
JSON columns read by orjson; on SQLite the hub's four PRAGMAs on connect), runs the statements on the raw DB-API
cursor, fetches all rows, gives the connection back (rolled back, as the hub's session is at the end of a
request) and answers ``{"case": [[row], …], …}``. ``/noop`` answers without touching the database: the ceiling
of the client and gunicorn together.
"""

from __future__ import annotations

import json
import os
import pickle
from datetime import date, datetime
from decimal import Decimal

from flask import Flask, Response
from sqlalchemy import create_engine

from hub import ENGINE_OPTIONS  # importing hub also gives every engine the hub's SQLite PRAGMAs (a connect listener)

with open(os.environ["BARE_STATEMENTS"], "rb") as f:
    CASES: dict[str, list[tuple[str, object]]] = pickle.load(f)  # noqa: S301 - our own file

engine = create_engine(os.environ["BARE_DATABASE_URL"], **ENGINE_OPTIONS)


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return str(value)


app = Flask(__name__)


@app.get("/noop")
def noop():
    return Response("ok", mimetype="text/plain")


@app.get("/case/<name>")
def case(name: str):
    statements = CASES[name]
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        result = []
        for sql, parameters in statements:
            cursor.execute(sql, parameters)
            rows = cursor.fetchall() if cursor.description else []
            result.append([list(row) for row in rows])
        cursor.close()
        connection.rollback()
    finally:
        connection.close()
    return Response(json.dumps(result, default=_plain, ensure_ascii=False), mimetype="application/json")
