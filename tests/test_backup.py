"""Backups: `hub backup create` takes a point-in-time snapshot of the database, uploaded files included (they are
rows of stored_file since migration 0022), while the hub runs; `hub backup restore` brings it back exactly into an
empty database, and refuses a damaged archive, an unknown schema and (without --force) a database that holds data.
An archive made before 0022 carries the files under uploads/: restoring it brings them into the store.

Runs on SQLite, and on PostgreSQL under .ci/postgres_suite.py: the restore target is then a second
throw-away database on the same server.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select, text

from hub import create_app
from hub.core.db import db, in_transaction, utcnow
from hub.core.tenancy import all_regions, region_scope
from tests.conftest import TEST_CONFIG
from tests.factories import SAMPLES, stored_files, tiny_pdf, tiny_png

pytestmark = pytest.mark.slow


# -- helpers ------------------------------------------------------------------------------------------------


@pytest.fixture
def empty_hub(app, tmp_path):
    """Make a second hub on an empty database of the same kind as the test database (an SQLite file, or a
    new database on the PostgreSQL server) with its own instance folder: where backups are restored."""
    made = []

    def make_hub(name: str = "restored"):
        source_url = app.config["SQLALCHEMY_DATABASE_URI"]
        if source_url.startswith("postgresql"):
            import psycopg

            server = source_url.rsplit("/", 1)[0]
            database = f"hub_backup_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(server.replace("+psycopg", "") + "/postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{database}"')
            url, drop = f"{server}/{database}", (server.replace("+psycopg", "") + "/postgres", database)
        else:
            url, drop = f"sqlite:///{tmp_path / f'{name}.sqlite3'}", None
        hub = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path / name)})
        made.append((hub, drop))
        return hub

    yield make_hub
    for hub, drop in made:
        with hub.app_context():
            db.engine.dispose()
        if drop:
            import psycopg

            with psycopg.connect(drop[0], autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)')


def hub_cli(hub, *args):
    """Run `hub ...` against a hub; the result's output is what an operator reads."""
    return hub.test_cli_runner().invoke(args=list(args))


def create(hub, directory: Path) -> Path:
    """`hub backup create --dir DIRECTORY`; the path of the new archive."""
    result = hub_cli(hub, "backup", "create", "--dir", str(directory))
    assert result.exit_code == 0, result.output
    [archive] = [p for p in directory.glob("hub-backup-*.tar") if str(p) in result.output]
    return archive


def every_row(hub) -> dict[str, list]:
    """Every row of every table of a hub's database (the full-text machinery too), in a stable order."""
    with hub.app_context(), db.engine.connect() as connection:
        names = [n for n in inspect(connection).get_table_names() if not n.startswith("sqlite_")]
        quote = connection.dialect.identifier_preparer.quote
        return {
            name: sorted((tuple(row) for row in connection.execute(text(f"SELECT * FROM {quote(name)}"))), key=repr)
            for name in sorted(names)
        }


def every_file(hub) -> dict[str, bytes]:
    """The uploaded files of a hub, by their key in the store (their path under uploads/ before migration 0022);
    none in a database without the store (empty, or older than 0022)."""
    with hub.app_context():
        if not inspect(db.engine).has_table("stored_file"):
            return {}
    return stored_files(hub)


