"""The coordination's profile import and export: spreadsheets as German Excel writes and reads them.

Messages are checked with the interface in English (the msgids); the German catalogue is tested by
tests/test_i18n.py, and one test below checks that problems follow the user's language.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from hub.core.db import db
from hub.core.tenancy import all_regions, region_scope
from regions.profiles import services, spreadsheets, transfer
from regions.profiles.models import Profile
from tests.concurrency import all_pass_before_any_goes_on, at_once
from tests.factories import stored_files

HOME, OTHER = "erzgebirge", "meissen"
GERMAN_HEADER = ["Name", "Art", "Organisation", "E-Mail", "Telefon", "Ort", "Teilmärkte", "Angebote", "Sprachen"]
ANNA = ["Anna Schröder", "Kreative", "", "anna@example.org", "+49 351 1234", "Görlitz", "Designwirtschaft", "", "de"]
WERK = ["Holzwerk", "Verein", "Holzwerk e. V.", "info@holzwerk.example", "", "Zittau", "", "Möbelbau; Holz", ""]


# -- helpers -----------------------------------------------------------------------------------------


def csv_file(rows, *, delimiter=";", encoding="utf-8-sig", header=GERMAN_HEADER) -> bytes:
    """A CSV file as a spreadsheet program saves it (CRLF line ends)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows, *, header=GERMAN_HEADER) -> bytes:
    """An Excel workbook whose first sheet holds the participants (and a second sheet that is ignored)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Teilnehmende"
    for row in [header, *rows]:
        sheet.append(row)
    workbook.create_sheet("Notizen").append(["Name", "Art", "E-Mail"])
    workbook["Notizen"].append(["Nicht importieren", "Kreative", "nein@example.org"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def profiles_in(app, region: str) -> list[Profile]:
    with app.app_context(), all_regions():
        found = db.session.scalars(select(Profile).where(Profile.region.has(slug=region)).order_by(Profile.id)).all()
        db.session.expunge_all()
        return found


def archive(app, made) -> None:
    with app.app_context(), all_regions():
        services.archive(db.session.get(Profile, made.id))
        db.session.commit()


def profile_count(app) -> int:
    with app.app_context(), all_regions():
        return db.session.scalar(select(func.count()).select_from(Profile))


def upload(client, data: bytes, filename: str = "teilnehmende.csv", region: str = HOME):
    return client.post(
        f"/{region}/profiles/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def text(response) -> str:
    """The page as a reader sees its words: whitespace collapsed."""
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def token_of(response) -> str:
    found = re.search(r'name="token" value="([^"]+)"', response.get_data(as_text=True))
    assert found, "the preview offers no import button"
    return found.group(1)


def confirm(client, token: str, region: str = HOME, **kw):
    return client.post(f"/{region}/profiles/import/confirm", data={"token": token}, **kw)


def kept_uploads(app) -> list[str]:
    """The uploads waiting for their confirmation (not the empty markers of confirmed ones)."""
    return sorted(k.removeprefix("imports/") for k in stored_files(app, "imports/") if not k.endswith(".claimed"))


def kept(app, name: str) -> bytes | None:
    """What the store keeps under an import's name (an upload, or a claim marker ``<token>.claimed``)."""
    return stored_files(app, "imports/").get(f"imports/{name}")


def replace_kept(app, token: str, data: bytes) -> None:
    """Change a kept upload behind the preview's back."""
    from hub.core.storage import StoredFile

    with app.app_context():
        db.session.execute(db.update(StoredFile).where(StoredFile.key == f"imports/{token}").values(content=data))
        db.session.commit()


def import_file(client, data: bytes, filename: str = "teilnehmende.csv", region: str = HOME):
    """Upload, check the preview is clean, confirm; return the page after the import."""
    preview = upload(client, data, filename, region)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    return confirm(client, token_of(preview), region, follow_redirects=True)


def login(client, person, lang="en"):
    assert client.post("/login", data={"email": person.email, "password": "correct horse battery"}).status_code == 302
    client.post("/language", data={"lang": lang, "next": "/"})
    return client


@pytest.fixture
def coordinator(make, client):
    """A test client logged in as a coordinator of Erzgebirge, interface in English."""
    return login(client, make.coordinator(HOME))


# -- reading the files German Excel writes -----------------------------------------------------------


def test_semicolon_csv_with_bom_as_german_excel_saves_it_is_imported(app, coordinator):
    page = import_file(coordinator, csv_file([ANNA, WERK]))
    assert page.status_code == 200
    assert "2 profiles imported." in text(page)
    anna, werk = profiles_in(app, HOME)
    assert (anna.display_name, anna.kind.value, anna.contact_email, anna.town) == (
        "Anna Schröder",
        "creative",
        "anna@example.org",
        "Görlitz",
    )
    assert anna.contact_phone == "+49 351 1234" and anna.submarkets == ["design"] and anna.languages == ["de"]
    assert (werk.kind.value, werk.organisation_name, werk.offer_tags) == (
        "organisation",
        "Holzwerk e. V.",
        ["Möbelbau", "Holz"],
    )


