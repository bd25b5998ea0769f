"""the directory's facet counters: per region, kind, visibility and listing, how many entries carry each facet
value (kept with the index; the first page of the directory adds them up instead of reading every hit)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 07:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directory_count',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_directory_count_region_id_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('region_id', 'kind', 'visibility', 'listed', 'key', name=op.f('pk_directory_count'))
    )
    with op.batch_alter_table('directory_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_count_region_id'), ['region_id'], unique=False)
        batch_op.create_index('ix_directory_count_key', ['key'], unique=False)

    # A search without words walks the entries in name order within its region and kind, and stops after its page.
    # Plain CREATE/DROP INDEX (no batch copy): SQLite's FTS5 triggers on directory_entry must stay as they are.
    op.create_index('ix_directory_entry_kind_region_name', 'directory_entry', ['kind', 'region_id', 'name_key'], unique=False)
    op.create_index('ix_directory_entry_region_name', 'directory_entry', ['region_id', 'name_key'], unique=False)
    op.create_index('ix_directory_entry_kind_name', 'directory_entry', ['kind', 'name_key'], unique=False)
    op.drop_index('ix_directory_entry_kind_region', table_name='directory_entry')

    # Count the entries there are (the code's shared.directory.counts.rebuild, frozen here as SQL).
    if op.get_bind().dialect.name == "postgresql":
        sep, items = "chr(9)", "SELECT region_id, kind, visibility, listed, unnest(facets) FROM directory_entry WHERE NOT archived"
    else:
        sep = "char(9)"
        items = (
            "SELECT e.region_id, e.kind, e.visibility, e.listed, item.value FROM directory_entry AS e, "
            "json_each(e.facets) AS item WHERE NOT e.archived"
        )
    op.execute(
        "INSERT INTO directory_count (region_id, kind, visibility, listed, key, n) "
        "SELECT region_id, kind, visibility, listed, key, count(*) FROM ("
        "SELECT region_id, kind, visibility, listed, '' AS key FROM directory_entry WHERE NOT archived "
        f"UNION ALL SELECT region_id, kind, visibility, listed, 'town' || {sep} || town || {sep} || town "
        "FROM directory_entry WHERE NOT archived AND town != '' "
        f"UNION ALL SELECT region_id, kind, visibility, listed, 'sector' || {sep} || sector || {sep} || sector "
        "FROM directory_entry WHERE NOT archived AND sector != '' "
        f"UNION ALL {items}"
        ") AS every GROUP BY region_id, kind, visibility, listed, key"
    )


def downgrade():
    op.create_index('ix_directory_entry_kind_region', 'directory_entry', ['kind', 'region_id'], unique=False)
    op.drop_index('ix_directory_entry_kind_name', table_name='directory_entry')
    op.drop_index('ix_directory_entry_region_name', table_name='directory_entry')
    op.drop_index('ix_directory_entry_kind_region_name', table_name='directory_entry')
    with op.batch_alter_table('directory_count', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_count_key')
        batch_op.drop_index(batch_op.f('ix_directory_count_region_id'))
    op.drop_table('directory_count')
