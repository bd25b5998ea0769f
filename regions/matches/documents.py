"""Documents and receipts of a match: checked by content (not by name or the browser's word) and size."""

from __future__ import annotations

import io
import secrets
import unicodedata
import zipfile
from pathlib import PurePosixPath

from hub.accounts.models import User
from hub.core import storage
from hub.core.db import db
from hub.core.schemas import ServiceError, _m
from regions.matches.models import Match, MatchDocument
from regions.matches.vocab import DOCUMENT_TYPES, MAX_DOCUMENT_BYTES

OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class DocumentError(ServiceError):
    """An upload we do not accept."""


def sniff(data: bytes) -> str | None:
    """The content type a file really has, of the ones we accept; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                if "mimetype" in names and archive.read("mimetype") == b"application/vnd.oasis.opendocument.text":
                    return "application/vnd.oasis.opendocument.text"
                if "[Content_Types].xml" in names:
                    for prefix, content_type in OOXML.items():
                        if any(n.startswith(prefix) for n in names):
                            return content_type
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
        return None
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def shown_name(filename: str | None) -> str:
    """The name people see: the last path part, NFC, without control characters; the stored key is random."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return name.strip().lstrip(".")[:200]


def store_document(match: Match, upload, by: User, *, is_receipt: bool = False) -> MatchDocument:
    """Check and keep an uploaded file (at most 10 MB; PDF, image, office document or text)."""
    data = upload.stream.read(MAX_DOCUMENT_BYTES + 1)
    if not data:
        raise DocumentError(_m("The file is empty."), "file")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(_m("The file is larger than 10 MB."), "file")
    content_type = sniff(data)
    if content_type is None:
        raise DocumentError(
            _m(
                "Please upload a PDF, a picture (PNG, JPEG), an office document (DOCX, XLSX, PPTX, ODT) or a text file."
            ),
            "file",
        )
    filename = shown_name(upload.filename) or f"dokument{DOCUMENT_TYPES[content_type]}"
    stored_name = f"{secrets.token_hex(16)}{DOCUMENT_TYPES[content_type]}"
    storage.put(document_key(stored_name), data, content_type)  # in this transaction: a rollback keeps nothing
    document = MatchDocument(
        filename=filename[:200],
        stored_name=stored_name,
        content_type=content_type,
        size=len(data),
        is_receipt=is_receipt,
        uploaded_by_id=by.id,
    )
    match.documents.append(document)
    db.session.flush()
    return document


def document_key(stored_name: str) -> str:
    """The key of a document's file in the store (its path under uploads/ before the store)."""
    return f"matches/{PurePosixPath(stored_name).name}"


def remove_document(match: Match, document: MatchDocument) -> None:
    """Delete a document; receipts of booked entries stay (the ledger is append-only)."""
    if document.is_receipt:
        raise DocumentError(_m("Receipts of the ledger cannot be deleted."), "document_id")
    match.documents.remove(document)
    db.session.delete(document)
    storage.delete(document_key(document.stored_name))
