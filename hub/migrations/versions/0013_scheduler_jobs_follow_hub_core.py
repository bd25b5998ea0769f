"""the scheduler's stored jobs point at hub.core.jobs.runner (the framework moved into hub/core)

The job store keeps each job's function as a dotted path; the old one no longer imports, and APScheduler
would log a traceback for every job before the scheduler added them again. They are removed here and
added back by the scheduler's next start (``hub.core.jobs.scheduler.sync``); every job sweeps what is due,
so nothing is lost.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("DELETE FROM apscheduler_jobs"))


def downgrade():
    op.execute(sa.text("DELETE FROM apscheduler_jobs"))
