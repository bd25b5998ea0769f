"""Matches as the coordination keeps them: made by hand or from suggestions, their status, members,
milestones within the cohort, check-ins, journal, documents checked by content, and the case study.

Services are called the way the pages call them: a refused change raises ``MatchError`` (or
``DocumentError``) with a message for the person, the caller rolls back, and the match is as it was.
"""

from __future__ import annotations

import io
import zipfile
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from hub.accounts.models import User
from hub.core.db import berlin_today, db
from hub.core.schemas import ServiceError
from hub.core.tenancy import all_regions
from regions.matches import documents, services, suggesting
from regions.matches.models import Match, MatchDocument, MatchMember, MatchSuggestion
from regions.matches.services import MatchError
from regions.matches.vocab import CheckInStatus, MatchStatus, MemberRole, SuggestionStatus
from regions.profiles.models import Profile
from regions.speeddating import services as speeddating
from tests.factories import stored_files, tiny_pdf, tiny_png

REGION = "erzgebirge"


@contextmanager
def refused(message: str, error=MatchError):
    """Expect a refusal with this message (the msgid); the caller's changes are rolled back, as pages do."""
    with pytest.raises(error) as caught:
        yield caught
    assert caught.value.message == message
    db.session.rollback()


def stored_match(app, match_id: int) -> Match:
    """A match as the database holds it, with its members' names and roles loaded."""
    with app.app_context(), all_regions():
        match = db.session.get(Match, match_id)
        match.people = [(m.profile.display_name, m.role) for m in match.members]
        db.session.expunge_all()
        return match


def _profile(made) -> Profile:
    return db.session.get(Profile, made.profile_id)


def _user(made) -> User:
    return db.session.get(User, made.id)


@pytest.fixture
def cohort(make):
    """CIMIS II 2026/27: September to March, 2,500.00 € per match."""
    return make.cohort(name="CIMIS II 2026/27", starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 31))


# -- making a match ---------------------------------------------------------------------------------------


def test_a_match_made_by_hand_is_proposed_with_the_cohorts_budget(app, make, cohort):
    creative = make.person(REGION, "creative", name="Prozessberatung Muster")
    organisation = make.person(REGION, "organisation", name="Alte Brauerei")
    coordinator = make.coordinator(REGION)
    with make.inside(REGION):
        match = services.create_match(
            db.session.get(services.Cohort, cohort.id),
            [(_profile(creative), None), (_profile(organisation), None)],
            title="Onboarding für Ehrenamtliche",
            by=_user(coordinator),
        )
        db.session.commit()
        match_id = match.id
    match = stored_match(app, match_id)
    assert match.status == MatchStatus.PROPOSED and match.proposed_on == berlin_today()
    assert str(match.budget) == "2500.00" and (match.paid, match.committed) == (0, 0)
    assert sorted(match.people) == [
        ("Alte Brauerei", MemberRole.ORGANISATION),
        ("Prozessberatung Muster", MemberRole.CREATIVE),
    ]


@pytest.mark.parametrize("who", ["creatives only", "organisations only", "the same person twice"])
def test_a_match_needs_a_creative_and_an_organisation(app, make, cohort, who):
    first = make.person(REGION, "organisation" if who == "organisations only" else "creative")
    second = make.person(REGION, "creative" if who == "creatives only" else "organisation")
    people = [first, first, second] if who == "the same person twice" else [first, second]
    message = (
        "A person can be in a match only once."
        if who == "the same person twice"
        else "A match needs at least one creative and one organisation."
    )
    with make.inside(REGION), refused(message):
        services.create_match(
            db.session.get(services.Cohort, cohort.id), [(_profile(p), None) for p in people], title="Team"
        )
    with app.app_context(), all_regions():
        assert db.session.scalars(select(Match)).all() == []


# -- status -----------------------------------------------------------------------------------------------


def test_a_match_goes_from_proposed_to_active_to_completed_with_its_dates(app, make, cohort):
    made = make.match(REGION, cohort, status="proposed")
    with make.inside(REGION):
        match = services.get_match(made.id)
        services.change_status(match, MatchStatus.ACTIVE, on=date(2026, 9, 15))
        db.session.commit()
        services.change_status(match, MatchStatus.COMPLETED, on=date(2027, 3, 20))
        db.session.commit()
    match = stored_match(app, made.id)
    assert (match.status, match.started_on, match.ended_on) == (
        MatchStatus.COMPLETED,
        date(2026, 9, 15),
        date(2027, 3, 20),
    )


