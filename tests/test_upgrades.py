"""Upgrades as an installation meets them, on SQLite and on PostgreSQL (issue 19, item 7).

- From empty to head: the result is the models' schema (`hub db check`'s comparison, hub.core.schema_check).
- From the previous release with data: a database at revision 0016 (the release before issue 18's migrations
  0017–0021) gets representative rows written with plain SQL in 0016's own schema — regions, accounts, memberships,
  profiles with consent, an event with a registration, a cohort and a match with members —; then it is upgraded
  to head, the rows are all there with their values, the schema matches the models, and the hub serves the people
  on it (login, home, the event, the match, the directory).

PostgreSQL: a throw-away database on HUB_TEST_POSTGRES_URL's server (default 127.0.0.1:5432, as
.ci/postgres_suite.py), dropped after; without a server the PostgreSQL cases skip with one line, except in CI
(CI=true), where they fail.
"""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from hub import create_app
from hub.core.db import db
from hub.core.schema_check import describe_difference, revision_state, schema_differences
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD

pytestmark = pytest.mark.slow

PREVIOUS_RELEASE = "0016"
SERVER = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    try:
        import psycopg

        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        if IN_CI:
            pytest.fail(f"PostgreSQL at {SERVER} is not reachable, and CI needs it: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {SERVER.rsplit('@', 1)[-1]}: upgrade tested on SQLite only")
    name = f"hub_upgrade_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def hub_on(empty_database, tmp_path):
    """The hub on that database (not migrated yet)."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database, "INSTANCE_PATH": str(tmp_path / "i")})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _agrees_with_the_models(app) -> None:
    with app.app_context(), db.engine.connect() as connection:
        assert revision_state(connection).current
        assert [describe_difference(d) for d in schema_differences(connection)] == []


def test_from_empty_to_head(hub_on):
    with hub_on.app_context():
        upgrade()
    _agrees_with_the_models(hub_on)


# -- the previous release, with data ---------------------------------------------------------------------

NOW = datetime(2026, 11, 2, 9, 30)  # naive UTC: both drivers store it as it is


def _insert(connection, table: str, **values) -> None:
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)


def _region(connection, id_, slug, name, position):
    _insert(
        connection,
        "region",
        id=id_,
        slug=slug,
        name=name,
        organisation=f"Netzwerk {name}",
        supporters="[]",
        contact_email=f"{slug}@example.org",
        town=name,
        accent_color="#336699",
        is_umbrella_lead=False,
        position=position,
        active=True,
    )


def _account(connection, id_, email, name, password_hash):
    _insert(
        connection,
        "user_account",
        id=id_,
        email=email,
        name=name,
        password_hash=password_hash,
        active=True,
        created_at=NOW,
        last_login_at=NOW,
    )


def _profile(connection, id_, user_id, region_id, kind, name, offers, needs):
    _insert(
        connection,
        "profile",
        id=id_,
        user_id=user_id,
        kind=kind,
        display_name=name,
        organisation_name="",
        pitch=f"{name} stellt sich vor",
        description="",
        submarkets='["design"]',
        sector="",
        offer_tags=offers,
        offers_text="",
        need_tags=needs,
        needs_text="",
        town="Annaberg-Buchholz",
        website="",
        contact_email=f"profile{id_}@example.org",
        email_key=f"profile{id_}@example.org",
        contact_phone="",
        languages='["de"]',
        visibility="network",
        contact_visibility="members",
        consent_version="2024-01",
        consent_given_at=NOW,
        created_at=NOW,
        updated_at=NOW,
        region_id=region_id,
    )
    _insert(
        connection,
        "consent_record",
        profile_id=id_,
        action="given",
        version="2024-01",
        at=NOW,
        by_user_id=user_id,
        region_id=region_id,
    )


def _write_the_previous_releases_rows(app) -> None:
    from hub.accounts.passwords import hash_password

    with app.app_context():
        password_hash = hash_password(PASSWORD)
        with db.engine.begin() as c:
            if c.dialect.name == "postgresql":
                c.execute(text("SET TIME ZONE 'UTC'"))
            _region(c, 1, "erzgebirge", "Erzgebirge", 1)
            _region(c, 2, "meissen", "Meißen", 2)
            _account(c, 1, "koordination@example.org", "Kora Koordinatorin", password_hash)
            _account(c, 2, "ben@example.org", "Ben Bildhauer", password_hash)
            _account(c, 3, "carla@example.org", "Carla Chemnitz", password_hash)
            for id_, user_id, role, region_id in (
                (1, 1, "coordinator", 1),
                (2, 2, "participant", 1),
                (3, 3, "participant", 2),
            ):
                _insert(c, "membership", id=id_, user_id=user_id, role=role, created_at=NOW, region_id=region_id)
            _profile(c, 1, 2, 1, "creative", "Ben Bildhauer", '["Holzbildhauerei"]', '["Fotografie"]')
            _profile(c, 2, 3, 2, "creative", "Carla Chemnitz", '["Fotografie"]', '["Holzbildhauerei"]')
            starts = NOW + timedelta(days=20)
            _insert(
                c,
                "event",
                id=1,
                detached=False,
                uid="upgrade-test-1@cimis-hub",
                sequence=0,
                title="Werkstattabend Holz",
                type="kickoff",
                description="Ein Abend in der Werkstatt.",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                timezone="Europe/Berlin",
                all_day=False,
                venue="Alte Brauerei",
                address="Annaberg-Buchholz",
                online_url="",
                audience="network",
                capacity=10,
                status="published",
                questions="[]",
                registered_count=1,
                waitlisted_count=0,
                created_at=NOW,
                updated_at=NOW,
                region_id=1,
            )
            _insert(
                c,
                "registration",
                id=1,
                event_id=1,
                user_id=2,
                status="registered",
                answers="{}",
                queued_at=NOW,
                created_at=NOW,
                region_id=1,
            )
            _insert(
                c,
                "cohort",
                id=1,
                name="Kohorte 2026",
                starts_on=date(2026, 1, 1),
                ends_on=date(2027, 6, 30),
                funding_per_match_cents=500000,
                planned_expert_events=4,
                description="",
                created_at=NOW,
            )
            _insert(
                c,
                "cocreation_match",
                id=1,
                cohort_id=1,
                title="Holz trifft Licht",
                challenge="Eine Ausstellung",
                goals="Drei Objekte",
                status="active",
                proposed_on=date(2026, 10, 1),
                started_on=date(2026, 10, 15),
                outcome="",
                case_study="",
                budget_cents=500000,
                paid_cents=120000,
                committed_cents=200000,
                created_by_id=1,
                created_at=NOW,
                updated_at=NOW,
                region_id=1,
            )
            _insert(c, "match_member", id=1, match_id=1, profile_id=1, role="creative", role_note="", region_id=1)
            if c.dialect.name == "postgresql":  # rows with their own ids: the sequences go on after them, as in use
                for table in (
                    "region",
                    "user_account",
                    "membership",
                    "profile",
                    "consent_record",
                    "event",
                    "registration",
                    "cohort",
                    "cocreation_match",
                    "match_member",
                ):
                    c.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                    )


def _login(client, email):
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_from_the_previous_release_with_its_data(hub_on):
    app = hub_on
    with app.app_context():
        upgrade(revision=PREVIOUS_RELEASE)
    _write_the_previous_releases_rows(app)
    with app.app_context():
        upgrade()
    _agrees_with_the_models(app)

    with app.app_context(), db.engine.connect() as c:
        scalar = lambda sql: c.execute(text(sql)).scalar_one()  # noqa: E731
        assert scalar("SELECT count(*) FROM region") == 2
        assert scalar("SELECT count(*) FROM user_account") == 3
        assert scalar("SELECT count(*) FROM membership") == 3
        assert scalar("SELECT count(*) FROM profile") == 2
        assert scalar("SELECT count(*) FROM consent_record") == 2
        assert scalar("SELECT title FROM event WHERE id = 1") == "Werkstattabend Holz"
        assert scalar("SELECT registered_count FROM event WHERE id = 1") == 1
        assert scalar("SELECT status FROM registration WHERE id = 1") == "registered"
        assert scalar("SELECT paid_cents FROM cocreation_match WHERE id = 1") == 120000
        assert scalar("SELECT profile_id FROM match_member WHERE id = 1") == 1
        # 0017 filled the people-to-meet tag index for the profiles that were there.
        assert scalar("SELECT count(*) FROM meet_tag") == 4

    client = app.test_client()
    _login(client, "ben@example.org")
    home = client.get("/")
    assert home.status_code == 200
    assert "Ben Bildhauer" in home.get_data(as_text=True)
    event = client.get("/calendar/events/1")
    assert event.status_code == 200 and "Werkstattabend Holz" in event.get_data(as_text=True)
    match = client.get("/erzgebirge/matches/1")
    assert match.status_code == 200 and "Holz trifft Licht" in match.get_data(as_text=True)
    assert client.get("/people/").status_code == 200
    coordinator = app.test_client()
    _login(coordinator, "koordination@example.org")
    assert coordinator.get("/").status_code == 200
    members = coordinator.get("/erzgebirge/members/")
    assert members.status_code == 200 and "Ben Bildhauer" in members.get_data(as_text=True)
