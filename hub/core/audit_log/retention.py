"""The one door for deleting from the audit log: the data-retention clean-up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from hub.core.audit_log.models import AuditEntry, audit_purge_permit


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
        from hub.core.db import db

        session = db.session
    entries = AuditEntry.__table__
    connection = session.connection()
    connection.execute(insert(audit_purge_permit).values(id=1))
    deleted = connection.execute(delete(entries).where(entries.c.at < before)).rowcount
    connection.execute(delete(audit_purge_permit))
    return deleted


def scrub(
    subjects: dict[str, set[int]], label: str, personal: dict[str, frozenset[str]], session: Session | None = None
) -> int:
    """Erasure's door: the entries about these subjects keep no name and no personal value; return how many.

    ``subjects`` maps a subject type (table) to ids; ``personal`` names, per table, the columns whose old and
    new values are blanked. The entries stay (who acted, when, what kind of change, by number only). Goes
    through the same one-row permit as purge(), inside the caller's transaction.
    """
    if session is None:
        from hub.core.db import db

        session = db.session
    entries = AuditEntry.__table__
    connection = session.connection()
    scrubbed = 0
    connection.execute(insert(audit_purge_permit).values(id=1))
    for subject_type, ids in subjects.items():
        if not ids:
            continue
        blank = personal.get(subject_type, frozenset())
        rows = connection.execute(
            select(entries.c.id, entries.c.changes).where(
                entries.c.subject_type == subject_type, entries.c.subject_id.in_(sorted(ids))
            )
        ).all()
        for row in rows:
            changes = {key: [None, None] if key in blank else value for key, value in (row.changes or {}).items()}
            connection.execute(
                update(entries).where(entries.c.id == row.id).values(subject_label=label, changes=changes)
            )
            scrubbed += 1
    connection.execute(delete(audit_purge_permit))
    return scrubbed