@pytest.mark.parametrize("start", ["proposed", "active"])
def test_a_match_can_be_discontinued_while_open(app, make, cohort, start):
    made = make.match(REGION, cohort, status=start)
    before = stored_match(app, made.id)
    ended_on = (before.started_on or before.proposed_on) + timedelta(days=30)  # a month on, whatever today is
    with make.inside(REGION):
        services.change_status(services.get_match(made.id), MatchStatus.DISCONTINUED, on=ended_on)
        db.session.commit()
    match = stored_match(app, made.id)
    assert (match.status, match.ended_on) == (MatchStatus.DISCONTINUED, ended_on)


@pytest.mark.parametrize(
    "start,target",
    [
        ("proposed", "completed"),
        ("completed", "active"),
        ("completed", "discontinued"),
        ("discontinued", "active"),
        ("active", "proposed"),
    ],
)
def test_invalid_status_changes_are_refused(app, make, cohort, start, target):
    made = make.match(REGION, cohort, status=start)
    before = stored_match(app, made.id)
    with make.inside(REGION), refused("A match cannot go from this status to the one chosen."):
        services.change_status(services.get_match(made.id), MatchStatus(target))
    after = stored_match(app, made.id)
    assert (after.status, after.started_on, after.ended_on) == (before.status, before.started_on, before.ended_on)


def test_a_match_cannot_end_before_it_started(app, make, cohort):
    made = make.match(REGION, cohort, status="active")  # started within the cohort, after 31 August
    with make.inside(REGION), refused("The end must not be before the start."):
        services.change_status(services.get_match(made.id), MatchStatus.COMPLETED, on=date(2026, 8, 31))
    assert stored_match(app, made.id).status == MatchStatus.ACTIVE


# -- members ----------------------------------------------------------------------------------------------


def test_members_join_and_leave_a_match(app, make, cohort):
    made = make.match(REGION, cohort)
    designer = make.person(REGION, "creative", name="Grafik Muster")
    with make.inside(REGION):
        match = services.get_match(made.id)
        member = services.add_member(match, _profile(designer), MemberRole.CREATIVE, "Gestaltung")
        db.session.commit()
        assert [m.role_note for m in match.members] == ["", "", "Gestaltung"]
        with refused("A person can be in a match only once."):
            services.add_member(services.get_match(made.id), _profile(designer), MemberRole.OTHER)
        match = services.get_match(made.id)
        services.remove_member(match, db.session.get(MatchMember, member.id))
        db.session.commit()
    assert "Grafik Muster" not in [name for name, _ in stored_match(app, made.id).people]


@pytest.mark.parametrize("role", [MemberRole.ORGANISATION, MemberRole.CREATIVE])
def test_the_last_organisation_or_creative_cannot_leave(app, make, cohort, role):
    made = make.match(REGION, cohort)
    last = next(m for m in made.members if m.id in _member_ids(app, made.id, role))
    with make.inside(REGION), refused("A match needs at least one creative and one organisation."):
        match = services.get_match(made.id)
        services.remove_member(match, db.session.get(MatchMember, last.id))
    assert len(stored_match(app, made.id).people) == 2


def _member_ids(app, match_id: int, role: MemberRole) -> set[int]:
    with app.app_context(), all_regions():
        return set(
            db.session.scalars(select(MatchMember.id).where(MatchMember.match_id == match_id, MatchMember.role == role))
        )


def test_members_find_their_own_matches(app, make, cohort):
    mine = make.match(REGION, cohort, title="Unser Team")
    make.match(REGION, cohort, title="Ein anderes Team")
    with make.inside(REGION):
        person = _user(mine.members[0].owner)
        assert [m.title for m in services.matches_of(person)] == ["Unser Team"]
        assert services.is_member(services.get_match(mine.id), person)


# -- milestones, check-ins, journal ----------------------------------------------------------------------


