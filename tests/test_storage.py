"""Uploaded files in the database (hub.core.storage): written and deleted in the transaction of the row that names
them, served from every host with the download's headers and an ETag, at a fixed number of statements."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from hub.accounts.models import User
from hub.core import storage
from hub.core.db import db
from regions.matches import documents
from regions.matches import services as matches
from regions.matches.models import MatchDocument
from tests.factories import stored_files, tiny_pdf, tiny_png
from tests.statements import counted

REGION = "erzgebirge"


@pytest.fixture
def match(make):
    return make.match(REGION, title="Ablage")


def test_a_file_written_in_a_transaction_that_rolls_back_leaves_nothing(app, make, match):
    with make.inside(REGION):
        upload = FileStorage(io.BytesIO(tiny_pdf("zurückgenommen")), filename="Entwurf.pdf")
        document = documents.store_document(
            matches.get_match(match.id), upload, db.session.get(User, match.members[0].owner.id)
        )
        assert storage.read(documents.document_key(document.stored_name)) == tiny_pdf("zurückgenommen")
        db.session.rollback()

    assert stored_files(app) == {}
    with app.app_context(), make.inside(REGION):
        assert db.session.scalars(select(MatchDocument)).all() == []


def test_a_refused_booking_keeps_neither_its_receipt_row_nor_its_file(app, client, auth, make, match):
    auth.login(make.coordinator(REGION))

    response = client.post(
        f"/{REGION}/matches/{match.id}/ledger",
        data={
            "kind": "payment",
            "amount": "999999.00",  # more than the budget: refused by the service after the receipt was stored
            "booked_on": date(2025, 3, 1).isoformat(),
            "purpose": "Zu viel",
            "receipt": (io.BytesIO(tiny_pdf("Beleg")), "Beleg.pdf"),
        },
    )

    assert response.status_code == 422
    assert stored_files(app) == {}


def test_deleting_a_document_deletes_its_file_in_the_same_transaction(app, make, match):
    document = make.document(match, filename="Notizen.pdf")
    with make.inside(REGION):
        documents.remove_document(matches.get_match(match.id), db.session.get(MatchDocument, document.id))
        db.session.rollback()
    assert len(stored_files(app, "matches/")) == 1, "a rolled-back deletion keeps the file"

    with make.inside(REGION):
        documents.remove_document(matches.get_match(match.id), db.session.get(MatchDocument, document.id))
        db.session.commit()
    assert stored_files(app) == {}


def test_a_document_downloads_byte_identical_with_its_headers_and_an_etag(app, client, auth, make, match):
    data = tiny_pdf("Zwischenbericht")
    document = make.document(match, filename="Zwischenbericht März.pdf", data=data)
    auth.login(match.members[0].owner)
    url = f"/{REGION}/matches/documents/{document.id}"

    response = client.get(url)

    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "Zwischenbericht%20M%C3%A4rz.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.get_etag()[0] == hashlib.sha256(data).hexdigest()

    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    part = client.get(url, headers={"Range": "bytes=0-4"})
    assert part.status_code == 206 and part.data == data[:5]


def test_a_document_download_costs_the_same_statements_for_few_and_many_and_large_files(app, client, auth, make, match):
    first = make.document(match, filename="Klein.pdf")
    auth.login(match.members[0].owner)

    def statements(document_id: int) -> list[str]:
        with counted(app) as sent:
            assert client.get(f"/{REGION}/matches/documents/{document_id}").status_code == 200
        return sent

    few = statements(first.id)
    for n in range(6):
        make.document(match, filename=f"Protokoll {n}.pdf")
    large = make.document(match, filename="Groß.pdf", data=b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))

    assert len(statements(first.id)) == len(few)
    assert len(statements(large.id)) == len(few)
    assert sum("stored_file" in s for s in few) == 1, "the file's bytes in one statement"


def test_a_profile_picture_is_served_from_the_store_with_an_etag(app, client, auth, make):
    owner = make.participant(REGION)
    profile = make.profile(REGION, user=owner, name="Mit Bild", picture=True, visibility="network")
    auth.login(owner)

    response = client.get(f"/directory/profiles/{profile.id}/picture")

    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    [(key, content)] = stored_files(app, "profiles/").items()
    assert response.data == content and response.get_etag()[0] == hashlib.sha256(content).hexdigest()
    assert client.get(response.request.path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_a_file_row_missing_answers_404_not_500(app, client, auth, make, match):
    document = make.document(match, filename="Weg.pdf")
    with make.inside(REGION):
        storage.delete(documents.document_key(db.session.get(MatchDocument, document.id).stored_name))
        db.session.commit()
    auth.login(match.members[0].owner)
    assert client.get(f"/{REGION}/matches/documents/{document.id}").status_code == 404


def test_put_read_exists_delete(app):
    with app.app_context():
        storage.put("test/a.png", tiny_png(), "image/png")
        assert storage.exists("test/a.png") and storage.read("test/a.png") == tiny_png()
        assert storage.delete("test/a.png", "test/none") == 1
        assert not storage.exists("test/a.png") and storage.read("test/a.png") is None
        db.session.rollback()
