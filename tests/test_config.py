"""Configuration: config/defaults.toml, HUB_* environment overrides, production safety, the registry."""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from pathlib import Path

import pytest

from hub import create_app
from hub.core.settings import ConfigError, load_region_registry, load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = ROOT / "config" / "defaults.toml"
QUIET_DB = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}


@pytest.fixture
def clean_env(monkeypatch):
    """No HUB_* variable of the surrounding shell leaks into these tests."""
    for key in list(os.environ):
        if key.startswith("HUB_") and key not in {"HUB_CONFIG_DIR", "HUB_TEST_DATABASE_URL"}:
            monkeypatch.delenv(key)
    return monkeypatch


# load_settings --------------------------------------------------------------------------------


def test_settings_default_to_config_defaults_toml(clean_env):
    with open(DEFAULTS, "rb") as fh:
        defaults = tomllib.load(fh)

    settings = load_settings()

    assert settings == defaults
    assert settings["ENV"] == "development"
    assert settings["DATABASE_URL"] == ""
    assert settings["LANGUAGES"].split(",")[0] == "de"
    assert settings["MAIL_PORT"] == 587 and settings["MAIL_USE_TLS"] is True
    assert settings["MAIL_GIVE_UP_HOURS"] == 120 and settings["MAIL_RETRY_MAX_SECONDS"] == 3600


def test_an_environment_variable_overrides_a_string_setting(clean_env):
    clean_env.setenv("HUB_MAIL_SERVER", "smtp.example.org")
    clean_env.setenv("HUB_BASE_URL", "https://hub.example.org")

    settings = load_settings()

    assert settings["MAIL_SERVER"] == "smtp.example.org"
    assert settings["BASE_URL"] == "https://hub.example.org"


def test_an_integer_setting_from_the_environment_is_an_int(clean_env):
    clean_env.setenv("HUB_MAIL_PORT", "2525")

    value = load_settings()["MAIL_PORT"]

    assert value == 2525 and type(value) is int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("false", False), ("0", False), ("no", False), ("Off", False), ("true", True), ("1", True), ("YES", True)],
)
def test_a_boolean_setting_from_the_environment_is_a_bool(clean_env, raw, expected):
    clean_env.setenv("HUB_MAIL_USE_TLS", raw)

    assert load_settings()["MAIL_USE_TLS"] is expected


def test_a_bad_boolean_raises_a_config_error_naming_the_variable(clean_env):
    clean_env.setenv("HUB_MAIL_USE_TLS", "maybe")

    with pytest.raises(ConfigError, match=r"HUB_MAIL_USE_TLS.*'maybe'"):
        load_settings()


def test_a_bad_integer_raises_a_config_error_naming_the_variable(clean_env):
    clean_env.setenv("HUB_MAIL_PORT", "smtp")

    with pytest.raises(ConfigError, match="HUB_MAIL_PORT"):
        load_settings()


def test_variables_without_a_default_are_ignored(clean_env):
    clean_env.setenv("HUB_NO_SUCH_SETTING", "x")

    assert "NO_SUCH_SETTING" not in load_settings()


def test_environment_overrides_reach_the_app_config(clean_env):
    clean_env.setenv("HUB_MAIL_PORT", "2525")
    clean_env.setenv("HUB_MAIL_USE_TLS", "false")
    clean_env.setenv("HUB_INVITATION_DAYS", "3")

    app = create_app(QUIET_DB)

    assert app.config["MAIL_PORT"] == 2525
    assert app.config["MAIL_USE_TLS"] is False
    assert app.config["INVITATION_DAYS"] == 3


# Production safety ----------------------------------------------------------------------------


def test_production_with_the_default_secret_key_refuses_to_start(clean_env):
    clean_env.setenv("HUB_ENV", "production")

    with pytest.raises(ConfigError, match="HUB_SECRET_KEY"):
        create_app(QUIET_DB)


@pytest.mark.parametrize("secret", ["change-me", "secret", "", "too-short-0123456789"])
def test_production_with_a_weak_secret_key_refuses_to_start(clean_env, secret):
    clean_env.setenv("HUB_ENV", "production")
    clean_env.setenv("HUB_SECRET_KEY", secret)

    with pytest.raises(ConfigError, match="HUB_SECRET_KEY"):
        create_app(QUIET_DB)


