"""The backup archive: an uncompressed tar with manifest.json first and the database dump (uploads/... in
archives made before the uploaded files moved into the database).

The manifest names every other member with its size and SHA-256; a reader accepts exactly those members
(regular files under safe names) and nothing else. The checksums find a damaged or altered file; they
do not prove who wrote the archive (anyone who can rewrite it can rewrite the manifest too).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path, PurePosixPath

FORMAT = "cimis-hub-backup/1"
MANIFEST = "manifest.json"
# Archives made before the uploaded files moved into the database (migration 0022) carry them here.
UPLOADS = "uploads"
# The app setting that tells migration 0022 where an old archive's uploads/ were extracted to.
LEGACY_UPLOADS = "LEGACY_UPLOADS_FOLDER"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be made, read or restored; the message says why and what to do."""


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(target: Path, manifest: dict, members: dict[str, Path]) -> None:
    """Write the archive to ``target`` (a new file, readable by its owner only): the manifest, then the members."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o600, 0
        tar.addfile(info, io.BytesIO(data))
        for name, path in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = path.stat().st_size, 0o600, 0
            with open(path, "rb") as fh:
                tar.addfile(info, fh)
        raw.flush()
        os.fsync(raw.fileno())


def read_manifest(archive: Path) -> dict:
    """The manifest of an archive (the first member); BackupError when there is none or it is not ours."""
    try:
        with tarfile.open(archive, mode="r:") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError(f"{archive}: not a hub backup (no {MANIFEST} at the start)")
            manifest = json.loads(tar.extractfile(first).read())
    except (tarfile.TarError, OSError, ValueError) as exc:
        raise BackupError(f"{archive}: cannot be read as a hub backup ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{archive}: unknown backup format {manifest.get('format') if isinstance(manifest, dict) else None!r}"
        )
    if (
        not isinstance(manifest.get("files"), dict)
        or manifest.get("database", {}).get("dialect") not in DATABASE_MEMBERS
    ):
        raise BackupError(f"{archive}: the manifest is incomplete")
    return manifest


def _safe_member_name(name: str, database_member: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or "\x00" in name:
        return False
    return name == database_member or (len(path.parts) >= 2 and path.parts[0] == UPLOADS)


def extract_verified(archive: Path, manifest: dict, into: Path) -> None:
    """Extract the archive's members into ``into``, refusing any member the manifest does not list with the
    same size and SHA-256, any member that is not a plain file, and any listed member that is missing."""
    expected: dict = manifest["files"]
    database_member = DATABASE_MEMBERS[manifest["database"]["dialect"]]
    if database_member not in expected:
        raise BackupError(f"{archive}: the manifest lists no database dump")
    for name in expected:
        if not _safe_member_name(name, database_member):
            raise BackupError(f"{archive}: refused member name {name!r}")
    seen: set[str] = set()
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                if member.name == MANIFEST and not seen:
                    continue
                if member.name not in expected or member.name in seen:
                    raise BackupError(f"{archive}: member {member.name!r} is not in the manifest")
                if not member.isfile():
                    raise BackupError(f"{archive}: member {member.name!r} is not a plain file")
                seen.add(member.name)
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                with open(target, "xb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                want = expected[member.name]
                if digest.hexdigest() != want.get("sha256") or member.size != want.get("size"):
                    raise BackupError(
                        f"{archive}: checksum mismatch for {member.name} (the archive is damaged or altered)"
                    )
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive}: cannot be read ({exc})") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{archive}: missing from the archive: {', '.join(missing[:5])}")
