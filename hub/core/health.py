"""Health endpoints for load balancers and supervisors: ``/healthz`` (alive) and ``/readyz`` (ready to serve).

``/healthz`` answers 200 as long as the process answers requests: it touches neither the database nor Redis, so
a database outage does not make a supervisor restart healthy workers. ``/readyz`` runs every registered check and
answers 200 when all pass, else 503; the JSON body names each check's result (only the kind of a failure, never a
URL or a message that could carry one: the details go to the log).

The checks are a small registry: ``register_check(name, fn)``, where ``fn()`` returns a short text when all is
well (or None) and raises on failure; registering a name again replaces the check (a feature may bring its own
"storage" check). The framework registers:

- ``database``: one ``SELECT 1``;
- ``redis``: PING, when HUB_REDIS_URL is set (otherwise "not configured" — the counters are per process);
- ``migrations``: the database's Alembic revision is the scripts' head (``hub.core.schema_check``);
- ``storage``: the table of uploaded files (``hub.core.storage``, in the database since issue 19) answers.

Both views are ``@public``, exempt from the rate limits, GET only (so no CSRF), outside every region (no tenancy),
and set no cookie.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify
from sqlalchemy import select, text

from hub.core.access import public
from hub.core.db import db
from hub.core.extensions import limiter

log = logging.getLogger("hub.core.health")

Check = Callable[[], str | None]
CHECKS: dict[str, Check] = {}

bp = Blueprint("health", __name__)


class CheckFailed(RuntimeError):
    """A check's own refusal, with words safe to show (no URL, no secret)."""


def register_check(name: str, check: Check) -> None:
    """Add (or replace) a readiness check."""
    CHECKS[name] = check


def run_checks() -> tuple[bool, dict[str, dict]]:
    """Every check's outcome: (all passed, {name: {"ok": bool, "detail": text}})."""
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        try:
            detail = check()
            results[name] = {"ok": True, "detail": detail or "ok"}
        except CheckFailed as exc:
            log.warning("readiness check %s failed: %s", name, exc, extra={"event": "readiness", "check": name})
            results[name] = {"ok": False, "detail": str(exc)}
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("readiness check %s failed", name, exc_info=True, extra={"event": "readiness", "check": name})
            results[name] = {"ok": False, "detail": f"failed ({type(exc).__name__})"}
    return all(r["ok"] for r in results.values()), results


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
@public
def healthz():
    """Alive: the process answers. No database, no Redis."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
@limiter.exempt
@public
def readyz():
    """Ready: database, Redis (when configured), storage and migrations; 503 naming what failed."""
    ready, results = run_checks()
    failed = [name for name, result in results.items() if not result["ok"]]
    body = {"status": "ready" if ready else "not ready", "failed": failed, "checks": results}
    return _no_store(jsonify(body)), 200 if ready else 503


# -- the framework's checks ----------------------------------------------------------------------------


def check_database() -> str:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return f"ok ({db.engine.dialect.name})"


def check_redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def check_migrations() -> str:
    from hub.core.schema_check import revision_state

    try:
        with db.engine.connect() as connection:
            state = revision_state(connection)
    except Exception as exc:
        raise CheckFailed(f"unknown: the database did not answer ({type(exc).__name__})") from exc
    if not state.current:
        raise CheckFailed(
            f"behind: the database is at {', '.join(state.database) or 'no revision'}, "
            f"the migrations' head is {', '.join(state.scripts)}"
        )
    return f"current ({', '.join(state.database)})"


def check_storage() -> str:
    """Uploaded files live in the database (hub.core.storage): its table must answer. One indexed row at most."""
    from hub.core.storage import StoredFile

    with db.engine.connect() as connection:
        connection.execute(select(StoredFile.id).limit(1))
    return "ok (database)"


def install(app) -> None:
    """Register the endpoints and the framework's checks (a feature's own checks come through its install hook)."""
    app.register_blueprint(bp)
    for name, check in (
        ("database", check_database),
        ("redis", check_redis),
        ("migrations", check_migrations),
        ("storage", check_storage),
    ):
        CHECKS.setdefault(name, check)
