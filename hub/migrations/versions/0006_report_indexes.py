"""indexes for the reports; directory terms carry their profile's archived flag and creation time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 02:10:00

"""
from alembic import op
import sqlalchemy as sa

import hub.core.db  # noqa: F401  (custom column types)


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('directory_term', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('created_at', hub.core.db.UTCDateTime(timezone=True), nullable=True))
    # Fill the copies from the profiles (the directory hook keeps them from now on).
    op.execute(
        "UPDATE directory_term SET "
        "archived = (SELECT profile.archived_at IS NOT NULL FROM profile WHERE profile.id = directory_term.profile_id), "
        "created_at = (SELECT profile.created_at FROM profile WHERE profile.id = directory_term.profile_id)"
    )
    with op.batch_alter_table('directory_term', schema=None) as batch_op:
        batch_op.create_index(
            'ix_directory_term_counting', ['facet', 'region_id', 'value', 'archived', 'created_at'], unique=False
        )
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.create_index('ix_profile_counting', ['region_id', 'created_at', 'archived_at', 'kind'], unique=False)
        batch_op.create_index('ix_profile_by_kind', ['region_id', 'kind', 'archived_at', 'created_at'], unique=False)
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(
            'ix_registration_counting', ['event_id', 'status', 'checked_in_at', 'user_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_counting')
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_index('ix_profile_by_kind')
        batch_op.drop_index('ix_profile_counting')
    with op.batch_alter_table('directory_term', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_term_counting')
        batch_op.drop_column('created_at')
        batch_op.drop_column('archived')
