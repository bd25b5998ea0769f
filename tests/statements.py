"""The SQL statements a piece of work sends, for tests that hold a page or a service to a fixed number."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from hub.core.db import db


@contextmanager
def counted(app):
    """``with counted(app) as statements:`` collects every statement sent meanwhile (a batch of rows counts once)."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def collect(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", collect)
