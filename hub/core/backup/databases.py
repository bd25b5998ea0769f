"""Taking and restoring a point-in-time snapshot of the hub's database, on SQLite and on PostgreSQL.

SQLite copies the database through its online backup API in one step: one read transaction, so writers
(in WAL mode) go on while the copy is a single point in time. PostgreSQL exports the snapshot of a
REPEATABLE READ transaction and hands it to ``pg_dump --snapshot``, so the dump, the row counts and the
schema revision in the manifest all describe the same moment.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from hub.core.backup.archive import BackupError

# Tables whose rows do not make a database "not empty": the region registry comes from config/regions.toml
# (written by `hub setup`), and the backup brings its own.
REGISTRY_TABLES = {"region"}
LIBPQ_QUERY_ENV = {
    "host": "PGHOST",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


@dataclass
class State:
    """What a snapshot holds: its schema revision and the number of rows of every table."""

    revision: str | None
    tables: dict[str, int]


def dialect_of(engine: Engine) -> str:
    """'sqlite' or 'postgresql'; BackupError for anything else."""
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def take_snapshot(engine: Engine, target: Path) -> State:
    """Write a consistent snapshot of the database to ``target`` and return what it holds."""
    if dialect_of(engine) == "sqlite":
        return _sqlite_snapshot(_sqlite_path(engine), target)
    return _postgres_snapshot(engine, target)


def restore_snapshot(engine: Engine, source: Path) -> None:
    """Replace the whole database with the snapshot in ``source`` (the caller has checked that it may)."""
    engine.dispose()
    try:
        if dialect_of(engine) == "sqlite":
            _sqlite_restore(source, _sqlite_path(engine))
        else:
            _postgres_restore(engine, source)
    finally:
        engine.dispose()


def sqlite_file_state(path: Path) -> State:
    """What an SQLite snapshot file holds (read with the plain driver: no hub pragmas on the snapshot)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _sqlite_state(connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database in the backup cannot be read: {exc}") from exc
    finally:
        connection.close()


def live_state(engine: Engine) -> State:
    """What the live database holds now (for the check after a PostgreSQL restore)."""
    with engine.connect() as connection:
        return _state(connection)


def rows_present(engine: Engine, table_names) -> dict[str, int]:
    """The hub's tables that hold rows, with their counts (the registry tables do not count)."""
    with engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())
        counts = {}
        for name in sorted(set(table_names) & existing - REGISTRY_TABLES):
            count = connection.execute(text(f"SELECT count(*) FROM {_quote(connection, name)}")).scalar_one()
            if count:
                counts[name] = count
        return counts


# -- SQLite -----------------------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("backups need an SQLite database file, not an in-memory database")
    return Path(database)


def _sqlite_state(connection: sqlite3.Connection) -> State:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    tables = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return State(revision, tables)


def _sqlite_snapshot(source_path: Path, target: Path) -> State:
    if not source_path.exists():
        raise BackupError(f"the database file {source_path} does not exist")
    source = sqlite3.connect(source_path, timeout=30)
    destination = sqlite3.connect(target)
    try:
        # pages=-1: the whole database in one step, i.e. inside one read transaction: a single point in time.
        source.backup(destination, pages=-1)
        return _sqlite_state(destination)
    finally:
        destination.close()
        source.close()


def _sqlite_restore(source_path: Path, target_path: Path) -> None:
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    destination = sqlite3.connect(target_path, timeout=30)
    try:
        # The backup API replaces the target's pages under its own write lock: a reader sees the old or
        # the new database, never a mix, and there is no file to swap under an open connection.
        source.backup(destination, pages=-1)
    finally:
        destination.close()
        source.close()


# -- PostgreSQL -------------------------------------------------------------------------------------------


def find_pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program: on PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.split("/postgresql/")[1].split("/")[0]))

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} was not found on PATH nor under /usr/lib/postgresql/*/bin: install the PostgreSQL client "
        f"programs of the server's major version (e.g. apt install postgresql-client) and try again"
    )


def _libpq_env(engine: Engine) -> dict[str, str]:
    """The connection for pg_dump/pg_restore as libpq environment variables (a password never on the command line)."""
    url = engine.url
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[key] = str(value)
    for key, value in url.query.items():
        if key in LIBPQ_QUERY_ENV:
            env[LIBPQ_QUERY_ENV[key]] = value if isinstance(value, str) else value[0]
    return env


def _run(program: str, arguments: list[str], engine: Engine) -> None:
    command = [find_pg_tool(program), *arguments]
    result = subprocess.run(command, env=_libpq_env(engine), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{program} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


def _postgres_snapshot(engine: Engine, target: Path) -> State:
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            state = _state(connection)
            # The exported snapshot lives as long as this transaction: pg_dump must finish inside it.
            _run("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"], engine)
    return state


def _postgres_restore(engine: Engine, source: Path) -> None:
    with engine.begin() as connection:
        for statement in connection.execute(text(DROP_EVERYTHING)).scalars().all():
            connection.execute(text(statement))
    _run(
        "pg_restore",
        [
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={engine.url.database}",
            str(source),
        ],
        engine,
    )


# Everything the hub may have made in its schema, so that pg_restore starts from nothing: views, tables
# (their sequences and indexes go with them), free-standing sequences, functions, enum and domain types;
# not what an extension installed into the schema (its objects belong to the extension).
DROP_EVERYTHING = """
SELECT format('DROP VIEW IF EXISTS %I.%I CASCADE', schemaname, viewname)
  FROM pg_views WHERE schemaname = current_schema()
UNION ALL
SELECT format('DROP TABLE IF EXISTS %I.%I CASCADE', schemaname, tablename)
  FROM pg_tables WHERE schemaname = current_schema()
UNION ALL
SELECT format('DROP SEQUENCE IF EXISTS %I.%I CASCADE', schemaname, sequencename)
  FROM pg_sequences WHERE schemaname = current_schema()
UNION ALL
SELECT format('DROP FUNCTION IF EXISTS %s CASCADE', p.oid::regprocedure)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT format('DROP TYPE IF EXISTS %I.%I CASCADE', n.nspname, t.typname)
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
"""


# -- both -------------------------------------------------------------------------------------------------


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _state(connection: Connection) -> State:
    """Revision and row counts as this connection's transaction sees them."""
    names = sorted(name for name in inspect(connection).get_table_names() if not name.startswith("sqlite_"))
    tables = {
        name: connection.execute(text(f"SELECT count(*) FROM {_quote(connection, name)}")).scalar_one()
        for name in names
    }
    revision = None
    if "alembic_version" in tables:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return State(revision, tables)
