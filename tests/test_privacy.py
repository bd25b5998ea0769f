"""Data protection: the registry of personal data, export (Art. 15/20), erasure (Art. 17), consent, legal pages."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, Text, select

from hub.accounts.models import User
from hub.audit import AuditEntry
from hub.core.db import db
from hub.core.tenancy import all_regions
from hub.privacy.registry import PSEUDONYM, Personal, undeclared_problems
from tests.factories import PASSWORD, stored_files, tiny_pdf
from tests.pages import bearer

HOME, OTHER = "erzgebirge", "meissen"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


# Helpers ---------------------------------------------------------------------------------------------


def browser(app, person, password=PASSWORD):
    """A separate, logged-in browser for a person."""
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": password}).status_code == 302
    return client


def sections(export: dict) -> dict[str, dict]:
    return {s["table"]: s for s in export["sections"]}


def audit_texts(app) -> list[str]:
    """Every audit entry's label and changes, as text."""
    with app.app_context(), all_regions():
        entries = db.session.scalars(select(AuditEntry)).all()
        return [f"{e.subject_label} {json.dumps(e.changes, ensure_ascii=False)}" for e in entries]


def kpis(app, make):
    """The umbrella's dashboard figures, as the API gives them."""
    umbrella = make.umbrella()
    return browser(app, umbrella).get("/api/v1/kpis").get_json()


@pytest.fixture
def journey(app, make):
    """Ada (a creative of Erzgebirge, also with a profile in Meißen): registered, rated and rated, in a match
    with a document and a journal entry, asked for contact, notified. Bruno is someone else."""
    from hub.accounts.models import User as Account
    from regions.matches import services as matches

    ada = make.person(
        HOME,
        name="Ada Holzwurm",
        visibility="network",
        contact_email="ada.kontakt@example.org",
        contact_phone="0371 123456",
        town="Annaberg-Buchholz",
        picture=True,
    )
    bruno = make.person(HOME, kind="organisation", name="Bruno Bergbau", visibility="network")
    make.profile(OTHER, user=ada.owner, name="Ada in Meißen", visibility="network")
    event = make.event(HOME, title="Werkstattabend")
    make.registration(event, ada.owner)
    session = make.session(HOME, creatives=[ada], organisations=[bruno])
    ada_p, bruno_p = session.creatives[0], session.organisations[0]
    make.rating(session, ada_p, bruno_p, "definitely", note="Ada notiert: Bruno baut Regale.")
    make.rating(session, bruno_p, ada_p, "rather_not", note="Bruno notiert über Ada.")
    match = make.match(HOME, creatives=[ada], organisations=[bruno])
    document = make.document(match, filename="Adas Entwurf.pdf", by=ada.owner)
    receipt = make.document(match, filename="Beleg.pdf", is_receipt=True, by=ada.owner)
    with make.inside(HOME):
        matches.add_journal_entry(
            matches.get_match(match.id), "Ada schreibt ins Journal.", db.session.get(Account, ada.owner.id)
        )
        db.session.commit()
    make.contact_request(bruno, ada, message="Hallo Ada, Bruno hier.")
    make.notification(ada.owner, subject="Eine Mitteilung für Ada")
    make.saved_search(ada.owner, name="Adas Suche nach Regalbau", q="Regalbau", kind="organisation")
    token = make.access_token(ada.owner)
    return {"ada": ada, "bruno": bruno, "match": match, "document": document, "receipt": receipt, "token": token}


# The registry ------------------------------------------------------------------------------------------


def test_every_table_that_looks_personal_is_declared_in_the_registry(app):
    with app.app_context():
        assert undeclared_problems() == []


def test_a_new_model_with_personal_data_and_no_declaration_fails_the_registry(app):
    metadata = MetaData()
    Table("user_account", metadata, Column("id", Integer, primary_key=True))
    Table(
        "conversation_message",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("sender_id", ForeignKey("user_account.id")),
        Column("body", Text),
    )
    with app.app_context():
        assert undeclared_problems(metadata, {}) == ["conversation_message: no personal_data = Personal(...) declared"]
        half = Personal(owners={"sender_id": "user"})
        assert undeclared_problems(metadata, {"conversation_message": half}) == [
            "conversation_message.body: looks personal, not declared"
        ]
        full = Personal(columns=("body",), owners={"sender_id": "user"})
        assert undeclared_problems(metadata, {"conversation_message": full}) == []


