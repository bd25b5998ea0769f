"""The one door for deleting from the audit log: the data-retention clean-up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from hub.audit.models import AuditEntry, audit_purge_permit


def purge(before: datetime, session: Session | None = None) -> int:
    """Delete the entries made before ``before`` (an aware datetime); return how many. The caller commits.

    The database refuses every DELETE on audit_entry unless audit_purge_permit holds its one row. This
    fills it and empties it again inside the caller's transaction, so no other transaction sees the permit
    (SQLite has one writer at a time; PostgreSQL shows uncommitted rows to no one else). A failed DELETE
    leaves the transaction to be rolled back, and the permit with it.
    """
    if before.tzinfo is None:
        raise ValueError("purge() needs an aware datetime")
    if session is None:
        from hub.db import db

        session = db.session
    entries = AuditEntry.__table__
    connection = session.connection()
    connection.execute(insert(audit_purge_permit).values(id=1))
    deleted = connection.execute(delete(entries).where(entries.c.at < before)).rowcount
    connection.execute(delete(audit_purge_permit))
    return deleted