def test_milestones_lie_within_the_cohort(app, make, cohort):
    made = make.match(REGION, cohort)
    with make.inside(REGION):
        match = services.get_match(made.id)
        services.add_milestone(match, "Onboarding-Leitfaden entworfen", date(2026, 11, 30))
        db.session.commit()
        for outside in (date(2026, 8, 31), date(2027, 4, 1)):
            with refused("The date must lie within the cohort ({start} – {end}).") as caught:
                services.add_milestone(services.get_match(made.id), "Zu spät", outside)
            # The person reads the cohort's dates in the message.
            assert "01.09.2026" in str(caught.value.message) and "31.03.2027" in str(caught.value.message)
            assert caught.value.field == "due_on"
        match = services.get_match(made.id)
        with refused("The date must lie within the cohort ({start} – {end})."):
            services.update_milestone(match.milestones[0], match, {"due_on": date(2027, 5, 1)})
    assert [(m.title, m.due_on) for m in stored_match_milestones(app, made.id)] == [
        ("Onboarding-Leitfaden entworfen", date(2026, 11, 30))
    ]


def stored_match_milestones(app, match_id: int):
    with app.app_context(), all_regions():
        milestones = list(db.session.get(Match, match_id).milestones)
        db.session.expunge_all()
        return milestones


def test_milestones_past_due_and_not_done_are_overdue(app, make, cohort):
    made = make.match(REGION, cohort)
    make.milestone(made, title="Interviews geführt", due_on=date(2026, 10, 1))
    make.milestone(made, title="Prototyp getestet", due_on=date(2026, 11, 1), done_on=date(2026, 10, 30))
    make.milestone(made, title="Abschlussbericht", due_on=date(2027, 3, 15))
    with make.inside(REGION):
        match = services.get_match(made.id)
        assert [m.title for m in services.overdue_milestones(match, today=date(2026, 12, 1))] == ["Interviews geführt"]
        assert [m.title for m in services.overdue_milestones(match, today=date(2027, 3, 16))] == [
            "Interviews geführt",
            "Abschlussbericht",
        ]
        services.update_milestone(match.milestones[0], match, {"done_on": date(2026, 12, 2)})
        assert services.overdue_milestones(match, today=date(2026, 12, 3)) == []


def test_today_is_the_day_in_berlin_even_when_utc_still_shows_the_day_before(app, make, cohort, time_machine):
    time_machine.move_to(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tick=False)  # 00:30 on 1 December in Berlin
    made = make.match(REGION, cohort, status="proposed")
    make.milestone(made, title="Interviews geführt", due_on=date(2026, 11, 30))
    with make.inside(REGION):
        match = services.get_match(made.id)
        services.change_status(match, MatchStatus.ACTIVE)
        assert (match.proposed_on, match.started_on) == (date(2026, 12, 1), date(2026, 12, 1))
        assert [m.title for m in services.overdue_milestones(match)] == ["Interviews geführt"]


def test_check_ins_and_journal_entries_show_the_newest_first(app, make, cohort):
    made = make.match(REGION, cohort)
    coordinator = make.coordinator(REGION, name="Koordination Erzgebirge")
    member = made.members[0].owner
    with make.inside(REGION):
        match = services.get_match(made.id)
        services.add_check_in(match, date(2026, 10, 1), CheckInStatus.ON_TRACK, "Guter Start", _user(coordinator))
        services.add_check_in(match, date(2026, 11, 5), CheckInStatus.ATTENTION, "Termine fehlen", _user(coordinator))
        services.add_journal_entry(match, "Erstes Treffen in der Alten Brauerei.", _user(member))
        services.add_journal_entry(match, "Leitfaden, Entwurf 1.", _user(coordinator))
        db.session.commit()
    with make.inside(REGION):
        match = services.get_match(made.id)
        assert [(c.held_on, c.status, c.by.name) for c in match.check_ins] == [
            (date(2026, 11, 5), CheckInStatus.ATTENTION, "Koordination Erzgebirge"),
            (date(2026, 10, 1), CheckInStatus.ON_TRACK, "Koordination Erzgebirge"),
        ]
        assert [(e.body, e.author.name) for e in match.journal] == [
            ("Leitfaden, Entwurf 1.", "Koordination Erzgebirge"),
            ("Erstes Treffen in der Alten Brauerei.", made.members[0].owner.name),
        ]


# -- documents --------------------------------------------------------------------------------------------


@pytest.fixture
def uploads(app):
    """The documents' files in the store, as a test sees them after its commits: uploads() -> [bytes]."""
    return lambda: list(stored_files(app, "matches/").values())


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def _xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "Budgetplan"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(match_id: int, by, data: bytes, filename: str, **kw) -> MatchDocument:
    return documents.store_document(
        services.get_match(match_id), FileStorage(io.BytesIO(data), filename=filename), _user(by), **kw
    )


