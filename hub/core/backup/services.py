"""Create, list and restore backups: the database snapshot (uploaded files included) and a manifest in one archive.

The uploaded files live in the database (``hub.core.storage``, migration 0022), so the snapshot holds them.
Archives made before that also carry an ``uploads/`` folder: restoring one brings its files into the store
(migration 0022 copies them while it brings the old schema up to date).

A backup holds every person's data in clear text: it is not encrypted and must be stored and deleted
like the personal data it is (see docs/SECURITY.md).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from hub.core.backup.archive import (
    DATABASE_MEMBERS,
    FORMAT,
    LEGACY_UPLOADS,
    UPLOADS,
    BackupError,
    extract_verified,
    read_manifest,
    sha256_of,
    write_archive,
)
from hub.core.db import db, utcnow

ARCHIVE_PATTERN = "hub-backup-*.tar"
STORED_FILES = "stored_file"


class TargetNotEmpty(BackupError):
    """The database to restore into holds data; only --force replaces it."""

    def __init__(self, contents: Contents):
        self.contents = contents
        super().__init__(
            f"the target is not empty ({contents.describe()}); nothing was changed. Restore into an empty "
            "database, or pass --force to replace all of it."
        )


@dataclass
class Contents:
    """What a restore would replace: the tables holding rows, and how many of those rows are uploaded files."""

    rows: dict[str, int] = field(default_factory=dict)

    @property
    def files(self) -> int:
        return self.rows.get(STORED_FILES, 0)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def describe(self) -> str:
        if not self:
            return "nothing"
        tables = ", ".join(f"{name} {count}" for name, count in self.rows.items())
        parts = [f"{sum(self.rows.values())} rows in {len(self.rows)} tables ({tables})"] if self.rows else []
        if self.files:
            parts.append(f"{self.files} uploaded files")
        return " and ".join(parts)


@dataclass
class Restored:
    """The outcome of a restore."""

    manifest: dict
    replaced: Contents
    migrated_from: str | None  # the backup's revision when the migrations had to bring it up to date
    revision: str | None


def backup_dir() -> Path:
    """Where backups go: HUB_BACKUP_DIR, else the instance folder's backups/."""
    configured = current_app.config.get("BACKUP_DIR")
    return Path(configured).expanduser().resolve() if configured else Path(current_app.instance_path) / "backups"


def uploaded_files(manifest: dict) -> int:
    """How many uploaded files an archive holds: rows of the store, and the uploads/ of an older archive."""
    legacy = sum(1 for name in manifest["files"] if name.startswith(f"{UPLOADS}/"))
    return manifest.get("tables", {}).get(STORED_FILES, 0) + legacy


def create_backup(directory: Path | None = None) -> tuple[Path, dict]:
    """Write a backup archive of the running hub into ``directory`` (default: backup_dir()); return its path
    and manifest."""
    from hub.core.backup import databases

    directory = directory or backup_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    dialect = databases.dialect_of(db.engine)
    created_at = utcnow()
    _sweep_leftovers(Path(current_app.instance_path), directory)
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=current_app.instance_path))
    partial = directory / f".hub-backup-{os.getpid()}-{work.name}.partial"
    try:
        # The uploaded files are rows of the database: the snapshot holds each with the row that names it.
        database_member = DATABASE_MEMBERS[dialect]
        state = databases.take_snapshot(db.engine, work / database_member)
        members = {database_member: work / database_member}
        manifest = {
            "format": FORMAT,
            "hub_version": _hub_version(),
            "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "schema_revision": state.revision,
            "database": {"dialect": dialect, "member": database_member},
            "tables": state.tables,
            "files": {name: {"size": path.stat().st_size, "sha256": sha256_of(path)} for name, path in members.items()},
            "encrypted": False,
        }
        write_archive(partial, manifest, members)
        target = _publish(partial, directory, f"hub-backup-{created_at:%Y%m%dT%H%M%SZ}")
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return target, manifest


def list_backups(directory: Path | None = None) -> list[tuple[Path, dict | None, str | None]]:
    """The archives in the backup folder, oldest first, each with its manifest (or why it cannot be read)."""
    directory = directory or backup_dir()
    found = []
    for path in sorted(directory.glob(ARCHIVE_PATTERN)) if directory.is_dir() else []:
        try:
            found.append((path, read_manifest(path), None))
        except BackupError as exc:
            found.append((path, None, str(exc)))
    return found


