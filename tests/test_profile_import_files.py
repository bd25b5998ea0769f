"""The profile import takes what coordinators' spreadsheets really hold, and still refuses broken files whole.

The files come from tests/profile_files.py (Excel, LibreOffice, Google Sheets, openpyxl; sentences, single
letters, fillers and line breaks in Angebote and Bedarfe). Each valid file goes through the pages as a
coordinator uploads and confirms it, and the stored profiles must be exactly the ones the file stands for.
"""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from hub.core.db import db
from hub.core.tenancy import all_regions, region_scope
from regions.matches.suggestions import Person, explain, suggest
from regions.profiles.models import Profile
from shared.directory.index import term_rows
from tests.factories import stored_files
from tests.profile_files import (
    ANNA,
    BIG_ROWS,
    SIX,
    Expected,
    big_file,
    big_participant,
    broken_files,
    csv_bytes,
    valid_files,
)

HOME = "erzgebirge"
VALID = valid_files()
BROKEN = broken_files()


@pytest.fixture
def coordinator(make, client):
    """A client logged in as a coordinator of Erzgebirge, interface in English."""
    return login(client, make.coordinator(HOME))


def login(client, person, lang: str = "en"):
    assert client.post("/login", data={"email": person.email, "password": "correct horse battery"}).status_code == 302
    client.post("/language", data={"lang": lang, "next": "/"})
    return client


def upload(client, data: bytes, filename: str):
    files = {"file": (io.BytesIO(data), filename)}
    return client.post(f"/{HOME}/profiles/import", data=files, content_type="multipart/form-data")


