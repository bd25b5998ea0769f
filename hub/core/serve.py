"""`make serve`: the hub in production mode on this machine — migrations, then gunicorn and the one scheduler.

1. The settings come from the environment (HUB_*), with these defaults for this machine:
   ``HUB_ENV=production``; ``HUB_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/cimis_hub`` (that
   database is created when the server answers and it is missing — only this default one; a URL you give must name
   a database that exists); ``HUB_REDIS_URL=redis://127.0.0.1:6379/0`` (set it empty to run without Redis: then
   rate limits count per worker). Production refuses to start without ``HUB_SECRET_KEY`` and a public
   ``HUB_BASE_URL`` (hub.core.settings); this script says so before anything starts.
2. ``hub setup`` applies the migrations and syncs the regions (production loads no demo data).
3. ``hub scheduler run`` and ``gunicorn -c config/gunicorn.conf.py hub.wsgi:app`` start side by side, each in a
   process group of its own, so a Ctrl-C reaches only this supervisor.
4. SIGINT (Ctrl-C) or SIGTERM: both get SIGTERM — gunicorn finishes its requests (graceful_timeout), the
   scheduler its running jobs — and this script waits for them; if one of them ends by itself, the other is
   stopped too and the exit code says so.

Workers: HUB_WORKERS or WEB_CONCURRENCY, else 2 × cores + 1; address: HUB_BIND, else 127.0.0.1:$PORT (8000).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.conf.py"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cimis_hub"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
STOP_SECONDS = 45  # gunicorn's graceful_timeout (30) and some


TEMPLATE_SUFFIXES = (".html", ".txt", ".ics", ".xml")


def compile_templates(app) -> int:
    """Compile every template of the app into Jinja's cache (hub/wsgi.py, in gunicorn's master before it forks,
    so that no worker pays for it on its first pages); returns how many."""
    names = [name for name in app.jinja_env.list_templates() if name.endswith(TEMPLATE_SUFFIXES)]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def say(message: str) -> None:
    print(f"serve: {message}", file=sys.stderr, flush=True)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HUB_ENV", "production")
    env.setdefault("HUB_DATABASE_URL", DEFAULT_DATABASE_URL)
    env.setdefault("HUB_REDIS_URL", DEFAULT_REDIS_URL)
    return env


def check_settings(env: dict[str, str]) -> str | None:
    """What is missing for production, in words (None: all there)."""
    sys.path.insert(0, str(ROOT))
    from hub.core.settings import ConfigError, check_production_safety, load_settings

    try:
        settings = load_settings(env)
        check_production_safety(settings)
    except ConfigError as exc:
        return str(exc)
    return None


def ensure_default_database(url: str) -> None:
    """Create the default database on the local server when it is missing (only the documented default)."""
    if url != DEFAULT_DATABASE_URL:
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=5) as c:
        if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            c.execute(f'CREATE DATABASE "{name}"')
            say(f"created the database {name} on 127.0.0.1:5432")


def executable(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    # A process group of its own: the terminal's Ctrl-C (SIGINT to the foreground group) reaches only us.
    return subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)


def stop_all(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop within {STOP_SECONDS} s: killed")
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> int:
    env = environment()
    problem = check_settings(env)
    if problem:
        say(problem)
        say("make serve runs the hub in production mode: set HUB_SECRET_KEY and HUB_BASE_URL (docs/DEPLOY.md).")
        return 2
    try:
        ensure_default_database(env["HUB_DATABASE_URL"])
    except Exception as exc:  # noqa: BLE001 - any failure: say which server did not answer
        say(f"PostgreSQL on 127.0.0.1:5432 does not answer ({exc}); set HUB_DATABASE_URL (docs/DEPLOY.md)")
        return 2
    database = urlsplit(env["HUB_DATABASE_URL"])
    redis = env["HUB_REDIS_URL"] or "none (counters per worker)"
    say(f"database {database.scheme}://{database.hostname or ''}{database.path}, redis {redis}")
    hub = executable("hub")
    if subprocess.call([hub, "setup"], cwd=ROOT, env=env) != 0:
        say("hub setup (migrations) failed: nothing started")
        return 1

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    processes = {
        "scheduler": start([hub, "scheduler", "run"], env),
        "gunicorn": start([executable("gunicorn"), "-c", str(GUNICORN_CONFIG), "hub.wsgi:app"], env),
    }
    say(f"started gunicorn (pid {processes['gunicorn'].pid}) and the scheduler (pid {processes['scheduler'].pid})")
    ended = None
    while not stopping and ended is None:
        time.sleep(0.2)
        ended = next((name for name, p in processes.items() if p.poll() is not None), None)
    if ended:
        say(f"{ended} ended by itself (exit code {processes[ended].returncode}): stopping the other")
    else:
        say("stopping: gunicorn finishes its requests, the scheduler its running jobs")
    stop_all(processes)
    say("stopped")
    if ended:
        return processes[ended].returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
