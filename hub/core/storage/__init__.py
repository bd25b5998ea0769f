"""Uploaded files in the database: every host of a deployment reads what any host wrote.

Files are written in the caller's transaction (a rollback leaves no file behind, an erasure deletes its
files with its rows) and a backup of the database holds them. They are small: documents at most 10 MB
(``regions.matches.vocab.MAX_DOCUMENT_BYTES``), pictures 5 MB before and a 512 px JPEG after resizing.
See docs/ARCHITECTURE.md, "Uploaded files in the database".
"""

from __future__ import annotations

import hashlib
import io

from flask import Response, send_file
from sqlalchemy import delete as sql_delete
from sqlalchemy import select

from hub.core.db import db
from hub.core.storage.models import StoredFile

__all__ = ["StoredFile", "put", "read", "delete", "exists", "send"]


def put(key: str, content: bytes, content_type: str) -> StoredFile:
    """Keep ``content`` under ``key`` in the current transaction (the caller commits)."""
    stored = StoredFile(
        key=key,
        content=content,
        size=len(content),
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def read(key: str) -> bytes | None:
    """The bytes under ``key``, or None."""
    return db.session.scalar(select(StoredFile.content).where(StoredFile.key == key))


def exists(key: str) -> bool:
    """Whether a file is kept under ``key`` (its bytes are not read)."""
    return db.session.scalar(select(StoredFile.id).where(StoredFile.key == key)) is not None


def delete(*keys: str) -> int:
    """Delete the files under these keys in the current transaction; how many there were."""
    keys = tuple(k for k in keys if k)
    if not keys:
        return 0
    return db.session.execute(
        sql_delete(StoredFile).where(StoredFile.key.in_(keys)), execution_options={"synchronize_session": False}
    ).rowcount


def send(key: str, *, mimetype: str, download_name: str | None = None, max_age: int | None = None) -> Response | None:
    """The file as a response in one statement (bytes, checksum and time together), with an ETag so that a
    client's conditional request gets 304 and a Range request its part; None when there is no such file."""
    row = db.session.execute(
        select(StoredFile.content, StoredFile.sha256, StoredFile.created_at).where(StoredFile.key == key)
    ).first()
    if row is None:
        return None
    return send_file(
        io.BytesIO(row.content),
        mimetype=mimetype,
        as_attachment=download_name is not None,
        download_name=download_name,
        etag=row.sha256,
        last_modified=row.created_at,
        max_age=max_age,
        conditional=True,
    )
