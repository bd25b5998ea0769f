"""Configuration: defaults from config/defaults.toml, overridden by HUB_* environment variables."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONFIG_DIR = Path(os.environ.get("HUB_CONFIG_DIR", Path(__file__).resolve().parents[2] / "config"))
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
INSECURE_SECRET_KEYS = {"", "dev-only-insecure-secret", "change-me", "secret"}


class ConfigError(RuntimeError):
    """The configuration cannot be used (e.g. production without a secret key)."""


def _coerce(raw: str, default: Any) -> Any:
    """Convert an environment string to the type of its default."""
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the hub's settings: the TOML defaults with HUB_* overrides applied."""
    environ = os.environ if environ is None else environ
    with open(CONFIG_DIR / "defaults.toml", "rb") as fh:
        settings: dict[str, Any] = tomllib.load(fh)
    for key, default in list(settings.items()):
        env_key = f"HUB_{key}"
        if env_key in environ:
            try:
                settings[key] = _coerce(environ[env_key], default)
            except (ValueError, ConfigError) as exc:
                raise ConfigError(f"{env_key}: {exc}") from exc
    return settings


def load_region_registry(path: Path | None = None) -> list[dict[str, Any]]:
    """Read the region registry (config/regions.toml)."""
    path = path or Path(os.environ.get("HUB_REGIONS_FILE", CONFIG_DIR / "regions.toml"))
    with open(path, "rb") as fh:
        return tomllib.load(fh).get("region", [])


def check_production_safety(config: dict[str, Any]) -> None:
    """Refuse to run in production with a default or missing secret key, or without the public address."""
    if config.get("ENV") != "production":
        return
    secret = str(config.get("SECRET_KEY") or "")
    if secret in INSECURE_SECRET_KEYS or len(secret) < 32:
        raise ConfigError(
            "HUB_SECRET_KEY must be set to a long random value in production "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    base = urlsplit(str(config.get("BASE_URL") or ""))
    if base.scheme not in ("http", "https") or not base.hostname or base.hostname in LOCAL_HOSTS:
        raise ConfigError(
            "HUB_BASE_URL must be set to the hub's public address in production (e.g. https://hub.example.org): "
            "every link in an e-mail is built from it, never from a request's Host header."
        )
