"""The declarative base and the database extension."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, MetaData, TypeDecorator, text
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The Alembic migrations of the whole hub (framework and features share one schema history).
MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")

BERLIN = ZoneInfo("Europe/Berlin")


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def berlin_today() -> date:
    """Today as people in Saxony name it: a date field (due, started, booked) means a Berlin day, not UTC's."""
    return datetime.now(BERLIN).date()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TenantSession(FlaskSession):
    """A session whose get() never hands out another region's object from the identity map."""

    def get(self, entity, ident, **kwargs):
        from hub.core.tenancy.scope import check_loaded_object

        obj = super().get(entity, ident, **kwargs)
        return check_loaded_object(obj)


# expire_on_commit=False: the logged-in user, loaded with their cross-region memberships, must not be
# silently reloaded (outside all_regions()) after a commit in the middle of a request.
db = SQLAlchemy(model_class=Base, session_options={"class_": TenantSession, "expire_on_commit": False})


# Full-text machinery that the models do not describe and the migrations make by hand: SQLite's FTS5
# tables with their triggers, PostgreSQL's generated tsvector column and its index.
SEARCH_TABLE_PREFIXES = ("directory_fts",)
SEARCH_COLUMNS = ("search_tsv",)


def include_name(name, type_, parent_names) -> bool:
    """Leave the hand-made full-text machinery out of Alembic's model comparison."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIXES):
        return False
    if type_ == "column" and name in SEARCH_COLUMNS:
        return False
    return not (type_ == "index" and name and "search_tsv" in name)


def in_transaction(work, *, attempts: int = 8):
    """Run ``work()`` and commit; retry the whole unit when SQLite reports a busy database.

    SQLite lets one writer at a time; a transaction whose snapshot went stale while it waited gets
    "database is locked" at once instead of waiting. Redoing the unit from the start is then correct.
    PostgreSQL applies the same conditional UPDATEs under row locks and needs no retry.
    """
    import random
    import time

    from sqlalchemy.exc import OperationalError

    for attempt in range(attempts):
        try:
            result = work()
            db.session.commit()
            return result
        except OperationalError as exc:
            db.session.rollback()
            busy = "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower()
            if not busy or attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise RuntimeError("unreachable")


def analyze() -> None:
    """Refresh the database's planner statistics (SQLite keeps none until asked; the reports' joins and the
    directory's filters need them to start from the small side): ``hub setup``, ``hub db analyze`` and the daily
    job ``db.statistics``."""
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
