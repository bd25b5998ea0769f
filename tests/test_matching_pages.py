"""The co-creation flow in the browser: from an event's registrations to an active, funded match."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from hub.db import db
from hub.tenancy import all_regions
from regions.matches.models import LedgerEntry, Match
from regions.speeddating.models import Meeting, Rating
from tests.pages import field_error, form_error, page, shown, shown_field_message


def _meetings(app, session_id) -> list[Meeting]:
    with app.app_context(), all_regions():
        rows = db.session.scalars(select(Meeting).where(Meeting.session_id == session_id)).all()
        db.session.expunge_all()
        return rows


def _match(app, match_id) -> Match:
    with app.app_context(), all_regions():
        match = db.session.get(Match, match_id)
        db.session.expunge(match)
        return match


def test_coordinator_runs_the_whole_flow_from_registrations_to_a_funded_match(app, client, auth, make):
    coordinator = make.coordinator("erzgebirge")
    cohort = make.cohort(name="CIMIS II Test", funding="2500.00")
    event = make.event("erzgebirge", title="Auftakt Schneeberg", type="kickoff")
    organisation = make.person("erzgebirge", "organisation", name="Alte Brauerei", need_tags=["Onboarding"])
    creative = make.person("erzgebirge", "creative", name="Prozessberatung Muster", offer_tags=["Onboarding"])
    other = make.person("erzgebirge", "creative", name="Holzgestaltung")
    for person in (organisation, creative, other):
        make.registration(event, person.owner)

    auth.login(coordinator)
    response = client.post(
        "/erzgebirge/speed-dating/new",
        data={"event_id": event.id, "title": "Speed-Dating Auftakt", "tables": "2", "mode": "everyone"},
    )
    assert response.status_code == 302
    session_url = response.headers["Location"]
    session_id = int(session_url.rstrip("/").rsplit("/", 1)[1])
    html = page(client.get(session_url))
    assert "Alte Brauerei" in html and "Prozessberatung Muster" in html

    assert client.post(f"{session_url}/schedule").status_code == 302
    meetings = _meetings(app, session_id)
    assert len(meetings) == 2  # two creatives meet the one organisation
    assert sorted(m.round for m in meetings) == [0, 1]  # the lower bound: Δ = 2

    for path in ("people.html", "tables.html", "master.html", "master.pdf"):
        printed = client.get(f"{session_url}/print/{path}")
        assert printed.status_code == 200, path
    assert client.get(f"{session_url}/print/master.pdf").data.startswith(b"%PDF")

    # The organisation and the creative say "unbedingt" about each other, on their own pages.
    people = {}
    with app.app_context(), all_regions():
        from regions.speeddating.models import SessionParticipant

        for p in db.session.scalars(select(SessionParticipant).where(SessionParticipant.session_id == session_id)):
            people[p.profile_id] = p.id
    auth.logout()
    for rater, ratee in ((organisation, creative), (creative, organisation)):
        auth.login(rater.owner)
        own = f"/erzgebirge/speed-dating/mine/{people[rater.profile_id]}"
        assert client.get(own).status_code == 200
        assert client.post(own, data={f"interest_{people[ratee.profile_id]}": "definitely"}).status_code == 302
        auth.logout()

    auth.login(coordinator)
    suggestions_url = f"/erzgebirge/matches/from-session/{session_id}"
    assert client.post(suggestions_url, data={"cohort_id": cohort.id, "method": "optimal"}).status_code == 302
    html = page(client.get(suggestions_url))
    assert "Prozessberatung Muster" in html and "Onboarding" in html
    suggestion_id = re.search(r"/matches/suggestions/(\d+)/accept", html).group(1)
    response = client.post(f"/erzgebirge/matches/suggestions/{suggestion_id}/accept", data={"cohort_id": cohort.id})
    assert response.status_code == 302
    match_url = response.headers["Location"]
    match_id = int(match_url.rsplit("/", 1)[1])

    today = date.today().isoformat()
    assert client.post(f"{match_url}/status", data={"status": "active", "on": today}).status_code == 302
    assert (
        client.post(
            f"{match_url}/ledger",
            data={"kind": "payment", "amount": "1.234,56", "booked_on": today, "purpose": "Material"},
        ).status_code
        == 302
    )
    match = _match(app, match_id)
    assert match.status == "active"
    assert str(match.paid) == "1234.56"
    html = page(client.get(match_url))
    assert "1.234,56\xa0€" in html and "1.265,44\xa0€" in html  # paid, and what remains of 2.500,00 €


def test_payment_beyond_the_remaining_budget_is_refused_on_the_page_and_nothing_is_booked(app, client, auth, make):
    match = make.match("erzgebirge")
    make.ledger_entry(match, "payment", "2000.00")
    auth.login(make.coordinator("erzgebirge"))
    response = client.post(
        f"/erzgebirge/matches/{match.id}/ledger",
        data={"kind": "payment", "amount": "600,00", "booked_on": date.today().isoformat(), "purpose": "Honorar"},
    )
    assert response.status_code == 422
    assert field_error(page(response), "amount") == shown_field_message(
        app, "This payment exceeds the remaining budget of {left}.", left="500,00\xa0€"
    )
    with app.app_context(), all_regions():
        assert db.session.scalar(select(db.func.count()).select_from(LedgerEntry)) == 1
    assert str(_match(app, match.id).paid) == "2000.00"


def test_a_milestone_outside_the_cohort_is_refused_with_the_cohorts_dates(app, client, auth, make):
    cohort = make.cohort(starts_on=date(2026, 9, 1), ends_on=date(2027, 4, 30))
    match = make.match("erzgebirge", cohort=cohort)
    auth.login(make.coordinator("erzgebirge"))
    response = client.post(
        f"/erzgebirge/matches/{match.id}/milestones", data={"title": "Prototyp", "due_on": "2027-06-01"}
    )
    assert response.status_code == 422
    assert field_error(page(response), "due_on") == shown_field_message(
        app, "The date must lie within the cohort ({start} – {end}).", start="01.09.2026", end="30.04.2027"
    )


def test_the_match_page_takes_the_berlin_date_while_utc_still_shows_the_day_before(
    app, client, auth, make, time_machine
):
    time_machine.move_to(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tick=False)  # 00:30 on 1 December in Berlin
    match = make.match("erzgebirge", cohort=make.cohort(starts_on=date(2026, 9, 1), ends_on=date(2027, 4, 30)))
    milestone = make.milestone(match, due_on=date(2026, 11, 30))
    auth.login(make.coordinator("erzgebirge"))
    html = page(client.get(f"/erzgebirge/matches/{match.id}"))
    assert '<input id="f-on" name="on" type="date" value="2026-12-01">' in html
    assert client.post(f"/erzgebirge/matches/milestones/{milestone.id}", data={"done": "1"}).status_code == 302
    with app.app_context(), all_regions():
        assert db.session.get(Match, match.id).milestones[0].done_on == date(2026, 12, 1)


def test_a_pair_both_wished_and_avoided_is_refused_on_the_session_page(app, client, auth, make):
    session = make.session("erzgebirge", generate=False)
    creative, organisation = session.creatives[0], session.organisations[0]
    auth.login(make.coordinator("erzgebirge"))
    url = f"/erzgebirge/speed-dating/{session.id}/pairs"
    pair = {"creative_id": creative.id, "organisation_id": organisation.id}
    assert client.post(url, data={**pair, "kind": "wish"}).status_code == 302
    response = client.post(url, data={**pair, "kind": "avoid"})
    assert response.status_code == 422
    assert field_error(page(response), "kind") == shown(
        app, "A pair cannot be wished for and avoided at the same time."
    )


def test_generating_with_an_empty_side_says_so(app, client, auth, make):
    session = make.session("erzgebirge", organisations=0, generate=False)
    auth.login(make.coordinator("erzgebirge"))
    response = client.post(f"/erzgebirge/speed-dating/{session.id}/schedule")
    assert response.status_code == 422
    assert shown(app, "Both sides need at least one person: add creatives and organisations.") in page(response)
    assert _meetings(app, session.id) == []


def test_a_participant_rates_only_people_they_met_and_not_after_the_deadline(app, client, auth, make):
    from datetime import UTC, datetime, timedelta

    session = make.session("erzgebirge", creatives=2, organisations=2, tables=2, mode="wishes", generate=False)
    c1, c2 = session.creatives
    o1, _o2 = session.organisations
    with app.app_context():
        from hub.tenancy import region_scope
        from regions.speeddating import services

        with region_scope(make.regions["erzgebirge"].id):
            s = services.get_session(session.id)
            services.set_pair(s, c1.id, o1.id, "wish")
            services.generate_schedule(s)
            db.session.commit()
    auth.login(c1.owner)
    own = f"/erzgebirge/speed-dating/mine/{c1.id}"
    response = client.post(own, data={f"interest_{c2.id}": "gladly"})
    assert response.status_code == 422
    assert shown(app, "You can only rate people you met in this session.") in page(response)
    with app.app_context(), all_regions():
        assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 0
        from regions.speeddating.models import SpeedDatingSession

        db.session.get(SpeedDatingSession, session.id).rating_deadline = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    response = client.post(own, data={f"interest_{o1.id}": "gladly"})
    assert response.status_code == 422
    assert shown(app, "The deadline for ratings has passed.") in page(response)


def test_a_participant_sees_only_their_own_participation_and_matches(client, auth, make):
    session = make.session("erzgebirge")
    match = make.match("erzgebirge")
    stranger = make.person("erzgebirge", "creative")
    auth.login(stranger.owner)
    assert client.get(f"/erzgebirge/speed-dating/mine/{session.creatives[0].id}").status_code == 404
    assert client.get(f"/erzgebirge/matches/{match.id}").status_code == 404
    auth.logout()
    auth.login(match.members[0].owner)
    assert client.get(f"/erzgebirge/matches/{match.id}").status_code == 200
    # A member may not book money.
    response = client.post(
        f"/erzgebirge/matches/{match.id}/ledger",
        data={"kind": "payment", "amount": "10", "booked_on": date.today().isoformat(), "purpose": "x"},
    )
    assert response.status_code == 403


def test_the_team_uploads_a_document_checked_by_content(app, client, auth, make):
    match = make.match("erzgebirge")
    auth.login(match.members[0].owner)
    url = f"/erzgebirge/matches/{match.id}/documents"
    fake = client.post(url, data={"file": (io.BytesIO(b"MZ\x90\x00binary"), "rechnung.pdf")})
    assert fake.status_code == 422
    assert field_error(page(fake), "file") is not None
    good = client.post(url, data={"file": (io.BytesIO(b"%PDF-1.4\n%test\n"), "Konzept.pdf")})
    assert good.status_code == 302
    assert "Konzept.pdf" in page(client.get(f"/erzgebirge/matches/{match.id}"))


def test_a_published_case_study_is_a_blueprint_for_the_whole_network(app, client, auth, make):
    match = make.match("erzgebirge", title="Onboarding für Ehrenamtliche")
    auth.login(match.members[0].owner)
    url = f"/erzgebirge/matches/{match.id}"
    refused = client.post(f"{url}/case-study", data={"publish": "1"})
    assert refused.status_code == 422
    assert client.post(f"{url}/edit", data={"case_study": "Wie wir das Onboarding neu bauten"}).status_code == 302
    assert client.post(f"{url}/case-study", data={"publish": "1"}).status_code == 302
    auth.logout()
    auth.login(make.participant("lausitz"))
    html = page(client.get("/blueprints/"))
    assert "Onboarding für Ehrenamtliche" in html and "Wie wir das Onboarding neu bauten" in html


def test_a_team_member_cannot_change_the_challenge_only_outcome_and_case_study(app, client, auth, make):
    match = make.match("erzgebirge", challenge="Ursprüngliche Herausforderung")
    auth.login(match.members[0].owner)
    client.post(f"/erzgebirge/matches/{match.id}/edit", data={"challenge": "Neu", "outcome": "Ergebnis"})
    saved = _match(app, match.id)
    assert saved.challenge == "Ursprüngliche Herausforderung" and saved.outcome == "Ergebnis"


def test_admin_keeps_cohorts_and_a_bad_period_is_refused(app, client, auth, make):
    auth.login(make.admin())
    data = {
        "name": "CIMIS III 2027/28",
        "starts_on": "2027-09-01",
        "ends_on": "2027-08-01",
        "funding_per_match": "3.000,00",
    }
    response = client.post("/admin/cohorts/new", data=data)
    assert response.status_code == 422
    assert field_error(page(response), "ends_on") == shown(app, "The end must not be before the start.")
    assert client.post("/admin/cohorts/new", data={**data, "ends_on": "2028-04-30"}).status_code == 302
    assert "3.000,00\xa0€" in page(client.get("/admin/cohorts/"))
    assert form_error(page(client.get("/admin/cohorts/"))) is None


def test_only_admins_change_cohorts(client, auth, make):
    cohort = make.cohort(name="CIMIS II Schutz")
    data = {"name": "Geändert", "starts_on": "2026-09-01", "ends_on": "2027-04-30", "funding_per_match": "1,00"}
    for person in (make.coordinator("erzgebirge"), make.umbrella(), make.participant("dresden")):
        auth.login(person)
        assert client.post("/admin/cohorts/new", data=data).status_code == 403
        assert client.post(f"/admin/cohorts/{cohort.id}/edit", data=data).status_code == 403
        auth.logout()
    auth.login(make.admin())
    assert "CIMIS II Schutz" in page(client.get("/admin/cohorts/"))
