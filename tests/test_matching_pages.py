"""The co-creation flow in the browser: from an event's registrations to an active, funded match."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from hub.core.db import db
from hub.core.tenancy import all_regions
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
    event = make.event("erzgebirge", title="Auftakt Schneeberg", type="kickoff", under_way=True)
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
        from hub.core.tenancy import region_scope
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
    # Their form has no challenge field: a request that sends one is refused whole, as in the API.
    response = client.post(f"/erzgebirge/matches/{match.id}/edit", data={"challenge": "Neu", "outcome": "Ergebnis"})
    assert response.status_code == 403
    saved = _match(app, match.id)
    assert saved.challenge == "Ursprüngliche Herausforderung" and saved.outcome == ""
    client.post(f"/erzgebirge/matches/{match.id}/edit", data={"outcome": "Ergebnis"})
    assert _match(app, match.id).outcome == "Ergebnis"


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


# -- speed-dating evenings that do not go to plan (issue 11): ratings after the meeting, re-planning, fewer tables


def _under_way(make, made, *, started_minutes_ago: int = 90) -> None:
    """Rounds of an hour with half an hour's break: the first ended half an hour ago, the second is under way."""
    from datetime import timedelta

    from hub.core.db import utcnow
    from regions.speeddating import services

    with make.inside("erzgebirge"):
        session = services.get_session(made.id)
        start = utcnow() - timedelta(minutes=started_minutes_ago)
        services.update_session(session, {"starts_at": start, "round_minutes": 60, "break_minutes": 30})
        db.session.commit()


def _radios(html: str, ratee_id: int) -> list[str]:
    return re.findall(rf'<input type="radio" name="interest_{ratee_id}"[^>]*>', html)


def test_a_participant_sees_which_meetings_can_be_rated_yet_and_an_early_rating_is_refused_beside_it(
    app, client, auth, make
):
    from zoneinfo import ZoneInfo

    made = make.session("erzgebirge", creatives=1, organisations=2, tables=2)
    _under_way(make, made)
    creative = made.creatives[0]
    rounds = {m.round: m for m in _meetings(app, made.id)}
    held, coming = rounds[0].organisation_id, rounds[1].organisation_id
    with app.app_context(), all_regions():
        from regions.speeddating.models import SessionParticipant, SpeedDatingSession

        opens = db.session.get(SpeedDatingSession, made.id).round_end(1).astimezone(ZoneInfo("Europe/Berlin"))
        coming_name = db.session.get(SessionParticipant, coming).name
    auth.login(creative.owner)
    own = f"/erzgebirge/speed-dating/mine/{creative.id}"
    html = page(client.get(own))
    assert _radios(html, held) and not any("disabled" in radio for radio in _radios(html, held))
    assert _radios(html, coming) and all("disabled" in radio for radio in _radios(html, coming))
    assert f'id="h-interest_{coming}"' in html and f'id="h-interest_{held}"' not in html

    response = client.post(own, data={f"interest_{held}": "gladly", f"interest_{coming}": "definitely"})
    assert response.status_code == 422
    assert field_error(page(response), f"interest_{coming}") == shown_field_message(
        app,
        "The meeting with {name} has not taken place yet: it can be rated from {time}.",
        name=coming_name,
        time=opens.strftime("%d.%m.%Y %H:%M"),
    )
    with app.app_context(), all_regions():
        assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 0, "half a form was kept"
    assert client.post(own, data={f"interest_{held}": "gladly"}).status_code == 302
    with app.app_context(), all_regions():
        assert [r.ratee_id for r in db.session.scalars(select(Rating))] == [held]


def test_the_coordinator_replans_the_rest_of_the_evening_on_the_sessions_page(app, client, auth, make):
    made = make.session("erzgebirge", creatives=3, organisations=2, tables=3)  # 6 meetings in 3 rounds
    _under_way(make, made)
    first_round = sorted((m.round, m.table, m.creative_id, m.organisation_id) for m in _meetings(app, made.id))[:2]
    rated = next(m for m in _meetings(app, made.id) if m.round == 0)
    by_id = {p.id: p for p in [*made.creatives, *made.organisations]}
    make.rating(made, by_id[rated.creative_id], by_id[rated.organisation_id])
    leaving = next(p for p in made.creatives if p.id != rated.creative_id)
    auth.login(make.coordinator("erzgebirge"))
    url = f"/erzgebirge/speed-dating/{made.id}"
    html = page(client.get(url))
    # The second round has begun by the plan, so the form proposes the third.
    assert re.search(r'<input id="f-from_round" name="from_round" type="number" value="3"', html)
    response = client.post(f"{url}/replan", data={"from_round": "2", "absent": [str(leaving.id)]})
    assert response.status_code == 302
    meetings = _meetings(app, made.id)
    assert sorted((m.round, m.table, m.creative_id, m.organisation_id) for m in meetings)[:2] == first_round
    assert not any(m.creative_id == leaving.id for m in meetings if m.round >= 1)
    assert shown(app, "The evening has been re-planned from round %(round)s on.", round=2) in page(client.get(url))

    response = client.post(f"{url}/replan", data={"from_round": "1"})
    assert response.status_code == 422
    assert field_error(page(response), "from_round") == shown_field_message(
        app,
        "Meetings of round {rated} have been rated, so that round has been held: re-plan from round {next} or later.",
        rated=1,
        next=2,
    )
    response = client.post(f"{url}/replan", data={"from_round": "2", "tables_out_of_use": ["1", "2", "3"]})
    assert response.status_code == 422
    assert field_error(page(response), "tables_out_of_use") == shown(app, "At least one table must stay in use.")
    assert 'value="1" checked' in page(response)  # the form shows what was sent
    response = client.post(f"{url}/replan", data={"from_round": "zwei"})
    assert response.status_code == 422 and field_error(page(response), "from_round")
    assert sorted((m.round, m.table, m.creative_id, m.organisation_id) for m in _meetings(app, made.id)) == sorted(
        (m.round, m.table, m.creative_id, m.organisation_id) for m in meetings
    )


def test_fewer_tables_than_a_meeting_fixed_at_the_last_one_needs_are_refused_beside_the_field(app, client, auth, make):
    made = make.session("erzgebirge", creatives=3, organisations=2, tables=3)
    auth.login(make.coordinator("erzgebirge"))
    lone = next(m for m in _meetings(app, made.id) if m.round == 1)
    assert (
        client.post(f"/erzgebirge/speed-dating/meetings/{lone.id}/move", data={"round": "2", "table": "3"}).status_code
        == 302
    )
    with app.app_context(), all_regions():
        from regions.speeddating.models import SessionParticipant

        names = (
            db.session.get(SessionParticipant, lone.creative_id).name,
            db.session.get(SessionParticipant, lone.organisation_id).name,
        )
    before = sorted((m.round, m.table, m.creative_id, m.pinned) for m in _meetings(app, made.id))
    response = client.post(
        f"/erzgebirge/speed-dating/{made.id}/edit", data={"title": made.name, "tables": "2", "mode": "everyone"}
    )
    assert response.status_code == 422
    assert field_error(page(response), "tables") == shown_field_message(
        app,
        "The meeting of {creative} and {organisation} is fixed at table {table} in round {round}, which "
        "{tables} tables leave out: release or move it first, or keep at least {needed} tables.",
        creative=names[0],
        organisation=names[1],
        table=3,
        round=2,
        tables=2,
        needed=3,
    )
    assert sorted((m.round, m.table, m.creative_id, m.pinned) for m in _meetings(app, made.id)) == before