def test_production_set_through_test_config_is_checked_too(clean_env):
    with pytest.raises(ConfigError):
        create_app({**QUIET_DB, "ENV": "production"})


def test_production_with_a_long_random_secret_key_starts(clean_env):
    secret = secrets.token_urlsafe(48)
    clean_env.setenv("HUB_ENV", "production")
    clean_env.setenv("HUB_SECRET_KEY", secret)
    clean_env.setenv("HUB_BASE_URL", "https://hub.example.org")

    app = create_app(QUIET_DB)

    assert app.config["ENV"] == "production"
    assert app.config["SECRET_KEY"] == secret


@pytest.mark.parametrize("base_url", [None, "", "http://127.0.0.1:5000", "http://localhost", "hub.example.org"])
def test_production_without_its_public_address_refuses_to_start(clean_env, base_url):
    clean_env.setenv("HUB_ENV", "production")
    clean_env.setenv("HUB_SECRET_KEY", secrets.token_urlsafe(48))
    if base_url is not None:
        clean_env.setenv("HUB_BASE_URL", base_url)

    with pytest.raises(ConfigError, match="HUB_BASE_URL"):
        create_app(QUIET_DB)


def test_development_starts_with_the_default_secret_key(clean_env):
    app = create_app(QUIET_DB)

    assert app.config["ENV"] == "development"


# Database location ----------------------------------------------------------------------------


def test_without_hub_database_url_the_database_is_an_sqlite_file_in_the_instance_folder(clean_env):
    app = create_app({"TESTING": True})  # no SQLALCHEMY_DATABASE_URI: the settings decide

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///")
    path = Path(uri.removeprefix("sqlite:///"))
    assert path.is_absolute()
    assert path.parent == Path(app.instance_path)
    assert path.name == "hub.sqlite3"


def test_hub_database_url_chooses_the_database(clean_env, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    clean_env.setenv("HUB_DATABASE_URL", url)

    app = create_app({"TESTING": True})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == url


# The region registry --------------------------------------------------------------------------


def test_the_registry_lists_the_four_regions(clean_env):
    entries = load_region_registry()

    assert [e["slug"] for e in entries] == ["erzgebirge", "meissen", "lausitz", "dresden"]
    for entry in entries:
        assert entry["name"] and entry["organisation"]
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", entry["accent_color"]), entry
        assert entry["contact_email"].endswith("@cimis-hub.example")
    assert len({e["accent_color"].lower() for e in entries}) == 4, "each region has its own colour"


def test_erzgebirge_names_its_association_and_its_supporter(clean_env):
    erzgebirge = {e["slug"]: e for e in load_region_registry()}["erzgebirge"]

    assert erzgebirge["name"] == "Erzgebirge"
    assert (
        erzgebirge["organisation"]
        == "Kreatives Erzgebirge — Branchenverband der Kultur- und Kreativwirtschaft Erzgebirge e.V."
    )
    assert erzgebirge["supporters"] == ["Wirtschaftsförderung Erzgebirge e.V."]


def test_dresden_leads_the_umbrella_project(clean_env):
    leads = [e["slug"] for e in load_region_registry() if e.get("umbrella")]

    assert leads == ["dresden"]


def test_the_registry_reaches_the_database_and_the_api(client, regions):
    assert regions["erzgebirge"].organisation.startswith("Kreatives Erzgebirge — Branchenverband")
    assert regions["erzgebirge"].supporters == ["Wirtschaftsförderung Erzgebirge e.V."]
    assert regions["dresden"].is_umbrella_lead

    listed = {r["slug"]: r for r in client.get("/api/v1/regions").get_json()}

    assert list(listed) == ["erzgebirge", "meissen", "lausitz", "dresden"]
    assert listed["erzgebirge"]["supporters"] == ["Wirtschaftsförderung Erzgebirge e.V."]
    assert listed["meissen"]["accent_color"] == "#8a2d3b"


def test_hub_regions_file_points_at_another_registry(clean_env, tmp_path):
    path = tmp_path / "regions.toml"
    path.write_text('[[region]]\nslug = "harz"\nname = "Harz"\norganisation = "Beispiel e.V."\n', encoding="utf-8")
    clean_env.setenv("HUB_REGIONS_FILE", str(path))

    assert [e["slug"] for e in load_region_registry()] == ["harz"]
