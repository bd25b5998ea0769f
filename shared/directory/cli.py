"""`hub directory reindex`: rebuild the search index (after a restore; the hooks keep it current otherwise)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

directory_cli = AppGroup("directory", help="The shared directory.")


@directory_cli.command("reindex")
def reindex_command():
    """Rebuild the directory index from the profiles (the hooks keep it current; this is for restores)."""
    from hub.core.db import db
    from shared.directory.index import rebuild_all

    count = rebuild_all(db.session)
    db.session.commit()
    click.echo(f"directory index rebuilt for {count} profiles")
