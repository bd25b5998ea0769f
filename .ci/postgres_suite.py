"""Run the test suite once more against PostgreSQL, on a throw-away database that is dropped after.

Without a reachable server this prints one line and exits 0, except in CI (CI=true), where an
unreachable PostgreSQL fails the run. HUB_TEST_POSTGRES_URL names the server (default: the local
one on 127.0.0.1:5432 with trust auth).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

SERVER = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def main() -> int:
    try:
        import psycopg

        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        if IN_CI:
            print(f"PostgreSQL at {SERVER} is not reachable, and CI needs it: {exc}", file=sys.stderr)
            return 1
        print(f"PostgreSQL not reachable at {SERVER.rsplit('@', 1)[-1]}: ran the suite on SQLite only.")
        return 0
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    # A throw-away database: no need to wait for each commit to reach the disk.
    admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    base = SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    env = {**os.environ, "HUB_TEST_DATABASE_URL": f"{base}/{name}"}
    print(f"Running the suite on PostgreSQL (throw-away database {name})", flush=True)
    try:
        return subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
