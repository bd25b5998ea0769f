"""one password-reset link per account: its digest and expiry on the account, so a new link voids older ones

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 17:30:00

"""
from alembic import op
import sqlalchemy as sa

import hub.core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_reset_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('password_reset_expires_at', hub.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_password_reset_hash'), ['password_reset_hash'])


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_password_reset_hash'), type_='unique')
        batch_op.drop_column('password_reset_expires_at')
        batch_op.drop_column('password_reset_hash')
