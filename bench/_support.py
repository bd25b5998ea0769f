"""What every benchmark needs: a PostgreSQL database of its own that is dropped afterwards."""

from __future__ import annotations


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