def test_comma_separated_utf8_without_bom_is_read(app, coordinator):
    rows = [["Jörg Weiß", "Kreativ", "joerg@example.org", "Musikwirtschaft, Filmwirtschaft", "Deutsch, Englisch"]]
    header = ["Anzeigename", "Typ", "E-Mail", "Teilmarkt", "Sprachen"]
    import_file(coordinator, csv_file(rows, delimiter=",", encoding="utf-8", header=header))
    (joerg,) = profiles_in(app, HOME)
    assert joerg.display_name == "Jörg Weiß"
    assert joerg.submarkets == ["music", "film"] and joerg.languages == ["de", "en"]


def test_windows_1252_umlauts_come_out_right(app, coordinator):
    rows = [["Käthe Größel", "Kreative", "", "kaethe@example.org", "", "Löbau", "", "Weißnäherei, Übersetzung", ""]]
    data = csv_file(rows, encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really the old Excel encoding
    import_file(coordinator, data)
    (kaethe,) = profiles_in(app, HOME)
    assert (kaethe.display_name, kaethe.town) == ("Käthe Größel", "Löbau")
    assert kaethe.offer_tags == ["Weißnäherei", "Übersetzung"]


def test_headings_in_english_with_odd_case_and_spaces_and_codes_are_understood(app, coordinator):
    header = [" display_name ", "KIND", "Contact_Email", "submarkets", "languages", "Website"]
    rows = [["Studio Nord", "creative", "nord@example.org", "software_games;design", "en", "www.studio-nord.example"]]
    import_file(coordinator, csv_file(rows, header=header))
    (studio,) = profiles_in(app, HOME)
    assert studio.submarkets == ["software_games", "design"] and studio.languages == ["en"]
    assert studio.website == "https://www.studio-nord.example"


def test_xlsx_first_sheet_is_imported_with_numbers_as_text(app, coordinator):
    rows = [["Anna Schröder", "Kreative", "", "anna@example.org", 3514567, "Görlitz", "Kunstmarkt", "", ""]]
    import_file(coordinator, xlsx_file(rows), "teilnehmende.xlsx")
    (anna,) = profiles_in(app, HOME)
    assert (anna.display_name, anna.contact_phone, anna.submarkets) == ("Anna Schröder", "3514567", ["art"])


def test_excels_sep_line_names_the_delimiter_and_is_no_row_but_still_a_line_of_the_file(app, coordinator):
    data = b"sep=;\r\n" + csv_file([ANNA, [*WERK[:3], "", *WERK[4:]]], encoding="utf-8")
    page = text(upload(coordinator, data))
    assert re.search(r'<td class="num">3</td> <td>Anna Schröder</td>', page)
    assert re.search(r'<td class="num">4</td> <td>Holzwerk</td>.*?E-Mail: The e-mail address is missing', page)
    assert "new" in page and profile_count(app) == 0


def test_a_title_above_the_header_row_is_skipped_and_rows_keep_their_spreadsheet_numbers(app, coordinator):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Teilnehmende Kreativwerkstatt 2026"])
    sheet.append([])
    sheet.append(GERMAN_HEADER)
    sheet.append(ANNA)
    sheet.append(["", "Kreative", "", "ohne-name@example.org"])
    out = io.BytesIO()
    workbook.save(out)
    page = text(upload(coordinator, out.getvalue(), "liste.xlsx"))
    assert re.search(r'<td class="num">4</td> <td>Anna Schröder</td>.*?new', page)
    assert re.search(r'<td class="num">5</td>.*?Name: This field is required.', page)


def test_imported_profiles_are_kept_by_the_coordination_private_and_without_consent(app, coordinator):
    header = [*GERMAN_HEADER, "Sichtbarkeit", "Einwilligung"]
    page = text(upload(coordinator, csv_file([[*ANNA, "Netzwerk", "ja"]], header=header)))
    assert "Columns that are not imported: Sichtbarkeit, Einwilligung." in page
    import_file(coordinator, csv_file([[*ANNA, "Netzwerk", "ja"]], header=header))
    (anna,) = profiles_in(app, HOME)
    assert anna.user_id is None and anna.visibility.value == "private"
    assert not anna.has_consent and anna.consent_version is None


# -- the file as a whole: its shape, its quotation marks, its encoding -------------------------------

SHORT_HEADER = ["Name", "Art", "E-Mail", "Ort"]
BERND = ["Bernd Kühn", "Kreative", "bernd@example.org", "Zittau"]
# Line 1 the header, lines 2-3 Anna (a quoted cell with a line break), line 4 Bernd.
SHORT_ROWS = [["Anna Schröder", "Kreative", "anna@example.org", "Görlitz\nOT Weinhübel"], BERND]


def refused_file(app, response, message: str) -> None:
    """The upload page again with the message, nothing imported and nothing kept."""
    assert response.status_code == 422
    page = text(response)
    assert message in page, page
    assert 'type="file"' in page and "Import preview" not in page
    assert profile_count(app) == 0 and kept_uploads(app) == []


@pytest.mark.parametrize(
    "fifth_line,message",
    [
        ([*BERND, "Notiz"], "Line 5: 5 fields instead of 4."),
        (BERND[:3], "Line 5: 3 fields instead of 4."),
        (["Carla Lange,Kreative,carla@example.org,Löbau"], "Line 5: 1 field instead of 4."),  # another delimiter
    ],
)
def test_a_row_with_more_or_fewer_fields_than_the_header_refuses_the_file_naming_its_line(
    app, coordinator, fifth_line, message
):
    refused_file(app, upload(coordinator, csv_file([*SHORT_ROWS, fifth_line], header=SHORT_HEADER)), message)


def test_the_refusal_names_the_line_in_german(app, make, client):
    login(client, make.coordinator(HOME), lang="de")
    response = upload(client, csv_file([*SHORT_ROWS, [*BERND, "Notiz"]], header=SHORT_HEADER))
    assert response.status_code == 422 and "Zeile 5: 5 Felder statt 4." in text(response)
    assert profile_count(app) == 0


@pytest.mark.parametrize(
    "lines,message",
    [
        (
            ['Bernd Kühn;Kreative;"bernd@example.org;Zittau', "Carla Lange;Kreative;carla@example.org;Löbau"],
            "Line 4: a quoted field is not closed (a closing quotation mark is missing).",
        ),
        (
            ["Bernd Kühn;Kreative;bernd@example.org;Zittau", 'Carla Lange;"Kreative" Werkstatt;carla@example.org;x'],
            "Line 5: after a closing quotation mark there must be the separator or the end of the line",
        ),
    ],
)
def test_a_quotation_mark_left_open_or_misplaced_refuses_the_file_naming_its_line(app, coordinator, lines, message):
    data = csv_file(SHORT_ROWS[:1], header=SHORT_HEADER) + "\r\n".join(lines).encode() + b"\r\n"
    refused_file(app, upload(coordinator, data), message)


@pytest.mark.parametrize(
    "data,message",
    [
        (
            "Name;Art;E-Mail;Ort\r\nAnna Schröder;Kreative;anna@example.org;Görlitz\r\n".encode()
            + "Käthe Größel;Kreative;kaethe@example.org;Löbau\r\n".encode("cp1252"),
            "Line 3: not in UTF-8, while line 2 is – the file mixes two character encodings.",
        ),
        (
            "Name;Art;E-Mail;Ort\r\nKäthe Größel;Kreative;kaethe@example.org;Löbau\r\n".encode("cp1252")
            + "Bernd Kühn;Kreative;bernd@example.org;Zittau\r\n".encode(),
            "Line 2: not in UTF-8, while line 3 is – the file mixes two character encodings.",
        ),
        (
            "\ufeffName;Art;E-Mail;Ort\r\n".encode()
            + "Bernd Kühn;Kreative;bernd@example.org;Zittau\r\n".encode("cp1252"),
            "Line 2: not in UTF-8, while line 1 is – the file mixes two character encodings.",
        ),
    ],
    ids=["UTF-8 then Windows-1252", "Windows-1252 then UTF-8", "UTF-8 mark then Windows-1252"],
)
def test_a_file_mixing_utf8_and_windows_1252_is_refused_naming_the_first_line_not_in_utf8(
    app, coordinator, data, message
):
    refused_file(app, upload(coordinator, data), message)


def test_lines_are_counted_as_in_the_file_across_cells_with_line_breaks(app, coordinator):
    rows = [*SHORT_ROWS, ["Ohne Mail", "Kreative", "", "Löbau"]]  # line 5
    page = text(upload(coordinator, csv_file(rows, header=SHORT_HEADER)))
    assert re.search(r'<td class="num">2</td> <td>Anna Schröder</td>', page)
    assert re.search(r'<td class="num">4</td> <td>Bernd Kühn</td>', page)
    assert re.search(r'<td class="num">5</td> <td>Ohne Mail</td>.*?E-Mail: The e-mail address is missing.', page)


def test_a_sheet_row_with_a_value_right_of_the_last_heading_refuses_the_workbook(app, coordinator):
    data = xlsx_file([ANNA, [*WERK, "Notiz ohne Spalte"]])
    message = "Row 3: a value in column J, to the right of the last heading."
    refused_file(app, upload(coordinator, data, "liste.xlsx"), message)


def test_submarkets_of_an_organisation_and_a_sector_of_a_creative_are_refused_not_dropped(app, coordinator):
    header = [*GERMAN_HEADER, "Branche"]
    rows = [
        [*ANNA, ""],  # line 2: a creative with a submarket
        [*WERK, "Handwerk"],  # line 3: an organisation with a sector
        [*WERK[:3], "kunst@holz.example", "", "", "Kunstmarkt", "", "", ""],  # line 4
        [*ANNA[:3], "grafik@example.org", "", "", "", "", "", "Druckerei"],  # line 5
    ]
    response = upload(coordinator, csv_file(rows, header=header))
    assert response.status_code == 422
    page = text(response)

    def cell(row: int, text: str) -> bool:
        return re.search(rf'<td class="num">{row}</td>(?:(?!<tr>).)*?{re.escape(text)}', page, re.S) is not None

    assert cell(2, "new") and cell(3, "new")
    assert cell(4, "Teilmärkte: Submarkets are for creatives; an organisation has a sector instead.")
    assert cell(5, "Branche: A sector is for organisations; a creative has submarkets instead.")
    assert profile_count(app) == 0
    import_file(coordinator, csv_file(rows[:2], header=header))
    anna, werk = profiles_in(app, HOME)
    assert (anna.submarkets, anna.sector, werk.submarkets, werk.sector) == (["design"], "", [], "Handwerk")


# -- the preview -------------------------------------------------------------------------------------


def test_preview_lists_new_rows_and_changes_nothing(app, coordinator):
    response = upload(coordinator, csv_file([ANNA, WERK]))
    page = text(response)
    assert response.status_code == 200
    assert "2 rows read: 2 new profiles, 0 already present (skipped), 0 rows with problems." in page
    assert "Anna Schröder" in page and "info@holzwerk.example" in page
    assert "Import 2 profiles" in page
    assert profile_count(app) == 0


def test_preview_lists_every_problem_with_its_spreadsheet_row_and_column(app, coordinator):
    rows = [
        ANNA,  # row 2: fine
        ["Ohne Mail", "Kreative", "", "", "", "", "", "", ""],  # row 3
        ["Doppelt", "Kreative", "", "ANNA@example.org", "", "", "", "", ""],  # row 4
        [],  # row 5: empty, skipped by Excel users and by us
        ["Falscher Markt", "Kreative", "", "markt@example.org", "", "", "Gartenbau", "", ""],  # row 6
        ["Falsche Art", "Freiberufler", "", "art@example.org", "", "", "", "", ""],  # row 7
        ["N" * 121, "Kreative", "", "lang@example.org", "", "", "", "", ""],  # row 8
        ["Kaputte Mail", "Kreative", "", "kaputt@", "", "", "", "", ""],  # row 9
    ]
    response = upload(coordinator, csv_file(rows))
    assert response.status_code == 422
    page = text(response)
    assert "Nothing will be imported while any row has a problem." in page
    assert 'name="token"' not in page
    assert kept_uploads(app) == []

    def cell(row: int, text: str) -> bool:
        return re.search(rf'<td class="num">{row}</td>(?:(?!<tr>).)*?{re.escape(text)}', page, re.S) is not None

    assert cell(2, "new")
    assert cell(3, "E-Mail: The e-mail address is missing.")
    assert cell(4, "E-Mail: The same e-mail address as in row 2.")
    assert cell(6, "Teilmärkte: Unknown submarket “Gartenbau”.")
    assert cell(7, "Art: Unknown kind “Freiberufler”: use Kreative or Organisation.")
    assert cell(8, "Name: Length must be between 2 and 120.")
    assert cell(9, "E-Mail: Not a valid e-mail address.")
    assert '<td class="num">5</td>' not in page


@pytest.mark.parametrize("lang", ["de", "en"])
def test_problems_are_shown_in_the_users_language(app, make, client, lang):
    login(client, make.coordinator(HOME), lang=lang)
    page = text(upload(client, csv_file([["Ohne Mail", "Kreative", "", "", "", "", "", "", ""]])))
    with app.test_request_context(), force_locale(lang):
        expected = gettext("The e-mail address is missing.")
    assert expected in page and f'lang="{lang}"' in page


# -- confirming: all or nothing ----------------------------------------------------------------------


def test_confirming_imports_the_rows_and_deletes_the_kept_upload(app, coordinator):
    token = token_of(upload(coordinator, csv_file([ANNA])))
    assert kept_uploads(app) == [token]
    response = confirm(coordinator, token)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{HOME}/profiles/")
    assert kept_uploads(app) == []
    assert kept(app, f"{token}.claimed") == b""  # the data is gone; the claim stays and refuses a second confirmation
    assert [p.display_name for p in profiles_in(app, HOME)] == ["Anna Schröder"]


def test_the_upload_waits_in_the_store_with_a_random_name_of_its_region(app, regions, coordinator):
    first, second = (token_of(upload(coordinator, csv_file([ANNA]))) for _ in range(2))
    assert first != second
    assert re.fullmatch(rf"{regions[HOME].id}-[0-9a-f]{{32}}\.csv", first)
    assert kept(app, first) == csv_file([ANNA])
    assert not (Path(app.instance_path) / "imports").exists(), "nothing on this host's disk"
    assert confirm(coordinator, first).status_code == 302
    assert kept(app, first) is None
    coordinator.post(f"/{HOME}/profiles/import/cancel", data={"token": second})
    assert kept(app, second) is None


def test_an_upload_left_for_more_than_a_day_is_swept_by_the_next_upload(app, coordinator):
    from hub.core.storage import StoredFile

    forgotten, waiting = (token_of(upload(coordinator, csv_file([ANNA]))) for _ in range(2))
    with app.app_context():  # on the clock that dates the uploads: a day and a minute before the others
        aged = db.session.scalar(db.select(StoredFile).where(StoredFile.key == f"imports/{forgotten}"))
        aged.created_at -= timedelta(seconds=transfer.KEEP_UPLOADS_SECONDS + 60)
        db.session.commit()
    latest = token_of(upload(coordinator, csv_file([ANNA])))
    assert kept_uploads(app) == sorted([waiting, latest])


def test_one_bad_row_means_nothing_is_written_even_at_confirmation(app, coordinator):
    token = token_of(upload(coordinator, csv_file([ANNA, WERK])))
    # The kept file changes behind the preview's back: the confirmation checks again.
    replace_kept(app, token, csv_file([ANNA, [*WERK[:3], "", *WERK[4:]]]))
    response = confirm(coordinator, token)
    assert response.status_code == 422
    assert "The e-mail address is missing." in text(response)
    assert profile_count(app) == 0


def test_an_error_in_a_later_batch_leaves_no_profile_behind(app, regions, monkeypatch):
    rows = [[f"Person {i}", "Kreative", "", f"p{i}@example.org", "", "", "", "", ""] for i in range(5)]
    monkeypatch.setattr(transfer, "BATCH", 2)
    calls = []

    def apply_then_fail(profile, data):
        calls.append(data["display_name"])
        if len(calls) == 4:
            raise RuntimeError("database gone")
        original(profile, data)

    original = transfer.services.apply_fields
    monkeypatch.setattr(transfer.services, "apply_fields", apply_then_fail)
    with app.test_request_context(), region_scope(regions[HOME].id):
        plan = transfer.plan_import(transfer.read_table(csv_file(rows), "a.csv"))
        with pytest.raises(RuntimeError):
            transfer.import_profiles(plan)
        db.session.rollback()
    assert len(calls) == 4  # two profiles had been flushed already
    assert profile_count(app) == 0


def test_confirming_twice_imports_once_and_says_it_was_confirmed_already(app, coordinator):
    token = token_of(upload(coordinator, csv_file([ANNA, WERK])))
    assert confirm(coordinator, token).status_code == 302
    before = profiles_in(app, HOME)
    again = confirm(coordinator, token)
    assert again.status_code == 409
    assert "This import has been confirmed already (or is running right now); nothing was changed." in text(again)
    assert [(p.id, p.updated_at) for p in profiles_in(app, HOME)] == [(p.id, p.updated_at) for p in before]
    cancelled = coordinator.post(f"/{HOME}/profiles/import/cancel", data={"token": token})
    assert cancelled.status_code == 409 and profile_count(app) == 2


def test_a_confirmation_that_imported_nothing_can_be_told_apart_from_one_that_did(app, coordinator):
    token = token_of(upload(coordinator, csv_file([ANNA])))
    replace_kept(app, token, csv_file([[*ANNA[:3], "", *ANNA[4:]]]))
    assert confirm(coordinator, token).status_code == 422
    again = confirm(coordinator, token)
    assert again.status_code == 400 and stored_files(app, "imports/") == {}
    assert "This upload is not available in this region (any more). Please upload the file again." in text(again)
    assert profile_count(app) == 0


def test_confirming_one_upload_four_times_at_once_imports_it_once(app, make, coordinator):
    token = token_of(upload(coordinator, csv_file([ANNA, WERK])))
    person = make.coordinator(HOME)
    clients = [login(app.test_client(), person) for _ in range(4)]

    answers = at_once(*(lambda c=c: confirm(c, token) for c in clients))

    assert sorted(a.status_code for a in answers) == [302, 409, 409, 409]
    for refused in (a for a in answers if a.status_code == 409):
        assert "This import has been confirmed already (or is running right now); nothing was changed." in text(refused)
    assert sorted(p.display_name for p in profiles_in(app, HOME)) == ["Anna Schröder", "Holzwerk"]


def test_four_uploads_of_one_file_confirmed_at_once_create_each_profile_once(app, make, coordinator, monkeypatch):
    rows = [[f"Person {i}", "Kreative", "", f"p{i}@example.org", "", "", "", "", ""] for i in range(5)]
    person = make.coordinator(HOME)
    clients = [login(app.test_client(), person) for _ in range(4)]
    tokens = [token_of(upload(c, csv_file(rows))) for c in clients]
    # Every confirmation has checked the file against the region (all five new) before any writes.
    all_pass_before_any_goes_on(monkeypatch, transfer, "plan_import", 4)

    answers = at_once(*(lambda c=c, t=t: confirm(c, t) for c, t in zip(clients, tokens, strict=True)))

    assert sorted(a.status_code for a in answers) == [302, 409, 409, 409]
    for refused in (a for a in answers if a.status_code == 409):
        assert re.search(
            r"Row \d: a profile with the e-mail address p\d@example.org has been added to this region in the meantime, "
            r"perhaps by an import at the same moment\. Nothing was imported",
            text(refused),
        )
    assert sorted(p.contact_email for p in profiles_in(app, HOME)) == [f"p{i}@example.org" for i in range(5)]


def test_an_import_that_loses_the_race_in_a_later_batch_leaves_nothing_and_names_the_row(
    app, make, regions, monkeypatch
):
    rows = [[f"Person {i}", "Kreative", "", f"p{i}@example.org", "", "", "", "", ""] for i in range(5)]
    monkeypatch.setattr(transfer, "BATCH", 2)
    with app.test_request_context(), region_scope(regions[HOME].id):
        plan = transfer.plan_import(transfer.read_table(csv_file(rows), "a.csv"))
    make.profile(HOME, name="Schneller", contact_email="P3@example.org")  # after the plan, before the import
    with app.test_request_context(), region_scope(regions[HOME].id), force_locale("en"):
        with pytest.raises(transfer.ImportConflict) as refused:
            transfer.import_profiles(plan)
        assert str(refused.value.message).startswith(
            "Row 5: a profile with the e-mail address p3@example.org has been added to this region in the meantime"
        )
    assert [p.display_name for p in profiles_in(app, HOME)] == ["Schneller"]


def test_cancelling_discards_the_upload(app, coordinator):
    token = token_of(upload(coordinator, csv_file([ANNA])))
    response = coordinator.post(f"/{HOME}/profiles/import/cancel", data={"token": token}, follow_redirects=True)
    assert "The import has been cancelled; nothing was changed." in text(response)
    assert kept_uploads(app) == [] and profile_count(app) == 0


def test_reimporting_the_same_file_creates_no_duplicates(app, coordinator):
    data = csv_file([ANNA, WERK])
    import_file(coordinator, data)
    page = text(upload(coordinator, data))
    assert "0 new profiles, 2 already present (skipped)" in page
    assert "Every row is already present: there is nothing to import." in page
    assert 'name="token"' not in page and kept_uploads(app) == []
    assert profile_count(app) == 2


def test_a_known_email_in_other_case_is_skipped_and_the_result_says_so(app, make, coordinator):
    make.profile(HOME, name="Anna (schon da)", contact_email="Anna@Example.org")
    archive(app, make.profile(HOME, name="Archiviert", contact_email="alt@example.org"))
    old = ["Alt", "Kreative", "", "ALT@example.org", "", "", "", "", ""]
    preview = upload(coordinator, csv_file([ANNA, WERK, old]))
    assert "1 new profile, 2 already present (skipped)" in text(preview)
    page = text(confirm(coordinator, token_of(preview), follow_redirects=True))
    assert "1 profile imported. 2 rows were already present and have been skipped." in page
    assert sorted(p.display_name for p in profiles_in(app, HOME)) == ["Anna (schon da)", "Archiviert", "Holzwerk"]


def test_the_same_email_in_another_region_is_not_already_present(app, make, coordinator):
    make.profile(OTHER, name="Anna in Meißen", contact_email="anna@example.org")
    assert "1 new profile, 0 already present" in text(upload(coordinator, csv_file([ANNA])))


# -- who may, and the kept upload's region -----------------------------------------------------------


def test_participant_may_neither_import_nor_export(app, make, client):
    login(client, make.participant(HOME))
    assert client.get(f"/{HOME}/profiles/import").status_code == 403
    assert upload(client, csv_file([ANNA])).status_code == 403
    assert client.get(f"/{HOME}/profiles/export.csv").status_code == 403
    assert client.get(f"/{HOME}/profiles/export.xlsx").status_code == 403
    assert profile_count(app) == 0 and kept_uploads(app) == []


def test_umbrella_may_export_but_not_import(app, make, client):
    make.profile(HOME, name="Anna Schröder")
    login(client, make.umbrella())
    assert "Anna Schröder" in client.get(f"/{HOME}/profiles/export.csv").get_data().decode("utf-8-sig")
    assert 'type="file"' not in client.get(f"/{HOME}/profiles/import").get_data(as_text=True)
    assert upload(client, csv_file([ANNA])).status_code == 403
    assert profile_count(app) == 1


def test_an_upload_of_another_region_is_refused_and_stays_its_regions(app, make, coordinator):
    token = token_of(upload(coordinator, csv_file([ANNA])))
    other = login(app.test_client(), make.coordinator(OTHER))
    response = confirm(other, token, region=OTHER)
    assert response.status_code == 400
    assert "This upload is not available in this region (any more)." in text(response)
    assert other.post(f"/{OTHER}/profiles/import/cancel", data={"token": token}).status_code == 400
    assert profile_count(app) == 0 and kept_uploads(app) == [token]
    assert confirm(coordinator, token).status_code == 302  # its own region still can
    assert [p.display_name for p in profiles_in(app, HOME)] == ["Anna Schröder"]
    assert profiles_in(app, OTHER) == []


@pytest.mark.parametrize(
    "forged",
    ["", "../../hub.sqlite3", "{home}-{zeros}.csv", "{home}-{zeros}.csv/../../x", "{home}-{short}.csv"],
)
def test_a_forged_upload_name_is_refused(app, regions, coordinator, forged):
    token_of(upload(coordinator, csv_file([ANNA])))
    before = kept_uploads(app)
    token = forged.format(home=regions[HOME].id, zeros="0" * 32, short="ab12")
    response = confirm(coordinator, token)
    assert response.status_code == 400
    assert "This upload is not available in this region (any more)." in text(response)
    assert profile_count(app) == 0 and kept_uploads(app) == before


# -- bad files: a clear message, nothing changed -----------------------------------------------------


def _broken_xlsx() -> bytes:
    data = xlsx_file([ANNA])
    return data[: len(data) // 2]


def _xlsx_without_sheet() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


BAD_FILES = {
    "empty file": (b"", "leer.csv", "The file is empty."),
    "only blank lines": (b"\xef\xbb\xbf\r\n;;\r\n", "leer.csv", "The file is empty."),
    "binary junk": (bytes(range(256)) * 40, "daten.csv", "This file is not a readable CSV text."),
    "no header row": (
        csv_file([ANNA], header=None),
        "ohne-kopf.csv",
        "No header row was found: the first row must name the columns, e.g. Name; Art; E-Mail; Ort.",
    ),
    "header but no rows": (csv_file([]), "nur-kopf.csv", "The file has a header row but no participants."),
    "required column missing": (
        csv_file([["Anna", "anna@example.org"]], header=["Name", "E-Mail"]),
        "ohne-art.csv",
        "The file has no column for: Kind.",
    ),
    "two columns for one field": (
        csv_file([["Anna", "Kreative", "a@example.org", "x@example.org"]], header=["Name", "Art", "E-Mail", "Email"]),
        "doppelt.csv",
        "The columns E-Mail and Email mean the same field.",
    ),
    "wrong type": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "liste.pdf", "Please upload a CSV file or an Excel workbook"),
    "picture": (b"\x89PNG\r\n\x1a\n" + bytes(100), "foto.png", "Please upload a CSV file or an Excel workbook"),
    "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "liste.xls", "old Excel format (.xls)"),
    "broken xlsx": (_broken_xlsx(), "kaputt.xlsx", "This file is not a readable Excel workbook (.xlsx)."),
    "zip without a sheet": (_xlsx_without_sheet(), "leer.xlsx", "This file is not a readable Excel workbook (.xlsx)."),
    "text named xlsx": (csv_file([ANNA]), "liste.xlsx", "This file is not a readable Excel workbook (.xlsx)."),
    "oversized": (
        csv_file([ANNA]) + b"x" * (transfer.MAX_BYTES + 1),
        "riesig.csv",
        "The file is larger than 5 MB.",
    ),
}


@pytest.mark.parametrize("data,filename,message", list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(app, coordinator, data, filename, message):
    response = upload(coordinator, data, filename)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'type="file"' in page  # the upload form again, to try another file
    assert profile_count(app) == 0 and kept_uploads(app) == []


def test_no_file_chosen_gets_a_clear_message(coordinator):
    response = coordinator.post(f"/{HOME}/profiles/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Please choose a CSV file or an Excel workbook (.xlsx)." in text(response)


def test_an_upload_beyond_the_apps_request_limit_gets_the_too_large_page(app, coordinator):
    response = upload(coordinator, b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert response.status_code == 413
    assert "The upload is too large." in text(response)
    assert profile_count(app) == 0 and kept_uploads(app) == []


def test_a_workbook_that_would_unpack_into_a_bomb_is_refused_before_it_is_read(app, coordinator, monkeypatch):
    data = xlsx_file([ANNA])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED_BYTES", unpacked - 1)
    response = upload(coordinator, data, "bombe.xlsx")
    assert response.status_code == 422
    assert "The workbook is too large to read." in text(response)
    assert profile_count(app) == 0


# -- export ------------------------------------------------------------------------------------------


@pytest.fixture
def exported(app, make):
    """Profiles of Erzgebirge: one full, one organisation with consent, one archived; one of Meißen."""
    make.profile(
        HOME,
        name="Käthe Größel",
        town="Annaberg-Buchholz",
        contact_email="kaethe@example.org",
        contact_phone="+49 3733 1234",
        submarkets=["design", "performing_arts"],
        offer_tags=["Weißnäherei", "Übersetzung"],
        languages=["de", "cs"],
        pitch='=HYPERLINK("http://evil.example")',
    )
    make.profile(
        HOME,
        name="Holzwerk e. V.",
        kind="organisation",
        sector="Handwerk",
        visibility="network",
        contact_email="info@holzwerk.example",
        contact_phone="035214567890",  # Excel would make it a number without its zero
    )
    archive(app, make.profile(HOME, name="Archivierte Person", contact_email="archiv@example.org"))
    make.profile(OTHER, name="Meißner Porzellan", contact_email="info@porzellan.example")


def test_export_csv_opens_in_german_excel(app, coordinator, exported):
    response = coordinator.get(f"/{HOME}/profiles/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="profile-{HOME}-')
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body and b";" in body.splitlines()[0]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [r["Name"] for r in rows] == ["Holzwerk e. V.", "Käthe Größel"]
    kaethe = rows[1]
    assert kaethe["Art"] == "Kreative" and kaethe["Ort"] == "Annaberg-Buchholz"
    assert kaethe["Teilmärkte"] == "Designwirtschaft, Markt für darstellende Künste"
    assert kaethe["Angebote"] == "Weißnäherei, Übersetzung" and kaethe["Sprachen"] == "Deutsch, Tschechisch"
    assert kaethe["Sichtbarkeit"] == "privat" and kaethe["Einwilligung"] == "nein" and kaethe["Benutzerkonto"] == "nein"
    assert (
        rows[0]["Sichtbarkeit"] == "Netzwerk" and rows[0]["Einwilligung"] == "ja" and rows[0]["Branche"] == "Handwerk"
    )
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", kaethe["Angelegt am"])


def test_export_csv_defuses_cells_that_excel_would_run_as_formulas(coordinator, exported):
    body = coordinator.get(f"/{HOME}/profiles/export.csv").get_data().decode("utf-8-sig")
    kaethe = next(
        r for r in csv.DictReader(io.StringIO(body, newline=""), delimiter=";") if r["Name"] == "Käthe Größel"
    )
    assert kaethe["Kurzbeschreibung"] == '\'=HYPERLINK("http://evil.example")'
    assert kaethe["Telefon"] == "'+49 3733 1234"


def test_export_xlsx_reads_back_with_the_right_umlauts(coordinator, exported):
    response = coordinator.get(f"/{HOME}/profiles/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Name", "Art", "Organisation", "E-Mail"] and "Einwilligung" in header
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [r["Name"] for r in rows] == ["Holzwerk e. V.", "Käthe Größel"]
    assert rows[1]["Angebote"] == "Weißnäherei, Übersetzung" and rows[1]["Sichtbarkeit"] == "privat"
    pitch = sheet.cell(row=3, column=header.index("Kurzbeschreibung") + 1)
    assert pitch.data_type == "s" and pitch.value == '=HYPERLINK("http://evil.example")'  # text, not a formula
    assert rows[1]["Angelegt am"].year >= 2026


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_export_imports_into_another_region_unchanged(app, make, coordinator, exported, extension):
    data = coordinator.get(f"/{HOME}/profiles/export.{extension}").get_data()
    other = login(app.test_client(), make.coordinator(OTHER))
    page = text(import_file(other, data, f"export.{extension}", region=OTHER))
    assert "2 profiles imported." in page
    fields = ("display_name", "kind", "submarkets", "offer_tags", "languages", "pitch", "contact_phone", "sector")
    home = {p.display_name: [getattr(p, f) for f in fields] for p in profiles_in(app, HOME) if not p.archived_at}
    copied = {p.display_name: [getattr(p, f) for f in fields] for p in profiles_in(app, OTHER)}
    del copied["Meißner Porzellan"]
    assert copied == home


def test_profile_list_links_to_import_and_export(make, coordinator):
    page = coordinator.get(f"/{HOME}/profiles/").get_data(as_text=True)
    for path in ("import", "export.csv", "export.xlsx"):
        assert f'href="/{HOME}/profiles/{path}"' in page
