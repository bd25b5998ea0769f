"""the directory's town and sector filters in name order: indexes (town, name_key) and (sector, name_key); on
PostgreSQL, statistics of directory_term's facet and value together

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 08:15:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    # A town or sector filter without words reads its first hits in name order straight from these and stops (the
    # sector had no index at all: every such search read the whole table). Plain CREATE/DROP INDEX (no batch copy):
    # SQLite's FTS5 triggers on directory_entry must stay as they are.
    op.create_index("ix_directory_entry_town_name", "directory_entry", ["town", "name_key"], unique=False)
    op.create_index("ix_directory_entry_sector_name", "directory_entry", ["sector", "name_key"], unique=False)
    op.drop_index("ix_directory_entry_town", table_name="directory_entry")
    if op.get_bind().dialect.name == "postgresql":
        # A submarket's share of the terms is not the product of "facet = submarket" and "value = music" (music is a
        # value of submarkets only): without these the planner took 25,000 entries for 6,000, looked every one up and
        # sorted them (100 ms) instead of walking the names (20 ms). `hub setup` analyses the tables after migrating.
        op.execute(
            "CREATE STATISTICS st_directory_term_facet_value (mcv, dependencies) ON facet, value FROM directory_term"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_directory_term_facet_value")
    op.create_index("ix_directory_entry_town", "directory_entry", ["town"], unique=False)
    op.drop_index("ix_directory_entry_sector_name", table_name="directory_entry")
    op.drop_index("ix_directory_entry_town_name", table_name="directory_entry")