# Export --------------------------------------------------------------------------------------------------


def test_export_holds_everything_about_the_person_in_every_region(app, journey):
    ada = journey["ada"]
    export = browser(app, ada.owner).get("/api/v1/me/export").get_json()
    found = sections(export)

    assert found["user_account"]["rows"][0]["email"] == ada.email
    assert {p["display_name"] for p in found["profile"]["rows"]} == {"Ada Holzwurm", "Ada in Meißen"}
    assert len(found["registration"]["rows"]) == 2  # the workshop and the speed-dating's event
    assert [(r["interest"], r["note"]) for r in found["speed_dating_rating"]["rows"]] == [
        ("definitely", "Ada notiert: Bruno baut Regale.")
    ]
    # What Bruno said about Ada comes without his note.
    assert found["speed_dating_rating"]["about_you"] == [
        {"session_id": found["speed_dating_rating"]["rows"][0]["session_id"], "interest": "rather_not"}
    ]
    assert len(found["match_member"]["rows"]) == 1
    assert {d["filename"] for d in found["match_document"]["rows"]} == {"Adas Entwurf.pdf", "Beleg.pdf"}
    assert all(d["size"] > 0 for d in found["match_document"]["rows"])
    assert [j["body"] for j in found["match_journal_entry"]["rows"]] == ["Ada schreibt ins Journal."]
    assert [c["message"] for c in found["contact_request"]["rows"]] == ["Hallo Ada, Bruno hier."]
    assert any("Eine Mitteilung für Ada" in n["subject"] for n in found["notification"]["rows"])
    assert {c["action"] for c in found["consent_record"]["rows"]} == {"given"}
    assert found["audit_entry"]["rows"], "the audit entries about her profiles"
    assert found["access_token"]["rows"][0]["name"] == "script"
    assert [(s["name"], s["query"]) for s in found["saved_search"]["rows"]] == [
        ("Adas Suche nach Regalbau", {"q": "Regalbau", "kind": "organisation"})
    ]


def test_export_shows_nothing_of_other_people_and_no_secrets(app, journey):
    ada, bruno = journey["ada"], journey["bruno"]
    client = browser(app, ada.owner)
    client.get("/account/two-factor")  # a second factor being set up: its secret must not leave the hub
    with app.app_context():
        secret = db.session.get(User, ada.owner.id).totp_secret
    assert secret
    text = client.get("/account/data.json").get_data(as_text=True)
    found = sections(json.loads(text))
    assert secret not in text and secret not in client.get("/account/data").get_data(as_text=True)

    assert bruno.email not in text
    assert "Bruno Bergbau" not in [p["display_name"] for p in found["profile"]["rows"]]
    assert [u["id"] for u in found["user_account"]["rows"]] == [ada.owner.id]
    for column in ("password_hash", "token_hash", "session_token", "stored_name", "totp_secret", "code_hash"):
        assert column not in text


def test_json_download_page_and_api_carry_the_same_data(app, journey):
    client = browser(app, journey["ada"].owner)
    download = client.get("/account/data.json")
    api = client.get("/api/v1/me/export").get_json()
    page = client.get("/account/data")

    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    assert [s["table"] for s in json.loads(download.data)["sections"]] == [s["table"] for s in api["sections"]]
    assert page.status_code == 200 and "Ada schreibt ins Journal." in page.get_data(as_text=True)
    assert "Ihre Daten" in page.get_data(as_text=True)


def test_zip_holds_the_json_and_the_uploaded_files(app, journey):
    archive = zipfile.ZipFile(io.BytesIO(browser(app, journey["ada"].owner).get("/account/data.zip").data))
    names = archive.namelist()

    assert "export.json" in names
    [document] = [name for name in names if name.endswith("Adas Entwurf.pdf")]
    assert archive.read(document) == tiny_pdf(), "the file's bytes, read from the store"
    assert any(name.startswith("dateien/profile-") for name in names), "her profile picture"


