"""`hub backup create`, `hub backup list`, `hub backup restore FILE [--force]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

WHERE = (
    "Backups go to HUB_BACKUP_DIR, by default the instance folder's backups/. An archive is NOT encrypted: it holds "
    "every person's data in clear text; keep it like the live database (access for admins only, encrypted storage "
    "off the server, deleted when the retention period ends)."
)


@click.group("backup", help=f"Backups of the database and the uploaded files.\n\n{WHERE}")
def backup_cli():
    """Backups of the database and the uploaded files."""


@backup_cli.command(
    "create",
    help="Write a consistent snapshot of the database and the uploaded files into one archive, while the hub "
    f"runs (SQLite: online backup API; PostgreSQL: pg_dump).\n\n{WHERE}",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write into this folder instead of HUB_BACKUP_DIR.",
)
@with_appcontext
def backup_create(directory):
    from hub.core.backup.archive import BackupError
    from hub.core.backup.services import create_backup, uploaded_files

    try:
        path, manifest = create_backup(directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest["tables"].values())
    files = uploaded_files(manifest)
    click.echo(
        f"{path} ({path.stat().st_size} bytes): revision {manifest['schema_revision']}, {rows} rows in "
        f"{len(manifest['tables'])} tables, {files} uploaded files (not encrypted: store it as personal data)"
    )


@backup_cli.command("list", help=f"List the backups in the backup folder, oldest first.\n\n{WHERE}")
@with_appcontext
def backup_list():
    from hub.core.backup.services import backup_dir, list_backups

    directory = backup_dir()
    click.echo(f"backups in {directory}:")
    found = list_backups(directory)
    for path, manifest, problem in found:
        if manifest is None:
            click.echo(f"  {path.name}  unreadable: {problem}")
            continue
        click.echo(
            f"  {path.name}  {path.stat().st_size} bytes  created {manifest['created_at']}  "
            f"revision {manifest['schema_revision']}  {manifest['database']['dialect']}  hub {manifest['hub_version']}"
        )
    if not found:
        click.echo("  (none)")


@backup_cli.command(
    "restore",
    help="Bring a backup back into an EMPTY database: checks every file's SHA-256 and the schema revision first "
    "(an older revision is migrated afterwards), then restores the database with the uploaded files. Stop the web "
    "server and the scheduler first.\n\n"
    f"{WHERE}",
)
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
@with_appcontext
def backup_restore(archive, force):
    from hub.core.backup.archive import BackupError
    from hub.core.backup.services import restore_backup, target_contents, uploaded_files

    if force:
        contents = target_contents()
        if contents:
            click.echo(f"--force: replacing what the hub holds now: {contents.describe()}")
    try:
        restored = restore_backup(archive, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    manifest = restored.manifest
    files = uploaded_files(manifest)
    click.echo(
        f"restored {archive.name} (created {manifest['created_at']}): {sum(manifest['tables'].values())} rows, "
        f"{files} uploaded files"
    )
    if restored.migrated_from:
        click.echo(f"migrated the schema from {restored.migrated_from} to {restored.revision}")
