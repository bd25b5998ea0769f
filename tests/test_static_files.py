"""Fingerprinted static URLs with long cache headers, and compression (HUB_COMPRESS) of what the hub sends."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import brotli
import pytest
from flask import url_for

from hub import create_app
from hub.core.static_files import LONG_CACHE, SHORT_CACHE
from tests.conftest import TEST_CONFIG

STATIC = Path(__file__).resolve().parent.parent / "hub" / "static"


def _url(app, filename):
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_static_urls_carry_the_files_content_hash(app):
    expected = hashlib.sha256((STATIC / "css" / "hub.css").read_bytes()).hexdigest()[:12]
    assert _url(app, "css/hub.css") == f"/static/css/hub.css?v={expected}"
    assert _url(app, "no/such.css") == "/static/no/such.css"


def test_pages_link_fingerprinted_files(client):
    body = client.get("/login").get_data(as_text=True)
    assert "/static/css/hub.css?v=" in body
    assert "/static/js/hub.js?v=" in body


def test_a_fingerprinted_request_is_cached_for_a_year_and_others_briefly(app, client):
    url = _url(app, "css/hub.css")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == LONG_CACHE == "public, max-age=31536000, immutable"
    assert "Expires" not in response.headers
    assert client.get("/static/css/hub.css").headers["Cache-Control"] == SHORT_CACHE
    stale = client.get("/static/css/hub.css?v=000000000000")  # an old page's URL after a deploy
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == SHORT_CACHE
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_changed_file_gets_a_new_url(app, tmp_path, monkeypatch):
    (tmp_path / "x.css").write_text("a{}")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    first = _url(app, "x.css")
    (tmp_path / "x.css").write_text("a{color:red}")
    assert _url(app, "x.css") != first


def test_pages_json_css_and_js_are_compressed_for_clients_that_accept_it(app, client):
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    assert b"<html" in gzip.decompress(page.data)
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "br"})
    assert api.headers["Content-Encoding"] == "br"
    assert brotli.decompress(api.data).startswith(b"{")
    css = client.get(_url(app, "css/hub.css"), headers={"Accept-Encoding": "br"})
    assert css.headers["Content-Encoding"] == "br"
    assert brotli.decompress(b"".join(css.response)) == (STATIC / "css" / "hub.css").read_bytes()
    static = client.get(_url(app, "css/hub.css"), headers={"Accept-Encoding": "gzip"})  # a browser over plain HTTP
    assert static.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(static.response)) == (STATIC / "css" / "hub.css").read_bytes()
    assert "Content-Encoding" not in client.get("/login").headers  # none asked, none given


@pytest.mark.parametrize("path", ["/login", "/static/css/hub.css"])
def test_compressed_answers_keep_the_security_headers(app, client, path):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, br"})
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert packed.headers[name] == plain.headers[name], name


def test_compression_can_be_switched_off(tmp_path):
    other = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path),
            "COMPRESS": False,
        }
    )
    response = other.test_client().get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