def fill_every_table(app, make) -> None:
    """Data in every table of the hub: made through the services as people would, and, for the tables only
    the scheduler and the mail system write, directly."""
    from hub.accounts import security_log, two_factor
    from hub.accounts.models import User
    from hub.audit.models import audit_purge_permit
    from hub.core.jobs.models import JobEffect, JobRun, apscheduler_jobs
    from hub.notifications.models import MailSuppression, NotificationSettings
    from regions.matches import services as matches
    from regions.matches.vocab import CheckInStatus
    from regions.speeddating.models import PairPreference
    from shared.meet.models import HiddenPerson, SavedPerson, Suggestion, SuggestionState

    region = "erzgebirge"
    for kind in (
        "membership_id",
        "invitation_id",
        "access_token_id",
        "profile_id",
        "contact_request_id",
        "login_session_id",
        "access_request_id",
        "saved_search_id",
        "conversation_report_id",  # a conversation with its members, messages and a report
        "event_meeting_id",
    ):
        SAMPLES[kind](make, region, "Sicherung")
    for kind in ("notification_id", "registration_id", "suggestion_id", "document_id", "entry_id", "guest_id"):
        SAMPLES[kind](make, region, "Sicherung")
    listed = make.profile(region, name="Netzwerkprofil", visibility="network", picture=True, offer_tags=["Holz"])
    make.saved_search(make.participant(region, name="Sucht Holz"), q="Holz")  # it notes the profile that fits
    make.event(region, title="Stammtisch", rrule="FREQ=WEEKLY;COUNT=3")
    session = SAMPLES["session_id"](make, region, "Sicherung")
    match = SAMPLES["match_id"](make, region, "Sicherung")
    with make.inside(region):
        coordinator = db.session.get(User, make._staff(region).id)
        the_match = matches.get_match(match.id)
        matches.add_check_in(the_match, date(2025, 3, 1), CheckInStatus.ON_TRACK, "läuft", coordinator)
        matches.add_journal_entry(the_match, "Erstes Treffen: gut.", coordinator)
        two_factor.new_recovery_codes(coordinator)
        security_log.record("login", coordinator)
        db.session.add(
            PairPreference(
                session_id=session.id,
                creative_id=session.creatives[0].id,
                organisation_id=session.organisations[0].id,
                kind="wish",
            )
        )
        db.session.commit()
    with app.app_context():
        db.session.add(JobRun(job_id="mail.send_outbox", outcome="ok", summary={"sent": 1}, finished_at=utcnow()))
        db.session.add(JobEffect(job="events.reminders", subject="event:1", slot="2025-03-01"))
        db.session.add(MailSuppression(email="nie-wieder@example.org", topic="invitation"))
        db.session.add(NotificationSettings(user_id=coordinator.id, muted_topics=["digest"], digest="daily"))
        # People to meet: a list, its state, a person saved and one hidden (shared.meet).
        db.session.add(SuggestionState(user_id=coordinator.id, new_count=1))
        db.session.add(Suggestion(user_id=coordinator.id, profile_id=listed.id, rank=1, score=1, mutual=False,
                                  reasons=[{"side": "offer", "theirs": "Holz", "yours": "holz"}]))  # fmt: skip
        db.session.add(SavedPerson(user_id=coordinator.id, profile_id=listed.id))
        db.session.add(HiddenPerson(user_id=coordinator.id, profile_id=listed.id))
        db.session.execute(insert(apscheduler_jobs).values(id="mail.send_outbox", next_run_time=1.5, job_state=b"\x80"))
        # Committed only here: hub.audit.purge() holds this row inside its own transaction (see the teardown).
        db.session.execute(insert(audit_purge_permit).values(id=1))
        db.session.commit()


@pytest.fixture
def filled(app, make):
    """The test database with at least one row in every table; the purge permit is taken back afterwards."""
    from hub.audit.models import audit_purge_permit

    fill_every_table(app, make)
    yield
    with app.app_context():
        db.session.execute(audit_purge_permit.delete())
        db.session.commit()


def rewrite(archive: Path, *, member=None, change=None, manifest=None, add=None, drop=None) -> Path:
    """A copy of the archive with one member's bytes changed, the manifest changed, a member added or dropped."""
    target = archive.with_name("altered-" + archive.name)
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            if info.name == member:
                data = change(data)
            if info.name == drop:
                continue
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
        if add:
            info = tarfile.TarInfo(add)
            info.size = 4
            out.addfile(info, io.BytesIO(b"evil"))
    return target


