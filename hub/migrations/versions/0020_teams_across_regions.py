"""teams across regions: a person of another region in a match, once both coordinations agree (match_guest)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import hub.core.db


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = "0019"
branch_labels = None
depends_on = None

ROLES = sa.Enum('creative', 'organisation', 'other', name='memberrole', native_enum=False, length=20)
STATUSES = sa.Enum(
    'requested', 'accepted', 'declined', 'withdrawn', 'removed', name='gueststatus', native_enum=False, length=20
)


def upgrade():
    op.create_table(
        'match_guest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('guest_region_id', sa.Integer(), nullable=False),
        sa.Column('role', ROLES, nullable=False),
        sa.Column('role_note', sa.String(length=200), nullable=False),
        sa.Column('status', STATUSES, nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', hub.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('ended_by_id', sa.Integer(), nullable=True),
        sa.Column('ended_at', hub.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['match_id'], ['cocreation_match.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['profile_id'], ['profile.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['guest_region_id'], ['region.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ended_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('match_id', 'profile_id', name='uq_match_guest'),
    )
    with op.batch_alter_table('match_guest', schema=None) as batch_op:
        batch_op.create_index('ix_match_guest_guest_region', ['guest_region_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_guest_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_guest_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_guest_region_id'), ['region_id'], unique=False)


def downgrade():
    with op.batch_alter_table('match_guest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_guest_region_id'))
        batch_op.drop_index(batch_op.f('ix_match_guest_profile_id'))
        batch_op.drop_index(batch_op.f('ix_match_guest_match_id'))
        batch_op.drop_index('ix_match_guest_guest_region')
    op.drop_table('match_guest')
