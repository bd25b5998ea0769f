"""calendar feed tokens keep a random nonce, so their owner can be shown the feed address again

The feed URL's secret is derived from SECRET_KEY, the token's id and this nonce; the database alone does
not reveal it. Tokens made before have none: their address still works but cannot be shown again (the
subscription page offers new addresses).

Revision ID: 0014
Revises: 0013
Create Date: 2027-01-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nonce', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.drop_column('nonce')
