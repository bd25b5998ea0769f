"""What every benchmark needs: a PostgreSQL database of its own that is dropped afterwards."""

from __future__ import annotations

import platform
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


def postgres_database(url: str, keep: bool = False):
    """Create the PostgreSQL database of this URL if it is missing; the callback drops it if we made it."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    server = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    admin = psycopg.connect(server, autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{parsed.database}"')

    def drop():
        if not exists and not keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        admin.close()

    return drop


# The settings every benchmark's app runs with: cheap password hashes, no mail, no CSRF, no limits.
BENCH_CONFIG = {
    "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
    "PASSWORD_HASH_PROFILE": "cheapest",
    "WTF_CSRF_ENABLED": False,
    "MAIL_SERVER": "",
    "RATELIMIT_ENABLED": False,
}


@contextmanager
def bench_database(database_url: str | None):
    """The benchmark's database: the given PostgreSQL URL (created and dropped here if missing), or a
    fresh SQLite file (removed afterwards)."""
    scratch = None if database_url else tempfile.mkdtemp(prefix="hub-bench-")
    url = database_url or f"sqlite:///{scratch}/bench.sqlite3"
    drop = postgres_database(url) if url.startswith("postgresql") else (lambda: None)
    try:
        yield url
    finally:
        drop()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def cpu_model() -> str:
    """The processor's name, for the line that says where a benchmark ran."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
