"""meetings at events: an event's slots and places, meetings between two people registered for it, and the
bookings whose unique constraints keep a person or a table from being booked twice at once

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import hub.core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=False),
    sa.Column('invitee_id', sa.Integer(), nullable=False),
    sa.Column('proposer_profile_id', sa.Integer(), nullable=True),
    sa.Column('invitee_profile_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=60), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'accepted', 'declined', 'withdrawn', 'cancelled', name='meetingstatus', native_enum=False, length=20), nullable=False),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', hub.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_meeting_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitee_id'], ['user_account.id'], name=op.f('fk_event_meeting_invitee_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitee_profile_id'], ['profile.id'], name=op.f('fk_event_meeting_invitee_profile_id_profile'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposer_id'], ['user_account.id'], name=op.f('fk_event_meeting_proposer_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposer_profile_id'], ['profile.id'], name=op.f('fk_event_meeting_proposer_profile_id_profile'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_event_meeting_region_id_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_meeting')),
    sa.UniqueConstraint('uid', name=op.f('uq_event_meeting_uid'))
    )
    with op.batch_alter_table('event_meeting', schema=None) as batch_op:
        batch_op.create_index('ix_event_meeting_event_status', ['event_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_meeting_invitee_id'), ['invitee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_meeting_proposer_id'), ['proposer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_meeting_region_id'), ['region_id'], unique=False)

    op.create_table('event_meeting_setup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('window_starts_at', hub.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('window_ends_at', hub.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('places', sa.JSON(), nullable=False),
    sa.Column('updated_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('slot_minutes >= 5', name=op.f('ck_event_meeting_setup_slot_minutes_at_least_five')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_meeting_setup_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_event_meeting_setup_region_id_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_meeting_setup')),
    sa.UniqueConstraint('event_id', name=op.f('uq_event_meeting_setup_event_id'))
    )
    with op.batch_alter_table('event_meeting_setup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_meeting_setup_region_id'), ['region_id'], unique=False)

    op.create_table('event_meeting_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=60), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_meeting_booking_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['event_meeting.id'], name=op.f('fk_event_meeting_booking_meeting_id_event_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_event_meeting_booking_region_id_region'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_event_meeting_booking_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_meeting_booking')),
    sa.UniqueConstraint('event_id', 'place', 'starts_at', name='uq_event_meeting_booking_place'),
    sa.UniqueConstraint('user_id', 'starts_at', name='uq_event_meeting_booking_person')
    )
    with op.batch_alter_table('event_meeting_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_meeting_booking_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_meeting_booking_region_id'), ['region_id'], unique=False)



def downgrade():
    with op.batch_alter_table('event_meeting_booking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_meeting_booking_region_id'))
        batch_op.drop_index(batch_op.f('ix_event_meeting_booking_meeting_id'))

    op.drop_table('event_meeting_booking')
    with op.batch_alter_table('event_meeting_setup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_meeting_setup_region_id'))

    op.drop_table('event_meeting_setup')
    with op.batch_alter_table('event_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_meeting_region_id'))
        batch_op.drop_index(batch_op.f('ix_event_meeting_proposer_id'))
        batch_op.drop_index(batch_op.f('ix_event_meeting_invitee_id'))
        batch_op.drop_index('ix_event_meeting_event_status')

    op.drop_table('event_meeting')
