"""Static files with fingerprinted URLs: ``url_for('static', filename='css/hub.css')`` gives
``/static/css/hub.css?v=<first 12 hex digits of the file's SHA-256>``.

A request that carries the file's current fingerprint may be cached for a year and never revalidated
(``Cache-Control: public, max-age=31536000, immutable``): a changed file gets a new URL. Any other request of a
static file (no ``v``, or an old one) is cached for five minutes only and revalidated after. The fingerprint is
computed once per file and kept while the file's size and modification time stay the same (a developer's edit
under ``make run`` gives a new URL at the next page). Behind nginx the proxy serves /static/ itself with the same
rule (config/deploy/nginx.conf); the URLs are the same.
"""

from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, current_app, request
from werkzeug.security import safe_join

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"
VERSION_ARG = "v"

_fingerprints: dict[str, tuple[int, int, str]] = {}
_lock = threading.Lock()


def fingerprint(filename: str) -> str | None:
    """The file's content hash (12 hex digits), or None when there is no such file."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    known = _fingerprints.get(path)
    if known is not None and known[:2] == (stat.st_size, stat.st_mtime_ns):
        return known[2]
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(65536), b""):
            digest.update(block)
    value = digest.hexdigest()[:12]
    with _lock:
        _fingerprints[path] = (stat.st_size, stat.st_mtime_ns, value)
    return value


def _add_fingerprint(endpoint: str, values: dict) -> None:
    if endpoint == "static" and VERSION_ARG not in values and "filename" in values:
        version = fingerprint(values["filename"])
        if version:
            values[VERSION_ARG] = version


def _cache_headers(response):
    if request.endpoint != "static" or response.status_code not in (200, 206, 304):
        return response
    asked = request.args.get(VERSION_ARG)
    current = fingerprint((request.view_args or {}).get("filename", "")) if asked else None
    response.headers["Cache-Control"] = LONG_CACHE if asked and asked == current else SHORT_CACHE
    response.headers.pop("Expires", None)  # Cache-Control's max-age is the rule
    return response


def install(app: Flask) -> None:
    app.url_defaults(_add_fingerprint)
    app.after_request(_cache_headers)