def test_api_export_needs_a_login_and_answers_to_a_token(app, client, journey):
    assert client.get("/api/v1/me/export").status_code == 401
    response = client.get("/api/v1/me/export", headers=bearer(journey["token"].extra))
    assert response.status_code == 200 and response.get_json()["person"]["id"] == journey["ada"].owner.id


# Erasure ------------------------------------------------------------------------------------------------


def erase_own(client, person, password=PASSWORD, confirmation=None):
    return client.post("/account/delete", data={"password": password, "confirmation": confirmation or person.email})


def test_erasure_keeps_every_figure_of_the_umbrella_dashboard(app, make, journey):
    before = kpis(app, make)
    client = browser(app, journey["ada"].owner)

    assert erase_own(client, journey["ada"].owner).status_code == 302

    assert kpis(app, make) == before


def test_erasure_leaves_no_name_address_or_text_of_the_person(app, journey):
    ada = journey["ada"]
    erase_own(browser(app, ada.owner), ada.owner)

    with app.app_context(), all_regions():
        dump = json.dumps(
            [
                [list(map(str, row)) for row in db.session.execute(table.select())]
                for table in db.metadata.sorted_tables
            ],
            ensure_ascii=False,
        )
        account = db.session.get(User, ada.owner.id)
        assert account.name == PSEUDONYM and account.password_hash is None and account.erased_at is not None
    for trace in (ada.email, "Ada Holzwurm", "Ada in Meißen", "ada.kontakt@example.org", "0371 123456"):
        assert trace not in dump, trace
    assert "Ada schreibt ins Journal." not in dump
    assert "Adas Suche nach Regalbau" not in dump
    assert "Hallo Ada, Bruno hier." not in dump
    assert "Ada notiert: Bruno baut Regale." not in dump
    assert not any("Ada" in text for text in audit_texts(app))


def test_erasure_removes_uploaded_files_but_keeps_funding_receipts(app, journey):
    from regions.matches.models import MatchDocument
    from regions.profiles.models import Profile

    with app.app_context(), all_regions():
        documents = {d.filename: d.stored_files(dry_run=True)[0] for d in db.session.scalars(select(MatchDocument))}
        picture = next(p.erase_traces(dry_run=True)[0] for p in db.session.scalars(select(Profile)) if p.picture)
    assert {documents["Adas Entwurf.pdf"], documents["Beleg.pdf"], picture} <= set(stored_files(app))

    erase_own(browser(app, journey["ada"].owner), journey["ada"].owner)

    assert set(stored_files(app)) == {documents["Beleg.pdf"]}, "the funder requires receipts; nothing else stays"


def test_an_erasure_that_rolls_back_keeps_the_files(app, journey):
    from hub.privacy import services as privacy

    before = stored_files(app)
    with app.app_context():
        privacy.erase_person(db.session.get(User, journey["ada"].owner.id))
        db.session.rollback()

    assert stored_files(app) == before


def test_every_stored_file_is_reached_through_a_row_that_names_it(app, journey):
    """The store has no owner columns: a file is a person's through the row naming its key (and goes with it).
    (A profile import's preview, under imports/, is the coordination's working copy and goes after a day.)"""
    from regions.matches.models import MatchDocument
    from regions.profiles.models import Profile

    with app.app_context(), all_regions():
        named = {k for d in db.session.scalars(select(MatchDocument)) for k in d.stored_files(dry_run=True)}
        named |= {k for p in db.session.scalars(select(Profile)) for k in p.erase_traces(dry_run=True)}
    assert set(stored_files(app)) == named


def test_erasure_ends_sessions_and_tokens(app, client, journey):
    ada = journey["ada"]
    other_device = browser(app, ada.owner)
    erase_own(browser(app, ada.owner), ada.owner)

    assert other_device.get("/account").status_code == 302  # to the login page
    assert client.get("/api/v1/me", headers=bearer(journey["token"].extra)).status_code == 401
    assert client.post("/login", data={"email": ada.email, "password": PASSWORD}).status_code == 422


