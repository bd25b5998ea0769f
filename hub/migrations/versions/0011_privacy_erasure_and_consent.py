"""privacy: erased accounts, withdrawn consent, and the audit log's scrub door for erasure

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import hub.core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# The audit log stays append-only, with one more door: while audit_purge_permit holds its row (inside one
# transaction, see hub.audit.retention), an UPDATE may scrub an erased person's labels and values.
SQLITE_NO_UPDATE = {
    "old": """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
    BEGIN
        SELECT RAISE(ABORT, 'audit_entry is append-only');
    END""",
    "new": """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
    BEGIN
        SELECT RAISE(ABORT, 'audit_entry is append-only; erasure scrubs through hub.audit.scrub()');
    END""",
}

POSTGRES_FUNCTION = {
    "old": """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_purge_permit) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit_entry is append-only (% refused)', TG_OP;
    END
    $$""",
    "new": """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') AND EXISTS (SELECT 1 FROM audit_purge_permit) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit_entry is append-only (% refused)', TG_OP;
    END
    $$""",
}


def _triggers(which):
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute(SQLITE_NO_UPDATE[which])
    elif dialect == "postgresql":
        op.execute(POSTGRES_FUNCTION[which])


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', hub.core.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_withdrawn_at', hub.core.db.UTCDateTime(timezone=True), nullable=True))
    _triggers("new")


def downgrade():
    _triggers("old")
    # Not in batch mode: SQLite (3.35+) drops the column in place, where a batch would rebuild the table.
    op.drop_column('profile', 'consent_withdrawn_at')
    op.drop_column('user_account', 'erased_at')