def with_uploads(archive: Path, files: dict[str, bytes]) -> Path:
    """The archive as a hub before migration 0022 wrote it: the files under uploads/, listed in the manifest."""
    import hashlib

    target = archive.with_name("legacy-" + archive.name)
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == "manifest.json":
                manifest = json.loads(data)
                for name, content in files.items():
                    manifest["files"][f"uploads/{name}"] = {
                        "size": len(content),
                        "sha256": hashlib.sha256(content).hexdigest(),
                    }
                data = json.dumps(manifest).encode()
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
        for name, content in files.items():
            info = tarfile.TarInfo(f"uploads/{name}")
            info.size = len(content)
            out.addfile(info, io.BytesIO(content))
    return target


# -- a backup restores every table and every file ---------------------------------------------------------


def test_every_table_of_the_hub_holds_rows_before_the_backup(app, filled):
    with app.app_context(), all_regions():
        empty = [
            t.name for t in db.metadata.sorted_tables if not db.session.scalar(select(t).limit(1).exists().select())
        ]
    assert empty == []


def test_a_backup_restored_into_an_empty_database_holds_every_row_and_every_file(app, filled, empty_hub, tmp_path):
    archive = create(app, tmp_path / "backups")
    target = empty_hub()

    result = hub_cli(target, "backup", "restore", str(archive))

    assert result.exit_code == 0, result.output
    source_rows, restored_rows = every_row(app), every_row(target)
    assert sorted(restored_rows) == sorted(source_rows)
    for table, rows in source_rows.items():
        assert restored_rows[table] == rows, table
    assert every_file(target) == every_file(app)
    assert any(name.startswith("matches/") for name in every_file(target))
    assert any(name.startswith("profiles/") for name in every_file(target))


def test_the_restored_hub_works_on(app, make, empty_hub, tmp_path):
    """Sequences (PostgreSQL) and the full-text search come back too: new rows and searches work."""
    from hub.accounts.services import create_user
    from hub.core.roles import Role

    make.profile("erzgebirge", name="Holzwerkstatt Annaberg", visibility="network")
    archive = create(app, tmp_path)
    target = empty_hub()
    assert hub_cli(target, "backup", "restore", str(archive)).exit_code == 0

    with target.app_context(), all_regions():
        user = create_user("neu@example.org", "Neu", "correct horse battery", role=Role.ADMIN)
        db.session.commit()
        assert user.id
    auth = target.test_client()
    assert (
        auth.post("/login", data={"email": "neu@example.org", "password": "correct horse battery"}).status_code == 302
    )
    assert "Holzwerkstatt" in auth.get("/directory/?q=Holzwerkstatt").get_data(as_text=True)


def test_the_manifest_names_revision_version_time_row_counts_and_a_checksum_per_file(app, make, tmp_path):
    import hashlib

    make.profile("meissen", name="Mit Bild", picture=True)
    archive = create(app, tmp_path)

    with tarfile.open(archive) as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.loads(tar.extractfile("manifest.json").read())
        contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.name != "manifest.json"}
    with app.app_context():
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        regions = db.session.scalar(text("SELECT count(*) FROM region"))
    assert manifest["schema_revision"] == head
    assert manifest["hub_version"] == "0.1.0"
    assert manifest["created_at"].endswith("Z")
    assert manifest["tables"]["region"] == regions
    assert manifest["tables"]["profile"] == 1
    assert manifest["encrypted"] is False
    assert set(manifest["files"]) == set(contents)
    for name, data in contents.items():
        assert manifest["files"][name] == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_the_archive_is_readable_by_its_owner_only(app, tmp_path):
    archive = create(app, tmp_path)
    assert archive.stat().st_mode & 0o077 == 0


# -- consistency while the hub writes ---------------------------------------------------------------------


