"""CIMIS Hub: one Flask application for the regional networks of CROSS INNOVATION MADE IN SAXONY II."""

from __future__ import annotations

import functools
import gc
import os
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from hub.core import logs
from hub.core.db import MIGRATIONS_DIR
from hub.core.json import OrjsonProvider, loads
from hub.core.settings import check_production_safety, load_settings


def _without_garbage_collection(build):
    """Build the app with the cyclic garbage collector paused (and then resumed as it was).

    Building allocates some 180,000 objects that nearly all stay (routes, models, schemas, translations); on the
    way Python would walk them in full collections that free little, a sixth of the time the build takes.
    """

    @functools.wraps(build)
    def build_paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return build(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return build_paused


@_without_garbage_collection
def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, request hooks, the framework's pages and every feature of
    hub/features.py (hub.core.features installs them)."""
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("HUB_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=os.path.abspath(instance) if instance else None)
    app.json = OrjsonProvider(app)
    settings = load_settings()
    if test_config:
        settings.update({k: v for k, v in test_config.items() if k in settings})
    _apply_settings(app, settings)
    if test_config:
        app.config.update(test_config)
    check_production_safety(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    logs.configure(app.config)

    from hub.core import cli, compression, features, rate_limits, security_headers, static_files, web
    from hub.features import FEATURES

    security_headers.install(app)
    _init_extensions(app)
    web.install_converters(app)
    _install_framework(app)
    features.install(app, features.load(FEATURES))

    logs.install(app)
    web.install(app)
    rate_limits.install(app)
    cli.install(app)
    static_files.install(app)
    compression.install(app)  # last: its after-request hook runs first, on the view's own answer
    return app


# How every engine of the hub connects (the benchmarks' bare app uses the same): a dead pooled connection is
# replaced before use; JSON columns are read by orjson.
ENGINE_OPTIONS = {"pool_pre_ping": True, "json_deserializer": loads}


def _apply_settings(app: Flask, s: dict) -> None:
    database_url = s["DATABASE_URL"] or f"sqlite:///{Path(app.instance_path) / 'hub.sqlite3'}"
    languages = [lang.strip() for lang in s["LANGUAGES"].split(",") if lang.strip()]
    app.config.update(
        {k: v for k, v in s.items() if k != "DATABASE_URL"},
        SQLALCHEMY_DATABASE_URI=database_url,
        # In production a database error's message leaves out the statement's values (form data, addresses).
        SQLALCHEMY_ENGINE_OPTIONS={**ENGINE_OPTIONS, "hide_parameters": s["ENV"] == "production"},
        LANGUAGES=languages,
        DEFAULT_LOCALE=languages[0],
        BABEL_DEFAULT_LOCALE=languages[0],
        BABEL_DEFAULT_TIMEZONE=s["TIMEZONE"],
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parent / "translations"),
        WTF_CSRF_CHECK_DEFAULT=False,
        # A form's CSRF token lives no longer than a login session (and dies with it: hub.accounts.auth).
        WTF_CSRF_TIME_LIMIT=int(timedelta(hours=12).total_seconds()),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=s["SESSION_COOKIE_SECURE"],
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        # How long a login session lasts without "stay logged in" (with it: REMEMBER_COOKIE_DURATION).
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        # Counters shared by all workers through Redis when it is configured, else per process.
        RATELIMIT_STORAGE_URI=s["REDIS_URL"] or "memory://",
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": s["REDIS_KEY_PREFIX"]} if s["REDIS_URL"] else {},
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        # hub.core.rate_limits adds Retry-After to every refusal; Flask-Limiter's own headers would
        # recompute it, truncated to a second too early.
        RATELIMIT_HEADERS_ENABLED=False,
        # Counts kept for a few minutes (shared/reports/snapshots.py): in Redis when configured, so that every
        # worker and host reads the same, else in each process's memory.
        CACHE_TYPE="RedisCache" if s["REDIS_URL"] else "SimpleCache",
        CACHE_REDIS_URL=s["REDIS_URL"],
        CACHE_KEY_PREFIX=f"{s['REDIS_KEY_PREFIX']}:cache:",
        CACHE_DEFAULT_TIMEOUT=s["REPORT_FIGURES_SECONDS"],
        API_TITLE="CIMIS Hub API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )


def _init_extensions(app: Flask) -> None:
    from hub.accounts import auth
    from hub.core import i18n
    from hub.core.extensions import api, babel, cache, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.install(app)
    limiter.init_app(app)
    cache.init_app(app)
    auth.install(login_manager, app)
    api.init_app(app)


def _install_framework(app: Flask) -> None:
    """The framework's own pages (outbox, jobs), API (regions, me, docs) and jobs; the features follow."""
    import hub.core.jobs.housekeeping  # noqa: F401  (declares its @job)
    import hub.core.mail.jobs  # noqa: F401  (declares its @jobs)
    import hub.core.storage.models  # noqa: F401  (the stored files' table)
    from hub.core import api as api_v1
    from hub.core import health
    from hub.core.extensions import api
    from hub.core.jobs.views import bp as jobs_bp
    from hub.core.mail.views import bp as mail_bp

    app.register_blueprint(mail_bp)
    app.register_blueprint(jobs_bp)
    health.install(app)
    api_v1.register(api, app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, let readers and a writer work side by side, keep hot pages cached.

    The page cache is 64 MiB per connection instead of SQLite's 2 MiB, filled only as pages are read:
    a directory search reads thousands of scattered index rows, which otherwise go back to the OS.
    """
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()
