"""The audit log's table, and the one-row permit that lets the retention clean-up delete from it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db, utcnow
from hub.core.personal_data import SCRUB, Personal
from hub.core.tenancy import RegionScoped

ACTIONS = ("create", "update", "delete")
CHANNELS = ("web", "api", "cli", "system")


class AuditEntry(RegionScoped, db.Model):
    """One change of an audited object: who, when, what changed (old and new values), in which region.

    Append-only: the ORM refuses to change or delete an entry, and so does the database (triggers made
    by migration 0005). ``actor_id`` and ``subject_id`` are plain numbers without foreign keys, so that
    deleting an account or an object never has to touch the log; names are looked up when shown.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_region_at", "region_id", "at"),
        Index("ix_audit_entry_subject", "subject_type", "subject_id"),
        Index("ix_audit_entry_actor_at", "actor_id", "at"),
        CheckConstraint("action IN ('create', 'update', 'delete')", name="action"),
        CheckConstraint("via IN ('web', 'api', 'cli', 'system')", name="via"),
    )
    # Old and new values and the subject's name can be personal data (a profile's e-mail, say).
    personal_data = Personal(
        title=_l("Audit log entries"),
        columns=("subject_label", "changes"),
        owners={"actor_id": "user"},
        erase=SCRUB,
        reason=_l(
            "The audit log keeps who changed what, by number only: your name and personal values are removed from it."
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None]
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    subject_label: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(10))
    # {field: [old, new]}: old is None for a create, new is None for a delete.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    via: Mapped[str] = mapped_column(String(10), default="system")

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.subject_type}#{self.subject_id}>"


# The database refuses DELETE on audit_entry unless this table holds its one row: hub.core.audit_log.purge()
# fills it and empties it again inside its own transaction, so no other transaction ever sees it.
audit_purge_permit = Table(
    "audit_purge_permit",
    db.metadata,
    Column("id", Integer, primary_key=True),
    CheckConstraint("id = 1", name="one_row"),
)