def target_contents() -> Contents:
    """What the current database (uploaded files included) holds that a restore would replace."""
    from hub.core.backup import databases

    return Contents(databases.rows_present(db.engine, db.metadata.tables))


def restore_backup(archive: Path, *, force: bool = False) -> Restored:
    """Bring a backup back: check it completely first, then replace the database (uploaded files included).

    Refuses (changing nothing) a damaged or altered archive, one from another database system or from a
    newer schema, and a target that holds data unless ``force``. A backup of an older schema revision is
    brought up to date by the migrations. Stop the web server and the scheduler while this runs.
    """
    from flask_migrate import upgrade

    from hub.core.backup import databases

    manifest = read_manifest(archive)
    dialect = databases.dialect_of(db.engine)
    if manifest["database"]["dialect"] != dialect:
        raise BackupError(
            f"{archive} holds a {manifest['database']['dialect']} database; this hub runs on {dialect}: "
            "restore it into the same kind of database"
        )
    revision = manifest.get("schema_revision")
    head = _check_revision(revision)
    db.session.remove()
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=current_app.instance_path))
    try:
        extract_verified(archive, manifest, work)
        dump = work / DATABASE_MEMBERS[dialect]
        if dialect == "sqlite":
            _check_state(databases.sqlite_file_state(dump), manifest)
        contents = target_contents()
        if contents and not force:
            raise TargetNotEmpty(contents)
        databases.restore_snapshot(db.engine, dump)
        if dialect == "postgresql":
            _check_state(databases.live_state(db.engine), manifest, after_restore=True)
        migrated_from = None
        if revision != head:
            # An archive from before the store carries its files under uploads/: migration 0022 copies the
            # ones its rows name into the store, from the archive (not from this instance's old folder).
            current_app.config[LEGACY_UPLOADS] = str(work / UPLOADS)
            try:
                upgrade()
            finally:
                current_app.config.pop(LEGACY_UPLOADS, None)
            migrated_from = revision
    finally:
        db.session.remove()
        shutil.rmtree(work, ignore_errors=True)
    return Restored(manifest, contents, migrated_from, head)


def _hub_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cimis-hub")
    except PackageNotFoundError:
        return "unknown"


def _sweep_leftovers(instance: Path, directory: Path) -> None:
    """Remove what a killed backup or restore left behind (working folders, unfinished archives) after a day:
    they hold personal data that no list shows."""
    # On the file system's own clock (a new file's time), as the leftovers' times are: the process clock may
    # differ from it (a shifted clock in the tests, a container's).
    with tempfile.NamedTemporaryFile(dir=instance, prefix=".clock-") as probe:
        cutoff = Path(probe.name).stat().st_mtime - 24 * 3600
    for leftover in [
        *instance.glob(".backup-*"),
        *instance.glob(".restore-*"),
        *directory.glob(".hub-backup-*.partial"),
    ]:
        with contextlib.suppress(FileNotFoundError):
            if leftover.stat().st_mtime < cutoff:
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()


def _publish(partial: Path, directory: Path, stem: str) -> Path:
    """Give the finished archive its name without overwriting another (a hard link fails if the name exists)."""
    for n in range(100):
        target = directory / (f"{stem}.tar" if n == 0 else f"{stem}-{n}.tar")
        try:
            os.link(partial, target)
        except FileExistsError:
            continue
        return target
    raise BackupError(f"too many backups named {stem}* in {directory}")


def _check_revision(revision: str | None) -> str | None:
    """The migrations' head; BackupError when the backup's revision is unknown to this hub version."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from hub.core.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    if revision is None:
        raise BackupError("the backup names no schema revision (was its database ever set up?)")
    try:
        known = script.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"the backup's schema revision {revision!r} is unknown to this hub version (head {head}): it was made by "
            "a newer or different hub; restore it with that version"
        )
    return head


def _check_state(state, manifest: dict, *, after_restore: bool = False) -> None:
    """The database in the archive must hold what the manifest says (revision and row counts)."""
    if state.revision == manifest.get("schema_revision") and state.tables == manifest.get("tables"):
        return
    when = "the restored database" if after_restore else "the database in the archive"
    raise BackupError(f"{when} does not hold what the manifest lists (revision or row counts differ)")
