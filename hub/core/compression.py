"""gzip and brotli for pages, JSON, CSS, JS and calendars where no proxy compresses (Flask-Compress).

On by default (HUB_COMPRESS=0 switches it off, e.g. behind an nginx that compresses: config/deploy/nginx.conf).
Flask-Compress marks a compressed answer's strong ETag with the encoding ("abc" becomes "abc:gzip") and answers
a matching If-None-Match with 304 itself. Views that answer 304 before doing the work (the calendar feeds:
shared/calendar/feeds.py) compare with their own ETag, so the request's If-None-Match is read without that
suffix: a calendar client revalidating a gzip feed still gets the cheap 304.
"""

from __future__ import annotations

import re

from flask import Flask, request
from flask_compress import Compress

MIMETYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "text/calendar",
    "image/svg+xml",
]
ALGORITHMS = ["br", "gzip", "deflate"]
_ENCODING_SUFFIX = re.compile(r':(?:br|gzip|deflate|zstd)"')


def _plain_if_none_match() -> None:
    raw = request.environ.get("HTTP_IF_NONE_MATCH")
    if raw and ":" in raw:
        request.environ["HTTP_IF_NONE_MATCH"] = _ENCODING_SUFFIX.sub('"', raw)


def install(app: Flask) -> None:
    if not app.config.get("COMPRESS"):
        return
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ALGORITHMS)
    # Static files are streamed (send_file): gzip too, for clients that take nothing else (browsers over plain HTTP).
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ALGORITHMS)
    app.before_request(_plain_if_none_match)
    # One Compress per app: it keeps the app's settings on itself (a shared one would take the last app's).
    app.extensions["hub_compress"] = Compress(app)
