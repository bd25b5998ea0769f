"""a rating keeps an optional note of the rater (what they talked about; seen by them and the coordination)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('speed_dating_rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=500), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('speed_dating_rating', schema=None) as batch_op:
        batch_op.drop_column('note')
