"""stored files in the database (every host reaches them): the table, and the files of the upload folder copied in

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 07:40:00

The files under <instance>/uploads/ that a row names (match_document.stored_name under matches/,
profile.picture under profiles/) are copied into stored_file under their path there as the key. The folder
itself is left as it was: nothing reads it any more; delete it after checking the copy (see
docs/ARCHITECTURE.md, "Uploaded files in the database"). Files no row names are not copied (nothing could
reach them). Previews of profile imports waiting in <instance>/imports/ are not copied (they are
transient): upload those files again. A migration without an app (plain alembic) or without the folder
copies nothing.
"""
import hashlib
from pathlib import Path

from alembic import op
import sqlalchemy as sa

import hub.core.db


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = "0021"
branch_labels = None
depends_on = None

# (table, column naming the file, folder under uploads/, the file's content type)
REFERENCES = (
    ("match_document", "stored_name", "matches", "content_type"),
    ("profile", "picture", "profiles", "'image/jpeg'"),
)


def upgrade():
    stored_file = op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    sa.UniqueConstraint('key', name=op.f('uq_stored_file_key'))
    )
    folder = _upload_folder()
    if folder is None:
        return
    connection, copied = op.get_bind(), set()
    for table, column, prefix, content_type in REFERENCES:
        rows = connection.execute(sa.text(f"SELECT {column}, {content_type} FROM {table} WHERE {column} IS NOT NULL"))
        for name, kind in rows.all():
            key = f"{prefix}/{Path(name).name}"
            path = folder / key
            if key in copied or not path.is_file() or path.is_symlink():
                continue  # gone before: its download answered 404 and still does
            content = path.read_bytes()
            connection.execute(
                stored_file.insert().values(
                    key=key,
                    content=content,
                    size=len(content),
                    content_type=kind,
                    sha256=hashlib.sha256(content).hexdigest(),
                    created_at=hub.core.db.utcnow(),
                )
            )
            copied.add(key)


def downgrade():
    # The files written since the upgrade exist only here: a downgrade loses them (the old folder is as it was).
    op.drop_table('stored_file')


def _upload_folder():
    """The instance's uploads/, or where a restore extracted an old archive's (hub.core.backup.archive.LEGACY_UPLOADS)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    configured = current_app.config.get("LEGACY_UPLOADS_FOLDER")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    return folder if folder.is_dir() else None