def words(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def result_cell(page: str, row: int) -> str:
    """The text of the preview's result cell of a spreadsheet row."""
    found = re.search(rf'<td class="num">{row}</td>(?:\s*<td>[^<]*</td>)*\s*<td>(.*?)</td>\s*</tr>', page, re.S)
    assert found, f"row {row} is not in the preview"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def import_file(client, data: bytes, filename: str):
    preview = upload(client, data, filename)
    assert preview.status_code == 200, words(preview)[-3000:]
    token = re.search(r'name="token" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    return client.post(f"/{HOME}/profiles/import/confirm", data={"token": token}, follow_redirects=True)


def stored(app) -> list[Expected]:
    with app.app_context(), all_regions():
        profiles = db.session.scalars(select(Profile).order_by(Profile.id)).all()
        return [Expected.of(p) for p in profiles]


def profile_count(app) -> int:
    with app.app_context(), all_regions():
        return db.session.scalar(select(func.count()).select_from(Profile))


def kept_uploads(app) -> list[str]:
    """The uploads waiting for their confirmation in the store (not the markers of confirmed ones)."""
    return sorted(k.removeprefix("imports/") for k in stored_files(app, "imports/") if not k.endswith(".claimed"))


# -- valid files: imported whole, each cell as the rule reads it ------------------------------------


def test_there_are_at_least_23_valid_files_and_most_hold_sentences_or_single_letters():
    assert len(VALID) >= 23
    assert len({sample.data for sample in VALID.values()}) == len(VALID)  # no two are the same bytes
    with_texts = [s for s in VALID.values() if any(e.offers_text or e.needs_text for e in s.expected)]
    assert len(with_texts) >= 16


@pytest.mark.parametrize("name", list(VALID))
def test_a_valid_file_is_imported_whole_with_its_terms_and_sentences(app, coordinator, name):
    sample = VALID[name]
    page = words(import_file(coordinator, sample.data, sample.filename))
    count = len(sample.expected)
    assert f"{count} profile{'s' if count > 1 else ''} imported." in page
    assert stored(app) == sample.expected


def test_excels_csv_utf8_is_what_the_test_says_it_is():
    data = VALID["Excel CSV UTF-8 (BOM, semicolons, CRLF)"].data
    assert data.startswith(b"\xef\xbb\xbf") and data.split(b"\r\n")[0].count(b";") == 12
    assert b'"Etiketten-Design; Kommunikation und Marketing\nEin neues Logo' in data  # a quoted cell over two lines
    assert VALID["Excel CSV (Windows-1252, semicolons, CRLF)"].data.decode("cp1252").startswith("Name;Art;")
    assert VALID["Excel Unicode text (UTF-16, tabs)"].data.startswith(b"\xff\xfe")


def test_the_preview_says_per_row_what_becomes_of_angebote_and_bedarfe(coordinator):
    sample = VALID["Excel CSV UTF-8 (BOM, semicolons, CRLF)"]
    response = upload(coordinator, sample.data, sample.filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and profile_count(coordinator.application) == 0
    assert (
        "In 6 rows, Angebote / Bedarfe are not a plain list of terms (sentences, line breaks, “und”, more than 15 "
        "terms or words that are no terms): each row says what becomes of them. Every other row is taken as written."
    ) in words(response)
    assert result_cell(page, 2) == (
        "new Angebote: 3 terms taken over (Fotografie, Video, Schnitt) "
        "Bedarfe: 1 sentence as text under “What we are looking for”"
    )
    # Jörg's offers are a plain list ("Tontechnik; Komposition; Live-Musik"): taken as written, no word about them.
    assert result_cell(page, 3) == "new Bedarfe: 1 sentence as text under “What we are looking for”"
    assert result_cell(page, 4) == (
        "new Angebote: 3 terms taken over (Werkstatt, Holz, Metall); left out (no term): “x” "
        "Bedarfe: 2 terms taken over (Grafik- und Webdesign, Fotografie); left out (no term): “usw.”"
    )
    # Käthe's needs are "-": nothing, as written.
    assert result_cell(page, 5) == "new Angebote: 2 terms taken over (Weißnäherei, Übersetzung (Tschechisch/Polnisch))"
    assert result_cell(page, 6) == (  # Brauhaus Meißen: its Bedarfe run over two lines of the file, 6 and 7
        "new Bedarfe: 3 terms taken over (Etiketten-Design, Kommunikation, Marketing); "
        "1 sentence as text under “What we are looking for”"
    )
    assert result_cell(page, 8) == (
        "new Angebote: 2 terms taken over (3D-Druck, KI); left out (no term): “C” Bedarfe: left out (no term): “keine”"
    )


def test_a_plain_list_gets_no_word_in_the_preview(coordinator):
    rows = [
        ["Name", "Art", "E-Mail", "Angebote", "Bedarfe"],
        ["Bernd", "Kreative", "b@example.org", "Holz, Metall", ""],
    ]
    response = upload(coordinator, csv_bytes(rows), "schlicht.csv")
    assert result_cell(response.get_data(as_text=True), 2) == "new"
    assert "not a plain list" not in words(response)


def test_the_preview_speaks_german_to_a_german_coordinator(app, make, client):
    login(client, make.coordinator(HOME), lang="de")
    sample = VALID["Angebote (Text) and Bedarfe (Text) columns beside the cells"]
    page = upload(client, sample.data, sample.filename).get_data(as_text=True)
    assert result_cell(page, 2) == (
        "neu Angebote: 1 Begriff übernommen (Fotografie); 1 Satz als Text unter „Angebote (Text)“ "
        "Bedarfe: 1 Satz als Text unter „Bedarfe (Text)“"
    )
    many = VALID["more than 15 terms"]
    page = upload(client, many.data, many.filename).get_data(as_text=True)
    assert "15 Begriffe übernommen" in result_cell(page, 2)
    assert result_cell(page, 2).endswith(
        "3 weitere Begriffe als Text unter „Das kann ich / können wir“ (höchstens 15 Begriffe)"
    )


def test_imported_terms_are_facets_of_the_directory_and_sentences_feed_the_suggestions(app, regions, coordinator):
    sample = VALID["XLSX from openpyxl"]
    import_file(coordinator, sample.data, sample.filename)
    with app.app_context(), region_scope(regions[HOME].id):
        profiles = {p.contact_email: p for p in db.session.scalars(select(Profile))}
        holzwerk = profiles["info@holzwerk-zittau.example"]
        assert sorted(row["label"] for row in term_rows(holzwerk) if row["facet"] == "tag") == [
            "Fotografie",
            "Grafik- und Webdesign",
            "Holz",
            "Metall",
            "Werkstatt",
        ]
        people = {
            email: Person(email, tuple(p.offer_tags), tuple(p.need_tags), p.needs_text) for email, p in profiles.items()
        }
    anna, joerg = people[ANNA.expected.contact_email], people["joerg.weiss@example.org"]
    # A term of Anna's list meets a term of the Holzwerk's list ...
    (by_terms,) = suggest([anna], [people[holzwerk.contact_email]], {})
    assert explain(by_terms.reasons) == 'offer "Fotografie" fits need "Fotografie"'
    # ... and a sentence kept as text still tells what Jörg needs.
    (by_sentence,) = suggest([joerg], [Person("proberaum", offer_tags=("Proberaum",))], {})
    assert explain(by_sentence.reasons) == 'offer "Proberaum" fits the described need'


def test_an_imported_profile_saved_unchanged_in_the_profile_form_keeps_its_terms_and_texts(app, coordinator):
    sample = VALID["Excel CSV UTF-8 (BOM, semicolons, CRLF)"]
    import_file(coordinator, sample.data, sample.filename)
    with app.app_context(), all_regions():
        ids = db.session.scalars(select(Profile.id).order_by(Profile.id)).all()
    for profile_id, wanted in zip(ids, sample.expected, strict=True):
        page = coordinator.get(f"/{HOME}/profiles/{profile_id}/edit").get_data(as_text=True)
        shown = html.unescape(re.search(r'name="offer_tags"[^>]*value="([^"]*)"', page).group(1))
        assert shown == ", ".join(wanted.offer_tags)  # what the coordinator sees, and sends back
        form = {
            **{name: getattr(wanted, name) for name in ("kind", "display_name", "organisation_name", "pitch")},
            **{name: getattr(wanted, name) for name in ("town", "website", "sector", "contact_email", "contact_phone")},
            "offer_tags": shown,
            "need_tags": ", ".join(wanted.need_tags),
            "offers_text": wanted.offers_text,
            "needs_text": wanted.needs_text,
            "submarkets": list(wanted.submarkets),
            "languages": list(wanted.languages),
        }
        response = coordinator.post(f"/{HOME}/profiles/{profile_id}/edit", data=form)
        assert response.status_code == 302, words(response)[-1500:]
    assert stored(app) == sample.expected


# -- broken files: refused whole, naming row and column ----------------------------------------------


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_file_is_refused_whole_naming_row_and_column(app, coordinator, name):
    sample = BROKEN[name]
    response = upload(coordinator, sample.data, sample.filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    if sample.messages[0].isdigit():  # a row with a problem: the preview names its row, the column and why
        row, message = int(sample.messages[0]), sample.messages[1]
        assert message in result_cell(page, row)
        assert "Nothing will be imported while any row has a problem." in words(response)
        assert 'name="token"' not in page
    else:  # the file as a whole: the upload page says why
        assert all(message in words(response) for message in sample.messages), words(response)[-2000:]
        assert 'type="file"' in page
    assert profile_count(app) == 0 and kept_uploads(app) == []


# -- the 10,050-row file -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_file_of_10050_rows_with_sentences_and_single_letters_is_imported_whole(app, coordinator):
    sample = big_file()
    assert len(sample.data) < 5 * 1024 * 1024
    page = words(import_file(coordinator, sample.data, sample.filename))
    assert f"{BIG_ROWS:,} profiles imported.".replace(",", "") in page.replace(",", "")
    assert stored(app) == sample.expected


@pytest.mark.slow
def test_a_file_of_10050_rows_with_one_bad_address_near_the_end_is_refused_whole(app, coordinator):
    sample = big_file(broken=10_040)
    line, message = int(sample.messages[0]), sample.messages[1]
    assert line > 10_040 + 1  # the file's line, below the cells that run over two lines
    response = upload(coordinator, sample.data, sample.filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    name = re.search(rf'<td class="num">{line}</td>\s*<td>([^<]*)</td>', page).group(1)
    assert name == big_participant(10_040).cells["Name"]
    assert message in result_cell(page, line)
    assert profile_count(app) == 0 and kept_uploads(app) == []


def test_the_big_file_is_built_from_the_six_with_addresses_of_their_own():
    people = big_file().expected
    assert len(people) == BIG_ROWS and len({p.contact_email for p in people}) == BIG_ROWS
    assert people[6].offer_tags == SIX[0].expected.offer_tags and people[6].display_name == "Anna Schröder 6"
