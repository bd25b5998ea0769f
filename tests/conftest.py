"""Fixtures: one app and database per test session, a clean database per test.

Set HUB_TEST_DATABASE_URL to run the same suite on PostgreSQL (`make test` does that when a
server is reachable; see .ci/postgres_suite.py). `make test-clock` runs it with the clock shifted ahead
(.ci/test_clock.py); HUB_TEST_CLOCK_EXPECTED then holds the "now" the process must see.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from limits.storage import MemoryStorage
from sqlalchemy import event, select

from hub import create_app
from hub.audit import AuditEntry, purge
from hub.core.db import db
from hub.core.extensions import limiter
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from hub.core.tenancy.registry import sync_regions
from tests.factories import Factory


def pytest_configure(config):
    """Compile stale translation catalogues, so that a bare `pytest` sees the same German as `make test`."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parent.parent / "hub" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(po, "rb") as src, open(mo, "wb") as dst:
                write_mo(dst, read_po(src, locale=po.parent.parent.name))
    _check_shifted_clock()


def _check_shifted_clock() -> None:
    """Under `make test-clock` the clock must really run ahead, or the run would prove nothing."""
    expected = os.environ.get("HUB_TEST_CLOCK_EXPECTED")
    if expected and abs(datetime.now(UTC) - datetime.fromisoformat(expected)) > timedelta(hours=1):
        raise pytest.UsageError(f"the clock was to be shifted to {expected}, but it shows {datetime.now(UTC)}")


def pytest_report_header(config):
    """Say when the clock runs ahead (`make test-clock`)."""
    if os.environ.get("HUB_TEST_CLOCK_EXPECTED"):
        return f"clock: shifted {os.environ.get('FAKETIME')}, now {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    return None


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("HUB_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hub-test.sqlite3'}"


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASH_PROFILE": "cheapest",
    "MAIL_SERVER": "",
    "BASE_URL": "http://hub.test",
    "SERVER_NAME": None,
    # Tests change data and read the dashboards right after; tests/test_report_snapshots.py keeps counts.
    "REPORT_FIGURES_SECONDS": 0,
}


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The application on a migrated test database with the regions of config/regions.toml."""
    instance = tmp_path_factory.mktemp("instance")  # uploads and imports of this run only
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory), "INSTANCE_PATH": str(instance)}
    )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _commit_without_waiting_for_the_disk)
        upgrade()
        sync_regions()
    yield app
    with app.app_context():
        db.engine.dispose()


def _commit_without_waiting_for_the_disk(dbapi_connection, connection_record) -> None:
    """SQLite in WAL mode syncs at checkpoints only, not at every commit: safe from a crash of the process, not
    from one of the machine, which a throw-away test database does not need. Commits then cost a fraction of a
    millisecond instead of a wait for the disk, and the suite commits thousands of times."""
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Every test starts with the regions only, an empty rate limiter and no region in scope."""
    yield
    wipe_database(app)
    # Flask-Limiter is one object per process, and the last app made takes its storage: a test's own app with
    # limits on Redis would move every later test's limits there, out of reach of wipe_database's limiter.reset()
    # and of the stopped clocks of tests/test_throttle.py (an app of a test keeps RATELIMIT_STORAGE_URI memory://).
    storage = limiter.limiter.storage
    assert isinstance(storage, MemoryStorage), f"{request.node.nodeid} left the rate limits in {storage!r}"


def wipe_database(app) -> None:
    """Back to the regions only (also between the two runs of a parity test), with an empty rate limiter."""
    with app.app_context():
        db.session.rollback()
        with all_regions():
            purge(before=datetime.max.replace(tzinfo=UTC))  # the audit log's one door for deletion
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in ("region", AuditEntry.__tablename__):
                    db.session.execute(table.delete())
            db.session.commit()
            sync_regions()
    limiter.reset()


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def regions(app) -> dict[str, Region]:
    """The regions by slug (detached copies, usable in any context)."""
    with app.app_context():
        found = {r.slug: r for r in db.session.scalars(select(Region))}
        db.session.expunge_all()
    return found


@pytest.fixture
def make(app, regions) -> Factory:
    """Factories for users, memberships, invitations, tokens: make.user(...), make.coordinator(...)."""
    return Factory(app, regions)


class AuthActions:
    """Log a test client in and out (flaskr's helper), through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password: str = "correct horse battery"):
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
