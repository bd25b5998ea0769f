"""one profile per e-mail address and region (compared case-insensitively; profiles without one exempt)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:00:00

The new column profile.email_key holds the contact address as the hub compares it (trimmed, lower
case), NULL for profiles without one; a unique index over (region_id, email_key) holds the rule.

Profiles that already share an address in a region (two imports of one file confirmed at the same
moment made such copies) all stay: the oldest keeps the address, each younger one loses it (its
contact e-mail becomes empty), so no profile, consent, registration or match is lost. Every such change
is written to the audit log ("system") and to the migration's log, so the coordination finds the
copies under /<region>/audit and can archive them. A downgrade drops the column and the index; cleared
addresses are not put back.
"""

import logging
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import hub.core.db  # noqa: F401  (custom column types)


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

profile = sa.table(
    "profile",
    sa.column("id", sa.Integer),
    sa.column("region_id", sa.Integer),
    sa.column("display_name", sa.String),
    sa.column("contact_email", sa.String),
    sa.column("email_key", sa.String),
)
audit_entry = sa.table(
    "audit_entry",
    sa.column("at", hub.core.db.UTCDateTime(timezone=True)),
    sa.column("actor_id", sa.Integer),
    sa.column("subject_type", sa.String),
    sa.column("subject_id", sa.Integer),
    sa.column("subject_label", sa.String),
    sa.column("action", sa.String),
    sa.column("changes", sa.JSON),
    sa.column("via", sa.String),
    sa.column("region_id", sa.Integer),
)


def upgrade():
    # Adding a column and an index never rebuilds the table (on SQLite a rebuild would cascade deletes).
    with op.batch_alter_table("profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_key", sa.String(length=254), nullable=True))
    _fill_email_keys()
    with op.batch_alter_table("profile", schema=None) as batch_op:
        batch_op.create_index("uq_profile_region_email", ["region_id", "email_key"], unique=True)


def _fill_email_keys():
    """Compute the keys in Python, as the application does; clear the address of younger duplicates."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(profile.c.id, profile.c.region_id, profile.c.display_name, profile.c.contact_email)
        .where(profile.c.contact_email != "")
        .order_by(profile.c.id)
    ).all()
    oldest = {}
    keys, cleared = [], []
    for row in rows:
        key = row.contact_email.strip().lower()
        if not key:
            continue
        first = oldest.setdefault((row.region_id, key), row.id)
        if first == row.id:
            keys.append({"pid": row.id, "key": key})
        else:
            cleared.append(row)
            log.warning(
                "Profile %s in region %s had the e-mail address %s of the older profile %s: its address was cleared.",
                row.id,
                row.region_id,
                row.contact_email,
                first,
            )
    if keys:
        connection.execute(
            sa.update(profile).where(profile.c.id == sa.bindparam("pid")).values(email_key=sa.bindparam("key")), keys
        )
    if cleared:
        connection.execute(
            sa.update(profile).where(profile.c.id == sa.bindparam("pid")).values(contact_email=""),
            [{"pid": row.id} for row in cleared],
        )
        now = datetime.now(UTC)
        connection.execute(
            sa.insert(audit_entry),
            [
                {
                    "at": now,
                    "actor_id": None,
                    "subject_type": "profile",
                    "subject_id": row.id,
                    "subject_label": row.display_name[:200],
                    "action": "update",
                    "changes": {"contact_email": [row.contact_email, ""]},
                    "via": "system",
                    "region_id": row.region_id,
                }
                for row in cleared
            ],
        )


def downgrade():
    with op.batch_alter_table("profile", schema=None) as batch_op:
        batch_op.drop_index("uq_profile_region_email")
    # Not in batch mode: SQLite (3.35+) drops the column in place, where a batch would rebuild the table.
    op.drop_column("profile", "email_key")
