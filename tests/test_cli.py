"""The `hub` command: region registry, accounts, tokens, demo data, migrations."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from hub.accounts.models import Membership, User
from hub.accounts.services import authenticate
from hub.core.db import db
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "config" / "regions.toml"
FOUR = {"erzgebirge", "meissen", "lausitz", "dresden"}

VOGTLAND = """
[[region]]
slug = "vogtland"
name = "Vogtland"
organisation = "Kreatives Vogtland (Beispiel)"
supporters = ["Beispielstiftung Vogtland"]
contact_email = "vogtland@cimis-hub.example"
town = "Plauen"
accent_color = "#336699"
"""


def _region_block(slug: str, color: str = "#336699") -> str:
    return (
        f'\n[[region]]\nslug = "{slug}"\nname = "Neue Region"\norganisation = "Beispiel e.V."\n'
        f'accent_color = "{color}"\n'
    )


@pytest.fixture
def registry(app, tmp_path, monkeypatch):
    """Write a region registry (the four real regions plus extra blocks) and point HUB_REGIONS_FILE at it.

    Regions other than the four are deleted afterwards, so later tests see the four only.
    """
    path = tmp_path / "regions.toml"

    def write(*extra_blocks: str) -> Path:
        path.write_text(REGISTRY.read_text(encoding="utf-8") + "".join(extra_blocks), encoding="utf-8")
        monkeypatch.setenv("HUB_REGIONS_FILE", str(path))
        return path

    yield write
    with app.app_context():
        db.session.execute(delete(Region).where(Region.slug.not_in(FOUR)))
        db.session.commit()


def _region(app, slug: str) -> Region | None:
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == slug))
        db.session.expunge_all()
        return region


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def _row_counts(app) -> dict[str, int]:
    with app.app_context(), all_regions():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


# regions sync ---------------------------------------------------------------------------------


def test_regions_sync_on_a_synced_database_reports_up_to_date(runner):
    result = runner.invoke(args=["regions", "sync"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_a_fifth_region_is_one_registry_entry_and_a_sync(app, runner, client, registry):
    registry(VOGTLAND)

    result = runner.invoke(args=["regions", "sync"])

    assert result.exit_code == 0, result.output
    assert "created: vogtland" in result.output
    region = _region(app, "vogtland")
    assert region is not None and region.active
    assert region.name == "Vogtland"
    assert region.organisation == "Kreatives Vogtland (Beispiel)"
    assert region.supporters == ["Beispielstiftung Vogtland"]
    assert region.accent_color == "#336699"
    assert client.get("/vogtland/").status_code == 200
    listed = {r["slug"]: r for r in client.get("/api/v1/regions").get_json()}
    assert set(listed) == FOUR | {"vogtland"}
    assert listed["vogtland"]["town"] == "Plauen"


def test_a_second_sync_of_the_same_registry_changes_nothing(runner, registry):
    registry(VOGTLAND)
    runner.invoke(args=["regions", "sync"])

    result = runner.invoke(args=["regions", "sync"])

    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_a_region_removed_from_the_registry_is_deactivated_but_kept(app, runner, client, registry):
    registry(VOGTLAND)
    assert runner.invoke(args=["regions", "sync"]).exit_code == 0
    region_id = _region(app, "vogtland").id

    registry()  # the four regions only
    result = runner.invoke(args=["regions", "sync"])

    assert result.exit_code == 0, result.output
    assert "deactivated: vogtland" in result.output
    region = _region(app, "vogtland")
    assert region is not None, "the row must be kept"
    assert region.id == region_id
    assert region.active is False
    assert client.get("/vogtland/").status_code == 404
    assert "vogtland" not in {r["slug"] for r in client.get("/api/v1/regions").get_json()}


def test_a_region_put_back_into_the_registry_is_active_again(app, runner, client, registry):
    registry(VOGTLAND)
    runner.invoke(args=["regions", "sync"])
    registry()
    runner.invoke(args=["regions", "sync"])
    registry(VOGTLAND)

    result = runner.invoke(args=["regions", "sync"])

    assert result.exit_code == 0, result.output
    assert "updated: vogtland" in result.output
    assert _region(app, "vogtland").active
    assert client.get("/vogtland/").status_code == 200


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (_region_block("Bad Slug"), "lower-case letters, digits and dashes"),
        (_region_block("x"), "lower-case letters, digits and dashes"),
        (_region_block("harz", color="red"), "accent_color must look like #1a2b3c"),
        (_region_block("harz", color="#12345"), "accent_color must look like #1a2b3c"),
    ],
    ids=["slug-with-space-and-capitals", "slug-too-short", "colour-name", "colour-too-short"],
)
def test_a_bad_slug_or_colour_is_refused_and_nothing_is_written(app, runner, registry, block, message):
    # A valid new region first: the refusal must not leave it half-written.
    registry(_region_block("westerzgebirge"), block)

    result = runner.invoke(args=["regions", "sync"])

    assert result.exit_code != 0
    assert message in result.output + str(result.exception or "")
    assert _region(app, "westerzgebirge") is None
    with app.app_context():
        assert set(db.session.scalars(select(Region.slug))) == FOUR


def test_a_bad_registry_entry_is_reported_as_a_clean_error_not_a_traceback(runner, registry):
    registry(_region_block("Bad Slug"))

    result = runner.invoke(args=["regions", "sync"])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}"
    assert "Error: regions.toml: region slug 'Bad Slug' must be lower-case letters, digits and dashes" in result.output


@pytest.mark.parametrize("slug", ["api", "admin", "login", "static"])
def test_a_slug_that_would_shadow_the_hubs_own_pages_is_refused(app, runner, client, registry, slug):
    registry(_region_block(slug))

    result = runner.invoke(args=["regions", "sync"])

    assert result.exit_code == 1
    assert f"region slug '{slug}' is taken by the hub's own pages" in result.output
    assert _region(app, slug) is None


# users create ---------------------------------------------------------------------------------

GOOD_PASSWORD = "a long enough password"


def test_users_create_makes_a_coordinator_with_a_membership(app, runner):
    result = runner.invoke(
        args=[
            "users", "create", "Koordination@Example.org", "--name", "Koordination Lausitz",
            "--role", "coordinator", "--region", "lausitz", "--password", GOOD_PASSWORD,
        ]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "created koordination@example.org (coordinator in lausitz)" in result.output
    with app.app_context(), all_regions():
        user = db.session.scalar(select(User).where(User.email == "koordination@example.org"))
        assert user is not None
        assert user.name == "Koordination Lausitz"
        assert user.global_role is None
        memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
        assert [(m.region.slug, m.role) for m in memberships] == [("lausitz", Role.COORDINATOR)]
        assert authenticate("koordination@example.org", GOOD_PASSWORD) is not None
        db.session.rollback()


def test_users_create_defaults_the_name_to_the_part_before_the_at(app, runner):
    result = runner.invoke(
        args=["users", "create", "kim@example.org", "--role", "participant", "--region", "dresden",
              "--password", GOOD_PASSWORD]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.email == "kim@example.org")) == "kim"


@pytest.mark.parametrize(
    ("extra_args", "message"),
    [
        (["--role", "coordinator"], "--region is required for the role coordinator"),
        (["--role", "participant"], "--region is required for the role participant"),
        (["--role", "coordinator", "--region", "atlantis"], "unknown region 'atlantis'"),
        (["--role", "coordinator", "--region", "lausitz", "--password", "too-short"], "at least 12 characters"),
        (["--role", "umbrella", "--password", "short"], "at least 12 characters"),
        (["--role", "superuser"], "Invalid value for '--role'"),
    ],
    ids=["coordinator-without-region", "participant-without-region", "unknown-region", "short-password",
         "umbrella-short-password", "unknown-role"],
)  # fmt: skip
def test_users_create_refuses_bad_input_and_creates_nothing(app, runner, extra_args, message):
    if "--password" not in extra_args:
        extra_args = [*extra_args, "--password", GOOD_PASSWORD]

    result = runner.invoke(args=["users", "create", "someone@example.org", *extra_args])

    assert result.exit_code != 0
    assert message in result.output
    assert _user_count(app) == 0


def test_users_create_refuses_an_e_mail_address_that_exists(app, runner, make):
    make.participant("erzgebirge", email="taken@example.org")

    result = runner.invoke(
        args=["users", "create", "TAKEN@example.org", "--role", "admin", "--password", GOOD_PASSWORD]
    )

    assert result.exit_code == 1
    assert "exists already" in result.output
    assert _user_count(app) == 1


@pytest.mark.parametrize("role", ["umbrella", "admin"])
def test_global_roles_need_no_region(app, runner, role):
    result = runner.invoke(args=["users", "create", f"{role}@example.org", "--role", role, "--password", GOOD_PASSWORD])

    assert result.exit_code == 0, result.output
    assert f"created {role}@example.org ({role})" in result.output
    with app.app_context(), all_regions():
        user = db.session.scalar(select(User).where(User.email == f"{role}@example.org"))
        assert user.global_role == Role(role)
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


# tokens create --------------------------------------------------------------------------------


def test_tokens_create_prints_a_token_that_works_as_bearer_on_the_api(runner, client, make):
    person = make.coordinator("meissen", email="token-owner@example.org")

    result = runner.invoke(args=["tokens", "create", "token-owner@example.org", "--name", "export script"])

    assert result.exit_code == 0, result.output
    raw = result.output.strip()
    assert raw and "\n" not in raw
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    me = response.get_json()
    assert me["id"] == person.id
    assert me["email"] == "token-owner@example.org"
    assert me["memberships"] == [{"region": "meissen", "role": "coordinator"}]


def test_a_made_up_bearer_token_is_refused(client, make):
    make.participant("meissen")
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer cimis_not-a-real-token"})
    assert response.status_code == 401


def test_tokens_create_for_an_unknown_account_fails(runner):
    result = runner.invoke(args=["tokens", "create", "nobody@example.org"])
    assert result.exit_code == 1
    assert "no account for nobody@example.org" in result.output


# demo load ------------------------------------------------------------------------------------


def _changes(output: str) -> int:
    match = re.search(r"\((\d+) changes\)", output)
    assert match, output
    return int(match.group(1))


def test_demo_load_is_idempotent(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert _changes(first.output) > 0
    counts = _row_counts(app)

    second = runner.invoke(args=["demo", "load"])

    assert second.exit_code == 0, second.output
    assert _changes(second.output) == 0
    assert _row_counts(app) == counts


def test_the_demo_network_has_every_role_in_every_region(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0

    with app.app_context(), all_regions():
        assert set(db.session.scalars(select(Region.slug).where(Region.active))) == FOUR
        coordinators = db.session.execute(
            select(Region.slug, func.count())
            .select_from(Membership)
            .join(Region)
            .where(Membership.role == Role.COORDINATOR)
            .group_by(Region.slug)
        ).all()
        assert {slug for slug, n in coordinators if n >= 1} == FOUR
        global_roles = set(db.session.scalars(select(User.global_role).where(User.global_role.is_not(None))))
        assert {Role.UMBRELLA, Role.ADMIN} <= global_roles
        erzgebirge_participants = db.session.scalars(
            select(User.name)
            .join(Membership)
            .join(Region)
            .where(Region.slug == "erzgebirge", Membership.role == Role.PARTICIPANT)
        ).all()
        assert any("Alte Brauerei" in name for name in erzgebirge_participants), erzgebirge_participants


def test_the_demo_uses_placeholder_addresses_only(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0

    with app.app_context():
        addresses = list(db.session.scalars(select(User.email)))
        addresses += [a for a in db.session.scalars(select(Region.contact_email)) if a]
    assert addresses
    assert [a for a in addresses if not a.endswith("@cimis-hub.example")] == []


# migrations and the console script ------------------------------------------------------------


def test_the_migration_commands_are_available(runner):
    result = runner.invoke(args=["db", "--help"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^\s+upgrade\s", result.output, re.MULTILINE), result.output


@pytest.mark.processes
def test_the_hub_console_script_lists_the_hub_commands(tmp_path):
    script = Path(sys.prefix) / "bin" / "hub"
    assert script.is_file() and os.access(script, os.X_OK), f"{script} missing: pip install -e . in the venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "FLASK_"))}
    env["HUB_DATABASE_URL"] = f"sqlite:///{tmp_path / 'hub.sqlite3'}"

    completed = subprocess.run(
        [str(script), "--help"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )

    assert completed.returncode == 0, completed.stderr
    listed = set(re.findall(r"^  (\S+)", completed.stdout.split("Commands:", 1)[-1], re.MULTILINE))
    assert {"regions", "users", "tokens", "demo", "mail", "setup", "db"} <= listed, completed.stdout


# hub setup -------------------------------------------------------------------------------------


def _setup_in(tmp_path, env_extra: dict[str, str]) -> tuple[subprocess.CompletedProcess, Path]:
    script = Path(sys.prefix) / "bin" / "hub"
    database = tmp_path / "hub.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "FLASK_"))}
    env.update(HUB_DATABASE_URL=f"sqlite:///{database}", HUB_INSTANCE_PATH=str(tmp_path), **env_extra)
    completed = subprocess.run(
        [str(script), "setup"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    return completed, database


def _accounts_in(database: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(database) as conn:
        return [row[0] for row in conn.execute("SELECT email FROM user_account")]


@pytest.mark.slow
@pytest.mark.processes
def test_setup_in_production_never_loads_the_demo_network(tmp_path):
    """The demo's admin has a published password: in production it would be an open door."""
    completed, database = _setup_in(
        tmp_path,
        {"HUB_ENV": "production", "HUB_SECRET_KEY": "x" * 48, "HUB_BASE_URL": "https://hub.example.org"},
    )
    assert completed.returncode == 0, completed.stderr
    assert "no demo data in production" in completed.stdout
    assert _accounts_in(database) == []


