"""Does the database match the code? The one home of the two questions `hub db check`, `/readyz` and
tests/test_migrations.py ask:

- **migrations current**: the database's Alembic revision is the head of hub/migrations/versions;
- **schema matches the models**: Alembic's autogenerate comparison of the live schema with the models' metadata
  finds nothing (the full-text machinery is left out: ``hub.core.db.include_name``).

Both take a SQLAlchemy connection, so they run on any engine (the app's, or a throw-away one in a test).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from hub.core.db import MIGRATIONS_DIR, db, include_name


@functools.cache
def script_heads() -> tuple[str, ...]:
    """The head revision(s) of the migration scripts (read once per process: the scripts do not change while it
    runs)."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def database_heads(connection: Connection) -> tuple[str, ...]:
    """The revision(s) the database is at (empty: never migrated)."""
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


@dataclass(frozen=True)
class RevisionState:
    database: tuple[str, ...]
    scripts: tuple[str, ...]

    @property
    def current(self) -> bool:
        return self.database == self.scripts

    def describe(self) -> str:
        have = ", ".join(self.database) or "none (never migrated)"
        want = ", ".join(self.scripts)
        if self.current:
            return f"migrations are current (revision {have})"
        return f"the database is at revision {have}, the migrations' head is {want}: run `hub db upgrade`"


def revision_state(connection: Connection) -> RevisionState:
    return RevisionState(database_heads(connection), script_heads())


def schema_differences(connection: Connection) -> list:
    """Alembic's differences between the live schema and the models (an empty list when they agree)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
    return compare_metadata(context, db.metadata)


def _name(obj) -> str:
    return getattr(obj, "name", None) or str(obj)


def describe_difference(diff) -> str:
    """One difference in plain words ("the table 'x' is in the models but not in the database")."""
    if isinstance(diff, list):  # column modifications come as a list of tuples for one column
        return "; ".join(describe_difference(d) for d in diff)
    kind = diff[0]
    if kind == "add_table":
        return f"the table {_name(diff[1])!r} is in the models but not in the database"
    if kind == "remove_table":
        return f"the table {_name(diff[1])!r} is in the database but not in the models"
    if kind == "add_column":
        return f"the column {diff[2]}.{_name(diff[3])} is in the models but not in the database"
    if kind == "remove_column":
        return f"the column {diff[2]}.{_name(diff[3])} is in the database but not in the models"
    if kind in ("add_index", "remove_index"):
        index = diff[1]
        where = "in the models but not in the database" if kind == "add_index" else "in the database only"
        return f"the index {index.name!r} on {index.table.name} ({', '.join(index.columns.keys())}) is {where}"
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        constraint = diff[1]
        where = "in the models but not in the database" if kind.startswith("add") else "in the database only"
        return f"the constraint {constraint.name!r} on {constraint.table.name} is {where}"
    if kind.startswith("modify_"):
        # ("modify_type", schema, table, column, existing_kw, old, new)
        _, _schema, table, column, _kw, old, new = diff
        what = kind.removeprefix("modify_").replace("_", " ")
        return f"the column {table}.{column} differs in its {what}: the database has {old}, the models {new}"
    return f"{kind}: {diff[1:]}"