def test_a_backup_taken_while_the_hub_writes_is_one_point_in_time(app, make, empty_hub, tmp_path):
    """Another thread keeps committing transactions that each add a notification, a queued e-mail and an
    uploaded document and rename one account; the restored database holds whole transactions only, a gap-free
    run of them, the account's name of the last one, and the file of every document."""
    from werkzeug.datastructures import FileStorage

    from hub.accounts.models import User
    from hub.core.mail.models import OutboxMessage
    from hub.notifications.models import Notification
    from regions.matches import documents
    from regions.matches import services as matches
    from regions.matches.models import MatchDocument

    match = make.match("lausitz", title="Dauerläufer")
    writer = make.participant("lausitz", name="tick -1")
    region_id = make.regions["lausitz"].id
    committed: list[int] = []
    stop, failure = threading.Event(), []

    def keep_writing():
        try:
            with app.app_context(), app.test_request_context(), region_scope(region_id):
                tick = 0
                while not stop.is_set():

                    def work(tick=tick):
                        person = db.session.get(User, writer.id)
                        db.session.add(Notification(user_id=person.id, topic="members", subject=f"tick {tick}"))
                        db.session.add(OutboxMessage(recipient="tick@example.org", subject=f"tick {tick}", body="-"))
                        upload = FileStorage(io.BytesIO(tiny_pdf(f"tick {tick}")), filename=f"tick-{tick}.pdf")
                        documents.store_document(matches.get_match(match.id), upload, person)
                        person.name = f"tick {tick}"

                    in_transaction(work)
                    committed.append(tick)
                    tick += 1
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            failure.append(exc)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        _wait_for(lambda: len(committed) >= 5 or failure)
        archive = create(app, tmp_path)
        during = len(committed)
        _wait_for(lambda: len(committed) >= during + 5 or failure)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert failure == []

    target = empty_hub()
    assert hub_cli(target, "backup", "restore", str(archive)).exit_code == 0
    with target.app_context(), all_regions():
        notices = _ticks(db.session.scalars(select(Notification.subject).where(Notification.user_id == writer.id)))
        mails = _ticks(
            db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == "tick@example.org"))
        )
        docs = db.session.scalars(select(MatchDocument).where(MatchDocument.match_id == match.id)).all()
        name = db.session.get(User, writer.id).name
        restored_counts = {
            t: db.session.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in ("notification", "match_document")
        }
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())

    snapshot = len(notices)
    assert 5 <= snapshot < len(committed)  # taken while the writer ran, neither before nor after it
    assert notices == mails == _ticks(d.filename.removesuffix(".pdf").replace("-", " ") for d in docs)
    assert notices == list(range(snapshot))
    assert name == f"tick {snapshot - 1}"
    files = every_file(target)
    for document in docs:
        assert files[f"matches/{document.stored_name}"] == tiny_pdf(
            document.filename.removesuffix(".pdf").replace("-", " ")
        )
    assert {t: manifest["tables"][t] for t in restored_counts} == restored_counts


def _wait_for(condition, timeout: float = 60) -> None:
    """Wait until the writer thread got so far (by its own progress, not by the clock's)."""
    done = threading.Event()
    for _ in range(int(timeout * 20)):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError("the writer made no progress")


def _ticks(subjects) -> list[int]:
    return sorted(int(s.split()[-1]) for s in subjects)


# -- refusals ---------------------------------------------------------------------------------------------


def _nothing_changed(hub) -> dict:
    return {"rows": every_row(hub), "files": every_file(hub)}


