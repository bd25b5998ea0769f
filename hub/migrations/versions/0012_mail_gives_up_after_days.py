"""the outbox tries for days: when a message started failing, and when it was given up

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import hub.core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failing_since', hub.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('given_up_at', hub.core.db.UTCDateTime(timezone=True), nullable=True))
    # Messages that used up the old eight attempts stay given up (an admin can still retry them).
    outbox = sa.table(
        'outbox_message',
        sa.column('sent_at', hub.core.db.UTCDateTime(timezone=True)),
        sa.column('attempts', sa.Integer),
        sa.column('next_attempt_at', hub.core.db.UTCDateTime(timezone=True)),
        sa.column('given_up_at', hub.core.db.UTCDateTime(timezone=True)),
    )
    op.execute(
        outbox.update()
        .where(outbox.c.sent_at.is_(None), outbox.c.attempts >= 8)
        .values(given_up_at=outbox.c.next_attempt_at)
    )


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('given_up_at')
        batch_op.drop_column('failing_since')
