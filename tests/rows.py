"""Every row of every table, for tests that prove a request changed nothing.

The rows are read with the driver's own cursor (``SELECT * FROM t`` per table, text prepared once): no statement
compiled, no result processed into Python types per column. Values compare as the driver gives them, which is
what "unchanged" needs, and a snapshot costs a fraction of what ``select(table)`` through SQLAlchemy costs
(the isolation suite and the form fuzz take several snapshots per case: they were most of their time).
"""

from __future__ import annotations

from hub.core.db import db


def _statements() -> list[tuple[str, str]]:
    quote = db.engine.dialect.identifier_preparer.quote
    return [(table.name, f"SELECT * FROM {quote(table.name)}") for table in db.metadata.sorted_tables]


def all_rows(app) -> dict[str, list[tuple]]:
    """{table: its rows, sorted} for every table of the hub's metadata (call inside or outside a context)."""
    with app.app_context():
        statements = _statements()
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            found = {}
            for name, sql in statements:
                cursor.execute(sql)
                found[name] = sorted(map(tuple, cursor.fetchall()), key=repr)
            cursor.close()
            connection.rollback()
        finally:
            connection.close()
        return found


def typed_rows(app) -> dict[str, list[tuple]]:
    """{table: its rows as Python values, sorted}: what ``table.insert()`` takes to write them again."""
    from sqlalchemy import select

    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables
        }
