"""saved searches of the directory (a name, the search, the notice) and the profiles each knows; when a directory
entry last changed as the search sees it

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 03:30:00

"""
from alembic import op
import sqlalchemy as sa

import hub.core.db


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no batch copy): SQLite's FTS5 triggers on directory_entry must stay as they are.
    # Existing entries keep NULL: nothing that was in the directory before is news to a saved search.
    op.add_column('directory_entry', sa.Column('changed_at', hub.core.db.UTCDateTime(timezone=True), nullable=True))
    op.create_index('ix_directory_entry_changed_at', 'directory_entry', ['changed_at'], unique=False)

    op.create_table('saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('query', sa.JSON(), nullable=False),
    sa.Column('notify', sa.Boolean(), nullable=False),
    sa.Column('created_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_saved_search_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search')),
    sa.UniqueConstraint('user_id', 'name', name='uq_saved_search_user_name')
    )
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_user_id'), ['user_id'], unique=False)

    op.create_table('saved_search_hit',
    sa.Column('saved_search_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('noticed_at', hub.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['profile_id'], ['profile.id'], name=op.f('fk_saved_search_hit_profile_id_profile'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['saved_search_id'], ['saved_search.id'], name=op.f('fk_saved_search_hit_saved_search_id_saved_search'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('saved_search_id', 'profile_id', name=op.f('pk_saved_search_hit'))
    )
    with op.batch_alter_table('saved_search_hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_hit_profile_id'), ['profile_id'], unique=False)


def downgrade():
    with op.batch_alter_table('saved_search_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_hit_profile_id'))
    op.drop_table('saved_search_hit')
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_user_id'))
    op.drop_table('saved_search')
    op.drop_index('ix_directory_entry_changed_at', table_name='directory_entry')
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy would drop SQLite's FTS5 triggers.
    op.execute('ALTER TABLE directory_entry DROP COLUMN changed_at')