@pytest.mark.parametrize(
    "password, confirmation, field",
    [("wrong password 123", None, "password"), (PASSWORD, "someone@example.org", "confirmation")],
)
def test_erasure_needs_the_password_and_the_typed_address(app, journey, password, confirmation, field):
    ada = journey["ada"]
    client = browser(app, ada.owner)

    response = erase_own(client, ada.owner, password=password, confirmation=confirmation)

    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(User, ada.owner.id).erased_at is None
    assert client.get("/account").status_code == 200


def test_erasure_page_explains_what_is_kept(app, journey):
    page = browser(app, journey["ada"].owner).get("/account/delete").get_data(as_text=True)
    assert "ehemalige:r Teilnehmende:r" in page
    assert "Belege" in page


def test_admins_cannot_erase_their_account_themselves(app, make):
    admin = make.admin()
    response = erase_own(browser(app, admin), admin)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, admin.id).erased_at is None


# The coordination on request -------------------------------------------------------------------------------


def membership_of(app, person, region_id):
    from hub.accounts.models import Membership

    with app.app_context(), all_regions():
        return db.session.scalar(
            select(Membership.id).where(Membership.user_id == person.id, Membership.region_id == region_id)
        )


def test_coordinator_exports_a_member_of_the_region_and_it_is_logged(app, make, regions, journey):
    bruno = journey["bruno"]
    coordinator = make.coordinator(HOME)
    membership = membership_of(app, bruno.owner, regions[HOME].id)

    response = browser(app, coordinator).get(f"/{HOME}/members/{membership}/export")

    assert response.status_code == 200
    data = json.loads(response.data)
    assert sections(data)["user_account"]["rows"][0]["email"] == bruno.email
    with app.app_context(), all_regions():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.subject_type == "data_export")).one()
        assert (entry.actor_id, entry.subject_id, entry.region_id) == (coordinator.id, bruno.owner.id, regions[HOME].id)
        assert bruno.email not in entry.subject_label


def test_coordinator_export_holds_only_the_regions_rows(app, make, regions, journey):
    ada = journey["ada"]
    membership = membership_of(app, ada.owner, regions[HOME].id)
    data = json.loads(browser(app, make.coordinator(HOME)).get(f"/{HOME}/members/{membership}/export").data)

    assert [p["display_name"] for p in sections(data)["profile"]["rows"]] == ["Ada Holzwurm"]


def test_another_regions_coordinator_cannot_export_or_erase(app, make, regions, journey):
    membership = membership_of(app, journey["bruno"].owner, regions[HOME].id)
    foreign = browser(app, make.coordinator(OTHER))

    assert foreign.get(f"/{OTHER}/members/{membership}/export").status_code == 404
    response = foreign.post(f"/{OTHER}/members/{membership}/erase", data={"confirmation": journey["bruno"].email})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(User, journey["bruno"].owner.id).erased_at is None


def test_coordinator_erases_a_member_of_the_region_alone(app, make, regions, journey):
    bruno = journey["bruno"]
    coordinator = make.coordinator(HOME)
    membership = membership_of(app, bruno.owner, regions[HOME].id)

    response = browser(app, coordinator).post(f"/{HOME}/members/{membership}/erase", data={"confirmation": bruno.email})

    assert response.status_code == 302
    with app.app_context(), all_regions():
        assert db.session.get(User, bruno.owner.id).erased_at is not None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.subject_type == "user_account")).one()
        assert (entry.actor_id, entry.subject_id, entry.subject_label) == (coordinator.id, bruno.owner.id, PSEUDONYM)


def test_coordinator_cannot_erase_someone_who_belongs_to_another_region_too(app, make, regions):
    from hub.accounts.models import Membership
    from hub.core.roles import Role

    person = make.participant(HOME)
    with app.app_context(), all_regions():
        db.session.add(Membership(user_id=person.id, region_id=regions[OTHER].id, role=Role.PARTICIPANT))
        db.session.commit()
    membership = membership_of(app, person, regions[HOME].id)

    browser(app, make.coordinator(HOME)).post(
        f"/{HOME}/members/{membership}/erase", data={"confirmation": person.email}
    )

    with app.app_context():
        assert db.session.get(User, person.id).erased_at is None


