"""The table of stored files: every upload's bytes, in the database every host reaches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db, utcnow
from hub.core.personal_data import Personal


class StoredFile(db.Model):
    """One file's bytes under a key (``matches/<random>.pdf``, ``profiles/<random>.jpg``, ``imports/...``).

    No region and no person: a file is reached only through the row that names its key (a match document,
    a profile's picture), which is region-scoped and declares its owner; that row's erasure hook deletes the
    file in the same transaction. The one exception, a profile import's previewed file (``imports/``), is the
    coordination's working copy, named by the token in its preview form and swept after a day.
    """

    __tablename__ = "stored_file"
    personal_data = Personal(
        columns=("content",),
        derived=True,
        reason=(
            "uploaded documents and pictures: reached through the rows that name their key (match_document, "
            "profile), whose erasure deletes them in the same transaction; previewed imports go after a day"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # Deferred: listing or checking files never loads their bytes.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
