"""/healthz (alive, no database) and /readyz (database, Redis, migrations, storage; 503 naming what failed)."""

from __future__ import annotations

import logging
import os
import socket

import pytest

from hub import create_app
from hub.core import health
from hub.core.db import db
from tests.conftest import TEST_CONFIG
from tests.statements import counted


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once the socket is closed


def _app(tmp_path, **config):
    return create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'hub.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **config,
        }
    )


def _migrated(app, revision: str = "head"):
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision=revision)
        db.engine.dispose()
    return app


def test_alive_answers_without_touching_the_database(app, client):
    with counted(app) as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert statements == []
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Request-ID"]


def test_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    assert response.json["failed"] == []
    assert set(response.json["checks"]) >= {"database", "redis", "migrations", "storage"}
    assert response.json["checks"]["migrations"]["ok"]


def test_both_are_open_to_visitors_and_outside_every_region(app):
    for endpoint in ("health.healthz", "health.readyz"):
        view = app.view_functions[endpoint]
        assert getattr(view, "hub_public", False), endpoint
    rules = {r.endpoint: r for r in app.url_map.iter_rules() if r.endpoint.startswith("health.")}
    assert {r.rule for r in rules.values()} == {"/healthz", "/readyz"}
    assert all(not r.arguments and r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules.values())


def test_rate_limits_never_refuse_them(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_LIMIT_PER_IP", "1 per hour")
    monkeypatch.setitem(app.config, "API_LIMIT_PER_IP", "1 per hour")
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


def test_database_down_alive_yes_ready_no(tmp_path):
    app = _app(tmp_path, SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/none")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "not ready"
    assert set(response.json["failed"]) == {"database", "migrations", "storage"}
    assert response.json["checks"]["database"]["detail"] == "failed (OperationalError)"
    assert "127.0.0.1" not in response.get_data(as_text=True)  # no URL in a public answer


def test_redis_unreachable_is_not_ready(app, client, monkeypatch):
    # The setting as the check reads it (a second app with this URL would also re-point the shared limiter).
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["redis"]
    assert response.json["checks"]["redis"]["detail"].startswith("failed (")


def test_redis_answering_is_ready(app, client, monkeypatch):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("Redis on 127.0.0.1:6379 does not answer, and CI needs it")
        pytest.skip("no Redis on 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["checks"]["redis"] == {"ok": True, "detail": "ok"}


def test_a_migration_behind_is_not_ready(tmp_path):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from hub.core.db import MIGRATIONS_DIR
    from hub.core.schema_check import script_heads

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    (head,) = script_heads()
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    app = _migrated(_app(tmp_path), revision=previous)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "migrations" in response.json["failed"]
    assert set(response.json["failed"]) <= {"migrations", "storage"}  # 0022 brought the store's table
    assert response.json["checks"]["migrations"]["detail"] == (
        f"behind: the database is at {previous}, the migrations' head is {head}"
    )
    _migrated(app)
    assert app.test_client().get("/readyz").status_code == 200


def test_storage_unreadable_is_not_ready(tmp_path):
    """The uploaded files' table (hub.core.storage, migration 0022) does not answer: here, a database from before it."""
    app = _migrated(_app(tmp_path), revision="0021")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "storage" in response.json["failed"]
    assert response.json["checks"]["storage"]["detail"].startswith("failed (")
    _migrated(app)
    assert app.test_client().get("/readyz").json["checks"]["storage"] == {"ok": True, "detail": "ok (database)"}


def test_a_feature_registers_its_own_check(client, monkeypatch):
    monkeypatch.setattr(health, "CHECKS", dict(health.CHECKS))

    def broken():
        raise health.CheckFailed("the bucket does not answer")

    health.register_check("objects", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["objects"]
    assert response.json["checks"]["objects"] == {"ok": False, "detail": "the bucket does not answer"}
    health.register_check("objects", lambda: "12 buckets")
    assert client.get("/readyz").json["checks"]["objects"] == {"ok": True, "detail": "12 buckets"}


def test_polls_are_logged_at_debug_and_a_failed_check_at_info(app, client, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG, logger="hub.core.access")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/calendar").status_code == 200
    levels = {r.endpoint: r.levelno for r in caplog.records if r.name == "hub.core.access"}
    assert levels == {
        "health.healthz": logging.DEBUG,
        "health.readyz": logging.DEBUG,
        "api_calendar.calendar_window": logging.INFO,
    }
    caplog.clear()
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/0")
    assert client.get("/readyz").status_code == 503
    assert [r.levelno for r in caplog.records if r.name == "hub.core.access"] == [logging.INFO]
