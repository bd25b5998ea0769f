"""login sessions in the database (logout ends them everywhere), the TOTP second factor with recovery codes,
and the accounts' security events; the account-wide session_token gives way to the login sessions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:10:00

"""
from alembic import op
import sqlalchemy as sa

import hub.core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.Column('device', sa.String(length=80), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_event'))
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_event_at'), ['at'], unique=False)
        batch_op.create_index('ix_security_event_user_at', ['user_id', 'at'], unique=False)

    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('device', sa.String(length=80), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_login_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index('ix_login_session_expires_at', ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', hub.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_code_code_hash'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', hub.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_user_account_session_token'), type_='unique')
        batch_op.drop_column('session_token')



def downgrade():
    # Every login session ends with the downgrade; each account gets a fresh, unique token.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    op.execute("UPDATE user_account SET session_token = 'downgraded-' || CAST(id AS VARCHAR(20))")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_session_token'), ['session_token'])
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))
        batch_op.drop_index('ix_login_session_expires_at')

    op.drop_table('login_session')
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index('ix_security_event_user_at')
        batch_op.drop_index(batch_op.f('ix_security_event_at'))

    op.drop_table('security_event')