@pytest.mark.parametrize(
    "alteration",
    [
        "an upload changed",
        "the database changed",
        "a member added",
        "a member removed",
        "the database removed",
        "an unknown revision",
    ],
)
def test_a_damaged_or_altered_archive_is_refused_and_nothing_is_restored(app, make, empty_hub, tmp_path, alteration):
    make.profile("erzgebirge", name="Mit Bild", picture=True)
    # The uploads/ of an archive made before migration 0022 are checked like any member.
    archive = with_uploads(create(app, tmp_path), {"profiles/alt.jpg": tiny_png()})
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        upload = next(n for n in names if n.startswith("uploads/"))
        database = next(n for n in names if n.startswith("database"))
    flip = lambda data: data[:-1] + bytes([data[-1] ^ 1])  # noqa: E731
    altered = {
        "an upload changed": lambda: rewrite(archive, member=upload, change=flip),
        "the database changed": lambda: rewrite(archive, member=database, change=flip),
        "a member added": lambda: rewrite(archive, add="uploads/matches/extra.pdf"),
        "a member removed": lambda: rewrite(archive, drop=upload),
        "the database removed": lambda: rewrite(archive, drop=database),
        "an unknown revision": lambda: rewrite(archive, manifest=lambda m: {**m, "schema_revision": "ffffffffffff"}),
    }[alteration]()
    target = empty_hub()
    before = _nothing_changed(target)

    result = hub_cli(target, "backup", "restore", str(altered))

    assert result.exit_code != 0
    expected = {
        "an upload changed": f"checksum mismatch for {upload}",
        "the database changed": f"checksum mismatch for {database}",
        "a member added": "'uploads/matches/extra.pdf' is not in the manifest",
        "a member removed": f"missing from the archive: {upload}",
        "the database removed": f"missing from the archive: {database}",
        "an unknown revision": "schema revision 'ffffffffffff' is unknown",
    }[alteration]
    assert expected in result.output
    assert _nothing_changed(target) == before


@pytest.mark.parametrize("name", ["../outside.txt", "/etc/evil", "uploads/../../evil", "notes.txt"])
def test_an_archive_naming_files_outside_the_upload_folder_is_refused(app, empty_hub, tmp_path, name):
    archive = create(app, tmp_path)

    def smuggle(manifest):
        manifest["files"][name] = {"size": 4, "sha256": "0" * 64}
        return manifest

    altered = rewrite(archive, manifest=smuggle, add=name)
    target = empty_hub()

    result = hub_cli(target, "backup", "restore", str(altered))

    assert result.exit_code != 0
    assert f"refused member name {name!r}" in result.output
    assert not (tmp_path / "outside.txt").exists() and not (Path(target.instance_path).parent / "evil").exists()


def test_something_that_is_not_a_backup_is_refused(app, empty_hub, tmp_path):
    bogus = tmp_path / "hub-backup-bogus.tar"
    bogus.write_bytes(b"not a tar file at all")
    result = hub_cli(empty_hub(), "backup", "restore", str(bogus))
    assert result.exit_code != 0
    assert "cannot be read as a hub backup" in result.output


def test_restoring_into_a_database_that_holds_data_is_refused_without_force_and_changes_nothing(
    app, make, empty_hub, tmp_path
):
    from flask_migrate import upgrade

    from hub.core.tenancy.registry import sync_regions
    from tests.factories import Factory

    make.profile("erzgebirge", name="Aus der Sicherung", picture=True)
    archive = create(app, tmp_path)
    target = empty_hub()
    with target.app_context():
        upgrade()
        sync_regions()
    other = Factory(target, {r.slug: r for r in _regions(target)})
    other.profile("meissen", name="Schon da", picture=True)
    before = _nothing_changed(target)

    result = hub_cli(target, "backup", "restore", str(archive))

    assert result.exit_code != 0
    assert "the target is not empty" in result.output
    assert "profile 1" in result.output and "1 uploaded files" in result.output
    assert "nothing was changed" in result.output
    assert _nothing_changed(target) == before