# The audit log keeps no contact details --------------------------------------------------------------


def test_no_email_address_in_the_audit_log_after_the_demo(app):
    from hub.core.demo import load_demo

    with app.app_context():
        load_demo()
        db.session.commit()
    texts = audit_texts(app)

    assert texts, "the demo writes the log"
    assert [t for t in texts if EMAIL.search(t)] == []


def test_no_email_address_in_the_audit_log_after_a_journey(app, journey):
    assert [t for t in audit_texts(app) if EMAIL.search(t)] == []


# Consent -------------------------------------------------------------------------------------------------


def test_a_new_privacy_notice_asks_again_and_hides_the_profile_meanwhile(app, make, tmp_path):
    from hub.core.jobs.runner import execute

    for page in ("privacy", "imprint", "accessibility"):
        text = (Path(app.root_path).parent / "config" / "legal" / f"{page}.md").read_text(encoding="utf-8")
        (tmp_path / f"{page}.md").write_text(text, encoding="utf-8")
    ada = make.person(HOME, name="Ada Holzwurm", visibility="network")
    viewer = browser(app, make.participant(OTHER))
    assert viewer.get(f"/directory/profiles/{ada.id}").status_code == 200

    (tmp_path / "privacy.md").write_text("Version: 2027-01\n# Datenschutzerklärung\n\nNeu.\n", encoding="utf-8")
    app.config["LEGAL_DIR"] = str(tmp_path)
    try:
        with app.app_context():
            assert execute("profiles.outdated_consent").summary == {"ended": 1}
        assert viewer.get(f"/directory/profiles/{ada.id}").status_code == 404
        own = browser(app, ada.owner).get(f"/{HOME}/profile").get_data(as_text=True)
        assert "2027-01" in own
    finally:
        app.config["LEGAL_DIR"] = ""


def test_withdrawn_consent_leaves_the_coordinations_lists_and_exports(app, make):
    from tests.test_profiles import profile_form

    ada = make.person(HOME, name="Ada Holzwurm", visibility="network")
    coordinator = browser(app, make.coordinator(HOME))
    assert "Ada Holzwurm" in coordinator.get(f"/{HOME}/profiles/").get_data(as_text=True)

    browser(app, ada.owner).post(
        f"/{HOME}/profile", data=profile_form(display_name="Ada Holzwurm", visibility="network")
    )

    assert "Ada Holzwurm" not in coordinator.get(f"/{HOME}/profiles/").get_data(as_text=True)
    assert "Ada Holzwurm" not in coordinator.get(f"/{HOME}/profiles/export.csv").get_data(as_text=True)
    assert "Ada Holzwurm" not in json.dumps(coordinator.get(f"/api/v1/regions/{HOME}/profiles").get_json())


# Legal pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, heading",
    [
        ("/privacy", "Datenschutzerklärung"),
        ("/imprint", "Impressum"),
        ("/accessibility", "Erklärung zur Barrierefreiheit"),
    ],
)
def test_legal_pages_are_open_to_visitors_and_linked_in_every_footer(client, path, heading):
    page = client.get(path)
    assert page.status_code == 200
    assert heading in page.get_data(as_text=True) and "Vorlage" in page.get_data(as_text=True)
    assert f'href="{path}"' in client.get("/login").get_data(as_text=True)


def test_legal_texts_come_from_the_configured_folder_and_hold_no_html(app, client, tmp_path):
    (tmp_path / "imprint.md").write_text(
        "Version: 3\n# Impressum\n\nKulturbüro <script>alert(1)</script>\n", encoding="utf-8"
    )
    app.config["LEGAL_DIR"] = str(tmp_path)
    try:
        page = client.get("/imprint").get_data(as_text=True)
    finally:
        app.config["LEGAL_DIR"] = ""
    assert "Kulturbüro &lt;script&gt;" in page and "<script>alert" not in page
    assert "Version 3" in page