@pytest.mark.parametrize(
    "filename,data,content_type",
    [
        ("Konzept.pdf", tiny_pdf(), "application/pdf"),
        ("Foto.png", tiny_png(), "image/png"),
        ("Leitfaden.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("Budget.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("foto-ohne-endung", tiny_png(), "image/png"),  # the content decides, not the name
    ],
)
def test_documents_are_accepted_by_their_content(app, make, cohort, uploads, filename, data, content_type):
    made = make.match(REGION, cohort)
    with make.inside(REGION):
        document = _upload(made.id, made.members[0].owner, data, filename)
        db.session.commit()
        assert (document.filename, document.content_type, document.size) == (filename, content_type, len(data))
        assert uploads() == [data]


@pytest.mark.parametrize(
    "filename,data,message",
    [
        (
            "rechnung.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200),
            "Please upload a PDF, a picture (PNG, JPEG), an office document (DOCX, XLSX, PPTX, ODT) or a text file.",
        ),
        ("leer.pdf", b"", "The file is empty."),
        ("gross.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1 - 9), "The file is larger than 10 MB."),
    ],
    ids=["a program renamed .pdf", "an empty file", "10 MB and one byte"],
)
def test_uploads_we_do_not_accept_are_refused_and_nothing_is_kept(app, make, cohort, uploads, filename, data, message):
    made = make.match(REGION, cohort)
    with make.inside(REGION), refused(message, documents.DocumentError):
        _upload(made.id, made.members[0].owner, data, filename)
    assert uploads() == []
    with app.app_context(), all_regions():
        assert db.session.scalars(select(MatchDocument)).all() == []


def test_a_document_keeps_its_german_file_name(app, make, cohort, uploads):
    made = make.match(REGION, cohort)
    document = make.document(made, filename="Maßnahmenplan Übersicht.pdf")
    assert document.name == "Maßnahmenplan Übersicht.pdf"


def test_a_document_name_from_a_windows_path_keeps_only_the_file_name(app, make, cohort, uploads):
    made = make.match(REGION, cohort)
    document = make.document(made, filename="C:\\Users\\Anna\\Zwischenbericht.pdf")
    assert document.name == "Zwischenbericht.pdf"


def test_a_document_of_exactly_10_mb_is_accepted(app, make, cohort, uploads):
    made = make.match(REGION, cohort)
    with make.inside(REGION):
        document = _upload(made.id, made.members[0].owner, b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 - 9), "a.pdf")
        assert document.size == 10 * 1024 * 1024
        db.session.commit()
    assert [len(data) for data in uploads()] == [10 * 1024 * 1024]


def test_documents_can_be_deleted_but_receipts_stay(app, make, cohort, uploads):
    made = make.match(REGION, cohort)
    plain = make.document(made, filename="Notizen.pdf")
    receipt = make.document(made, filename="Beleg.pdf", is_receipt=True)
    with make.inside(REGION):
        match = services.get_match(made.id)
        documents.remove_document(match, db.session.get(MatchDocument, plain.id))
        db.session.commit()
        assert uploads() == [tiny_pdf()], "the receipt's file only"
        with refused("Receipts of the ledger cannot be deleted.", documents.DocumentError):
            documents.remove_document(services.get_match(made.id), db.session.get(MatchDocument, receipt.id))
    with app.app_context(), all_regions():
        assert [d.filename for d in db.session.scalars(select(MatchDocument))] == ["Beleg.pdf"]


# -- the case study ---------------------------------------------------------------------------------------


def test_a_case_study_is_published_only_with_its_text(app, make, cohort):
    made = make.match(REGION, cohort, status="completed")
    with make.inside(REGION):
        match = services.get_match(made.id)
        services.update_match(match, {"case_study": "   "})
        with refused("Write the case study before publishing it."):
            services.publish_case_study(match, True)
        match = services.get_match(made.id)
        services.update_match(match, {"case_study": "Neue Ehrenamtliche starten mit einem klaren Leitfaden."})
        services.publish_case_study(match, True)
        db.session.commit()
    assert stored_match(app, made.id).case_study_published
    with make.inside(REGION):
        services.publish_case_study(services.get_match(made.id), False)
        db.session.commit()
    assert not stored_match(app, made.id).case_study_published


# -- suggestions from a speed-dating session -------------------------------------------------------------


@pytest.fixture
def rated(make):
    """Two creatives and two organisations who met: one pair wants each other, one creative likes the second
    organisation, and vetoes the first."""
    session = make.session(REGION, creatives=2, organisations=2, tables=2)
    (c0, c1), (o0, o1) = session.creatives, session.organisations
    make.rating(session, c0, o0, "definitely")
    make.rating(session, o0, c0, "definitely")
    make.rating(session, c1, o1, "gladly")
    make.rating(session, c1, o0, "rather_not")
    make.rating(session, c0, o1, "gladly")
    return session


def _pairs(suggestions) -> set[tuple[int, int]]:
    return {(s.creative_id, s.organisation_id) for s in suggestions}


def _run(session_id: int, cohort_id: int, **kw) -> list[MatchSuggestion]:
    made = suggesting.run_suggestions(
        speeddating.get_session(session_id), db.session.get(services.Cohort, cohort_id), **kw
    )
    db.session.commit()
    return made


@pytest.mark.parametrize("method", ["optimal", "stable"])
def test_a_run_suggests_pairs_with_the_reasons_in_words(app, make, cohort, rated, method):
    (c0, c1), (o0, o1) = rated.creatives, rated.organisations
    with make.inside(REGION):
        made = _run(rated.id, cohort.id, method=method)
        assert _pairs(made) == {(c0.profile_id, o0.profile_id), (c1.profile_id, o1.profile_id)}
        assert all(
            s.status == SuggestionStatus.OPEN for s in suggesting.suggestions_of(speeddating.get_session(rated.id))
        )
        best, second = suggesting.suggestions_of(speeddating.get_session(rated.id))
        assert best.creative_id == c0.profile_id and best.score > second.score
        with force_locale("en"):
            assert suggesting.wording(best) == 'both: "definitely"'
            assert suggesting.wording(second) == 'creative: "gladly"'


def test_a_rejected_pair_is_left_out_of_the_next_run(app, make, cohort, rated):
    (c0, c1), (o0, _) = rated.creatives, rated.organisations
    with make.inside(REGION):
        first_run = _run(rated.id, cohort.id)
        rejected = next(s for s in first_run if s.creative_id == c1.profile_id)
        suggesting.reject(rejected)
        db.session.commit()
        assert _pairs(_run(rated.id, cohort.id)) == {(c0.profile_id, o0.profile_id)}
        kept = suggesting.suggestions_of(speeddating.get_session(rated.id))
        assert [(s.creative_id, s.status) for s in kept] == [
            (c0.profile_id, SuggestionStatus.OPEN),
            (c1.profile_id, SuggestionStatus.REJECTED),
        ]
        with refused("This suggestion has been decided already."):
            suggesting.accept(
                db.session.get(MatchSuggestion, rejected.id), db.session.get(services.Cohort, cohort.id), None
            )


def test_an_accepted_suggestion_becomes_a_proposed_match_with_the_cohorts_budget(app, make, cohort, rated):
    (c0, _), (o0, _) = rated.creatives, rated.organisations
    coordinator = make.coordinator(REGION)
    with make.inside(REGION):
        best = next(s for s in _run(rated.id, cohort.id) if s.creative_id == c0.profile_id)
        match = suggesting.accept(best, db.session.get(services.Cohort, cohort.id), _user(coordinator))
        db.session.commit()
        match_id, suggestion_id = match.id, best.id
    match = stored_match(app, match_id)
    assert match.status == MatchStatus.PROPOSED and str(match.budget) == "2500.00"
    assert match.session_id == rated.id and match.cohort_id == cohort.id
    assert sorted(match.people, key=lambda p: p[1]) == [
        (c0.name, MemberRole.CREATIVE),
        (o0.name, MemberRole.ORGANISATION),
    ]
    with app.app_context(), all_regions():
        suggestion = db.session.get(MatchSuggestion, suggestion_id)
        assert (suggestion.status, suggestion.match_id) == (SuggestionStatus.ACCEPTED, match_id)


def test_people_in_an_open_match_of_the_cohort_are_not_suggested_again(app, make, cohort, rated):
    (c0, c1), (_, o1) = rated.creatives, rated.organisations
    coordinator = make.coordinator(REGION)
    with make.inside(REGION):
        best = next(s for s in _run(rated.id, cohort.id) if s.creative_id == c0.profile_id)
        suggesting.accept(best, db.session.get(services.Cohort, cohort.id), _user(coordinator))
        db.session.commit()
        # c0 also liked o1, but c0 and o0 have their one match of the cohort now.
        assert _pairs(_run(rated.id, cohort.id, limit=1)) == {(c1.profile_id, o1.profile_id)}
        # Two matches each are allowed: c0 may get o1 as a second one, never o0 again.
        assert _pairs(_run(rated.id, cohort.id, limit=2)) == {
            (c0.profile_id, o1.profile_id),
            (c1.profile_id, o1.profile_id),
        }


def test_a_refused_change_names_the_field_for_the_form(app, make, cohort):
    made = make.match(REGION, cohort, status="completed")
    with make.inside(REGION), pytest.raises(ServiceError) as caught:
        services.change_status(services.get_match(made.id), MatchStatus.ACTIVE)
    assert caught.value.errors() == {"status": [str(caught.value.message)]}


# -- the demo ---------------------------------------------------------------------------------------------


def test_the_demo_shows_the_programs_example_as_an_active_match(app, runner):
    assert "changes)" in runner.invoke(args=["demo", "load"]).output
    assert "(0 changes)" in runner.invoke(args=["demo", "load"]).output
    with app.app_context(), all_regions():
        match = db.session.scalar(select(Match).where(Match.title == "Onboarding für Ehrenamtliche"))
        assert match.status == MatchStatus.ACTIVE and match.region.slug == "erzgebirge"
        assert match.cohort.name == "CIMIS II 2026/27" and str(match.budget) == "2500.00"
        assert sorted(m.profile.display_name for m in match.members) == [
            "Prozessberatung Muster",
            "Soziokulturelles Zentrum Alte Brauerei",
        ]
        assert all(match.cohort.contains(m.due_on) for m in match.milestones) and len(match.milestones) == 2
        assert (len(match.check_ins), len(match.journal)) == (1, 1)
        assert (str(match.committed), str(match.paid)) == ("1800.00", "450.00")
        session = db.session.get(speeddating.SpeedDatingSession, match.session_id)
        assert session.event.title == "Auftakt CIMIS II Erzgebirge mit Speed-Dating"
        assert session.rounds == session.lower_bound and len(session.participants) >= 6
        assert speeddating.all_ratings(session)
        still_open = [s for s in suggesting.suggestions_of(session) if s.status == SuggestionStatus.OPEN]
        assert still_open and all(s.reasons for s in still_open)
        proposed = db.session.scalars(select(Match).where(Match.status == MatchStatus.PROPOSED)).all()
        assert [m.region.slug for m in proposed] == ["lausitz"]


# -- suggestions at scale (issue 11): the same statements whatever the session's size ------------------------


def _session_where_everyone_rated_everyone(make, creatives: int, organisations: int):
    """A session in which every pair met and both said "gladly"; one suggestion decided already."""
    from regions.speeddating.models import SessionParticipant
    from regions.speeddating.vocab import Interest

    made = make.session(REGION, creatives=creatives, organisations=organisations, tables=organisations)
    with make.inside(REGION):
        session = speeddating.get_session(made.id)
        for meeting in session.meetings:
            for rater, ratee in (
                (meeting.creative_id, meeting.organisation_id),
                (meeting.organisation_id, meeting.creative_id),
            ):
                rater = db.session.get(SessionParticipant, rater)
                speeddating.rate(session, rater, ratee, Interest.GLADLY, now=session.ends_at)
        db.session.commit()
    return made


def test_suggestions_cost_the_same_statements_for_a_small_and_a_larger_session(app, make, cohort):
    from tests.statements import counted

    small = _session_where_everyone_rated_everyone(make, 2, 2)
    larger = _session_where_everyone_rated_everyone(make, 9, 7)
    make.match(REGION, cohort)  # an open match of the cohort, so that capacities and matched pairs are looked up
    counts, made = {}, {}
    for name, session in (("small", small), ("larger", larger)):
        rejected = make.suggestions(session, cohort)[0]
        with make.inside(REGION):
            suggesting.reject(db.session.get(MatchSuggestion, rejected.id))
            db.session.commit()
        # The next run replaces the open suggestions, leaves out the rejected pair and names every person.
        with counted(app) as statements:
            made[name] = make.suggestions(session, cohort)
        counts[name] = len(statements)
    assert (len(made["small"]), len(made["larger"])) == (2, 7)  # everyone is paired, just not as rejected
    assert counts["larger"] == counts["small"]