def test_force_says_what_it_replaces_and_replaces_it(app, make, empty_hub, tmp_path):
    from flask_migrate import upgrade

    from hub.core.tenancy.registry import sync_regions
    from tests.factories import Factory

    make.profile("erzgebirge", name="Aus der Sicherung", picture=True)
    archive = create(app, tmp_path)
    target = empty_hub()
    with target.app_context():
        upgrade()
        sync_regions()
    Factory(target, {r.slug: r for r in _regions(target)}).profile("meissen", name="Schon da", picture=True)

    result = hub_cli(target, "backup", "restore", "--force", str(archive))

    assert result.exit_code == 0, result.output
    assert "--force: replacing what the hub holds now:" in result.output
    assert "profile 1" in result.output and "1 uploaded files" in result.output
    assert every_row(target) == every_row(app)
    assert every_file(target) == every_file(app)


def _regions(hub):
    from hub.core.tenancy.models import Region

    with hub.app_context():
        found = list(db.session.scalars(select(Region)))
        db.session.expunge_all()
    return found


# -- schema revisions -------------------------------------------------------------------------------------


def test_a_backup_of_an_older_schema_is_migrated_after_the_restore(empty_hub, tmp_path):
    from flask_migrate import upgrade

    old = empty_hub("old")
    with old.app_context():
        upgrade(revision="0008")
        db.session.execute(
            text(
                "INSERT INTO region (slug, name, organisation, supporters, contact_email, town, accent_color, "
                "is_umbrella_lead, position, active) "
                "VALUES ('alt', 'Alt', 'Org', '[]', '', '', '#444444', false, 9, true)"
            )
        )
        db.session.commit()
    archive = create(old, tmp_path)
    target = empty_hub()

    result = hub_cli(target, "backup", "restore", str(archive))

    assert result.exit_code == 0, result.output
    with target.app_context():
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        assert db.session.scalar(text("SELECT name FROM region WHERE slug = 'alt'")) == "Alt"
    assert head != "0008"
    assert f"migrated the schema from 0008 to {head}" in result.output


def _hub_before_the_store(empty_hub, name="old"):
    """A hub at revision 0021 (files in the instance folder's uploads/) with a profile whose picture is 'alt.jpg'."""
    from flask_migrate import upgrade

    from hub.core.tenancy.registry import sync_regions
    from regions.profiles.models import Profile

    old = empty_hub(name)
    with old.app_context():
        upgrade(revision="0021")
        sync_regions()
    region = next(r.id for r in _regions(old) if r.slug == "erzgebirge")
    with old.app_context(), all_regions():
        # Written around the session: the listeners of later revisions (the directory's counters) have no table yet.
        profile_id = db.session.execute(
            insert(Profile.__table__).values(
                region_id=region, kind="creative", display_name="Altes Bild", picture="alt.jpg"
            )
        ).inserted_primary_key[0]
        db.session.commit()
    return old, profile_id


def test_migration_0022_copies_the_files_rows_name_into_the_store_and_leaves_the_folder(empty_hub):
    from flask_migrate import upgrade

    old, _profile = _hub_before_the_store(empty_hub)
    folder = Path(old.instance_path) / "uploads" / "profiles"
    folder.mkdir(parents=True)
    (folder / "alt.jpg").write_bytes(tiny_png())
    (folder / "niemandes.jpg").write_bytes(b"a file no row names")

    with old.app_context():
        upgrade()

    assert every_file(old) == {"profiles/alt.jpg": tiny_png()}, "only the files a row names"
    assert sorted(p.name for p in folder.iterdir()) == ["alt.jpg", "niemandes.jpg"], "the old folder stays"
    with old.app_context(), old.test_request_context(), all_regions():
        from hub.core import storage

        response = storage.send("profiles/alt.jpg", mimetype="image/jpeg")
        assert response.get_etag()[0] == hashlib.sha256(tiny_png()).hexdigest()