@pytest.mark.slow
@pytest.mark.processes
def test_setup_in_development_loads_the_demo_network_into_an_empty_database(tmp_path):
    completed, database = _setup_in(tmp_path, {"HUB_PASSWORD_HASH_PROFILE": "cheapest"})
    assert completed.returncode == 0, completed.stderr
    assert "admin@cimis-hub.example" in _accounts_in(database)


# -- hub db check ----------------------------------------------------------------------------------------


def test_db_check_on_a_current_database_says_so_and_exits_0(runner):
    from hub.core.cli import db_check_command

    result = runner.invoke(db_check_command)
    assert result.exit_code == 0, result.output
    assert "migrations are current (revision 0" in result.output
    assert "the schema matches the models" in result.output


def test_db_check_is_the_hubs_under_hub_db():
    from click.testing import CliRunner

    from hub.core.cli import db_check_command, main

    result = CliRunner().invoke(main, ["db", "--help"])
    assert "check" in result.output
    from flask_migrate.cli import db as db_group

    assert db_group.get_command(None, "check") is db_check_command


def test_db_check_names_a_migration_behind_and_the_differences_in_words(tmp_path):
    from flask_migrate import upgrade

    from hub import create_app
    from hub.core.cli import db_check_command
    from hub.core.schema_check import script_heads
    from tests.conftest import TEST_CONFIG

    other = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'behind.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with other.app_context():
        upgrade(revision="0020")  # 0021 adds the saved searches' tables
        db.engine.dispose()
    result = other.test_cli_runner().invoke(db_check_command)
    assert result.exit_code == 1
    assert f"the database is at revision 0020, the migrations' head is {script_heads()[0]}" in result.output
    assert "the table 'saved_search' is in the models but not in the database" in result.output


def test_db_check_says_when_the_database_does_not_answer(tmp_path):
    import socket

    from hub import create_app
    from hub.core.cli import db_check_command
    from tests.conftest import TEST_CONFIG

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    other = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{port}/none",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    result = other.test_cli_runner().invoke(db_check_command)
    assert result.exit_code == 1
    assert "the database does not answer" in result.output