def test_restoring_an_archive_from_before_the_store_brings_its_uploads_into_the_store(empty_hub, tmp_path):
    old, _profile = _hub_before_the_store(empty_hub)
    archive = with_uploads(create(old, tmp_path), {"profiles/alt.jpg": tiny_png(), "profiles/waise.jpg": b"orphan"})
    target = empty_hub()

    result = hub_cli(target, "backup", "restore", str(archive))

    assert result.exit_code == 0, result.output
    assert "2 uploaded files" in result.output
    assert "migrated the schema from 0021" in result.output
    assert every_file(target) == {"profiles/alt.jpg": tiny_png()}, "the file its row names; the orphan stays out"
    assert not (Path(target.instance_path) / "uploads").exists(), "nothing lands in the instance folder"


# -- where backups go, and what the commands say ----------------------------------------------------------


def test_backups_go_to_the_instance_folder_unless_hub_backup_dir_says_otherwise(app, tmp_path, monkeypatch):
    from hub.core.settings import load_settings

    assert load_settings({"HUB_BACKUP_DIR": "/srv/backups"})["BACKUP_DIR"] == "/srv/backups"
    monkeypatch.setitem(app.config, "BACKUP_DIR", "")
    with app.app_context():
        from hub.core.backup.services import backup_dir

        assert backup_dir() == Path(app.instance_path) / "backups"
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "elsewhere"))

    created = hub_cli(app, "backup", "create")
    listed = hub_cli(app, "backup", "list")

    assert created.exit_code == 0, created.output
    [archive] = (tmp_path / "elsewhere").glob("hub-backup-*.tar")
    assert f"backups in {tmp_path / 'elsewhere'}" in listed.output
    assert archive.name in listed.output


def test_the_commands_say_where_backups_go_and_that_they_are_not_encrypted(app):
    for command in (["backup", "--help"], ["backup", "create", "--help"], ["backup", "list", "--help"]):
        output = " ".join(hub_cli(app, *command).output.split())
        assert "HUB_BACKUP_DIR" in output and "NOT encrypted" in output


@pytest.mark.processes
def test_hub_lists_the_backup_commands_without_loading_the_backup_machinery(app):
    import subprocess
    import sys

    assert "backup" in hub_cli(app, "--help").output
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, hub.core.backup.cli; print(sorted(m for m in sys.modules if m.startswith('hub.core.backup')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "['hub.core.backup', 'hub.core.backup.cli']"


def test_leftovers_of_a_killed_backup_are_swept_after_a_day(app, tmp_path):
    import os

    instance = Path(app.instance_path)
    stale, fresh = instance / ".backup-stale", instance / ".backup-fresh"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "pinned.pdf").write_bytes(b"personal")
    partial = tmp_path / ".hub-backup-1-x.partial"
    partial.write_bytes(b"half")
    a_day_ago = fresh.stat().st_mtime - 25 * 3600  # on the file system's clock, as the sweep reads it
    for path in (stale, partial):
        os.utime(path, (a_day_ago, a_day_ago))

    create(app, tmp_path)

    assert not stale.exists() and not partial.exists()
    assert fresh.exists()
    import shutil

    shutil.rmtree(fresh)


def test_without_pg_dump_the_error_says_what_to_install(monkeypatch):
    from hub.core.backup import databases
    from hub.core.backup.archive import BackupError

    monkeypatch.setattr(databases.shutil, "which", lambda name: None)
    monkeypatch.setattr(databases.glob, "glob", lambda pattern: [])
    with pytest.raises(BackupError, match="pg_dump was not found on PATH nor under /usr/lib/postgresql"):
        databases.find_pg_tool("pg_dump")


def test_pg_dump_is_found_under_the_newest_postgresql_version(monkeypatch):
    from hub.core.backup import databases

    monkeypatch.setattr(databases.shutil, "which", lambda name: None)
    monkeypatch.setattr(
        databases.glob,
        "glob",
        lambda pattern: ["/usr/lib/postgresql/9/bin/pg_dump", "/usr/lib/postgresql/16/bin/pg_dump"],
    )
    assert databases.find_pg_tool("pg_dump") == "/usr/lib/postgresql/16/bin/pg_dump"
