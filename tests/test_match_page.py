"""The match page as a team and its coordination use it on a phone: an overview first (status, what comes
next, what is overdue, progress, the money), the milestones as a timeline, and every form behind a
disclosure that only those who may use it see. Plus the one-tap way to "my match"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from tests.pages import field_error, page, shown, shown_field_message
from tests.statements import counted

COHORT = {"starts_on": date(2026, 9, 1), "ends_on": date(2027, 4, 30)}
TODAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


@pytest.fixture
def planned(make, time_machine):
    """A match on 1 December 2026 with one milestone reached, two overdue, the next one and one later."""
    time_machine.move_to(TODAY, tick=False)
    match = make.match("erzgebirge", cohort=make.cohort(**COHORT), title="Onboarding für Ehrenamtliche")
    make.milestone(match, title="Kennenlernen", due_on=date(2026, 10, 1), done_on=date(2026, 10, 2))
    make.milestone(match, title="Ist-Aufnahme", due_on=date(2026, 10, 15))
    make.milestone(match, title="Interviews geführt", due_on=date(2026, 11, 30))
    make.milestone(match, title="Leitfaden entworfen", due_on=date(2026, 12, 10))
    make.milestone(match, title="Leitfaden erprobt", due_on=date(2027, 3, 1))
    return match


def _timeline(html: str) -> dict[str, str]:
    """Each milestone's title on the timeline with its state (done, overdue, next, open)."""
    item = r'<li class="is-(\w+)">(?:(?!</li>).)*?<h3 class="card-title">(.*?)</h3>'
    return {title: state for state, title in re.findall(item, html, re.S)}


def _glance(html: str) -> str:
    found = re.search(r'<ul class="cards match-glance">(.*?)</ul>\s*</section>', html, re.S)
    assert found, "no overview on the page"
    return found.group(1)


def _forms(html: str) -> set[str]:
    """The actions of the forms inside the page's main part (the header's logout and language are not the page's)."""
    main = html[html.index('<main id="main">') :]
    return set(re.findall(r'<form method="post" action="([^"]+)"', main))


def _behind_a_disclosure(html: str) -> set[str]:
    """The actions of forms that sit inside a closed-or-open <details> panel."""
    found = set()
    for block in re.findall(r'<details class="panel form-panel".*?</details>', html, re.S):
        found |= set(re.findall(r'<form method="post" action="([^"]+)"', block))
    return found


def test_the_overview_shows_the_next_milestone_and_the_overdue_ones(client, auth, planned):
    auth.login(planned.members[0].owner)
    html = page(client.get(f"/erzgebirge/matches/{planned.id}"))
    glance = _glance(html)
    assert "Leitfaden entworfen" in glance  # the first one not reached whose day is still ahead
    assert "in 9 Tagen" in glance
    assert "2 Meilensteine überfällig" in glance
    assert "Ist-Aufnahme" in glance and "Interviews geführt" in glance
    assert "Leitfaden erprobt" not in glance and "Kennenlernen" not in glance
    assert "1 von 5 Meilensteinen erreicht" in glance
    assert _timeline(html) == {
        "Kennenlernen": "done",
        "Ist-Aufnahme": "overdue",
        "Interviews geführt": "overdue",
        "Leitfaden entworfen": "next",
        "Leitfaden erprobt": "open",
    }


def test_a_milestone_due_today_is_next_and_not_overdue(client, auth, make, time_machine):
    time_machine.move_to(TODAY, tick=False)
    match = make.match("erzgebirge", cohort=make.cohort(**COHORT))
    make.milestone(match, title="Zwischenpräsentation", due_on=date(2026, 12, 1))
    auth.login(match.members[0].owner)
    html = page(client.get(f"/erzgebirge/matches/{match.id}"))
    assert _timeline(html) == {"Zwischenpräsentation": "next"}
    assert "heute" in _glance(html) and "überfällig" not in _glance(html)


def test_the_overview_tells_how_much_of_the_project_period_is_gone(client, auth, planned):
    auth.login(planned.members[0].owner)
    glance = _glance(page(client.get(f"/erzgebirge/matches/{planned.id}")))
    # 1 September 2026 to 30 April 2027: 241 days; 91 gone on 1 December, 150 left.
    assert "Noch 150 Tage Projektlaufzeit (bis 30.04.2027)" in glance
    assert '<progress class="bar" value="91" max="241"' in glance


def test_the_overview_shows_the_remaining_budget_and_what_is_promised(client, auth, make, planned):
    make.ledger_entry(planned, "commitment", "1800.00", purpose="Honorar Prozessberatung")
    make.ledger_entry(planned, "payment", "450.00", purpose="Abschlag Workshop 1")
    auth.login(planned.members[0].owner)
    glance = _glance(page(client.get(f"/erzgebirge/matches/{planned.id}")))
    assert "450,00\xa0€ von 2.500,00\xa0€ ausgezahlt" in glance
    assert "1.800,00\xa0€ von 2.500,00\xa0€ zugesagt" in glance
    assert '<meter class="bar" min="0" max="2500.00" value="450.00"' in glance
    remaining = re.search(r"<dt>Verbleibend</dt><dd><strong>(.*?)</strong>", glance).group(1)
    free = re.search(r"<dt>Noch frei</dt><dd>(.*?) <", glance).group(1)
    assert (remaining, free) == ("2.050,00\xa0€", "700,00\xa0€")


def test_a_team_member_sees_the_teams_forms_and_no_coordinator_form(client, auth, make, planned):
    auth.login(planned.members[0].owner)
    html = page(client.get(f"/erzgebirge/matches/{planned.id}"))
    url = f"/erzgebirge/matches/{planned.id}"
    forms = _forms(html)
    for coordinators_only in ("/status", "/members", "/milestones", "/check-ins", "/ledger"):
        assert url + coordinators_only not in forms, coordinators_only
    assert not any("/members/" in action and action.endswith("/remove") for action in forms)
    assert {url + "/journal", url + "/documents"} <= forms
    assert sum("/matches/milestones/" in action for action in forms) == 5  # reached, or open again
    assert f'href="{url}/edit"' in html


def test_the_coordinator_sees_every_form_each_behind_a_disclosure(client, auth, make, planned):
    auth.login(make.coordinator("erzgebirge"))
    html = page(client.get(f"/erzgebirge/matches/{planned.id}"))
    url = f"/erzgebirge/matches/{planned.id}"
    paths = ("/status", "/members", "/milestones", "/check-ins", "/ledger", "/journal", "/documents")
    forms = {url + path for path in paths}
    assert forms <= _forms(html)
    assert forms == _behind_a_disclosure(html)
    # The overview comes before any form but the status.
    assert html.index("match-glance") < html.index('id="form-milestones"')


def test_the_umbrella_reads_the_match_page_without_any_form(client, auth, make, planned):
    auth.login(make.umbrella())
    html = page(client.get(f"/erzgebirge/matches/{planned.id}"))
    assert "Leitfaden entworfen" in _glance(html)
    assert _forms(html) == set()
    assert f"/erzgebirge/matches/{planned.id}/edit" not in html
    texts = client.get(f"/erzgebirge/matches/{planned.id}/edit")
    assert texts.status_code == 200 and "<textarea" not in page(texts)


def test_a_refused_form_comes_back_open_with_its_message(app, client, auth, make, planned):
    auth.login(make.coordinator("erzgebirge"))
    response = client.post(
        f"/erzgebirge/matches/{planned.id}/milestones", data={"title": "Prototyp", "due_on": "2027-06-01"}
    )
    assert response.status_code == 422
    html = page(response)
    assert '<details class="panel form-panel" id="form-milestones" open>' in html
    assert '<details class="panel form-panel" id="form-funding">' in html  # the others stay closed
    assert field_error(html, "due_on") == shown_field_message(
        app, "The date must lie within the cohort ({start} – {end}).", start="01.09.2026", end="30.04.2027"
    )


def test_the_status_form_offers_only_where_the_match_can_go(client, auth, make, time_machine):
    time_machine.move_to(TODAY, tick=False)
    cohort = make.cohort(**COHORT)
    proposed = make.match("erzgebirge", cohort=cohort, status="proposed")
    completed = make.match("erzgebirge", cohort=cohort, status="completed")
    auth.login(make.coordinator("erzgebirge"))
    html = page(client.get(f"/erzgebirge/matches/{proposed.id}"))
    options = re.search(r'<select id="f-status" name="status">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'value="(\w+)"', options) == ["active", "discontinued"]
    assert 'id="f-status"' not in page(client.get(f"/erzgebirge/matches/{completed.id}"))


def test_the_team_edits_outcome_and_case_study_on_a_page_of_their_own(app, client, auth, make, planned):
    member = planned.members[0].owner
    auth.login(member)
    html = page(client.get(f"/erzgebirge/matches/{planned.id}/edit"))
    assert 'name="outcome"' in html and 'name="case_study"' in html
    assert 'name="challenge"' not in html and 'name="title"' not in html
    # Sharing an empty case study is refused beside the field, on this page.
    refused = client.post(f"/erzgebirge/matches/{planned.id}/case-study", data={"publish": "1"})
    assert refused.status_code == 422
    assert field_error(page(refused), "case_study") == shown(app, "Write the case study before publishing it.")
    saved = client.post(f"/erzgebirge/matches/{planned.id}/edit", data={"outcome": "Ein Leitfaden"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/matches/{planned.id}#texts")
    auth.logout()
    auth.login(make.coordinator("erzgebirge"))
    html = page(client.get(f"/erzgebirge/matches/{planned.id}/edit"))
    assert 'name="challenge"' in html and 'name="title"' in html


def test_a_participant_reaches_their_only_match_in_one_tap(client, auth, planned):
    auth.login(planned.members[1].owner)
    for link in ("/erzgebirge/matches/", "/erzgebirge/matches/mine"):
        response = client.get(link)
        assert response.status_code == 302 and response.headers["Location"] == f"/erzgebirge/matches/{planned.id}"
    listed = page(client.get("/erzgebirge/matches/mine?all=1"))
    assert f'href="/erzgebirge/matches/{planned.id}"' in listed and "Leitfaden entworfen" in listed


def test_a_participant_in_two_matches_chooses_from_cards(client, auth, make, planned):
    person = planned.members[0]
    other = make.match("erzgebirge", title="Website für die Tischlerei", creatives=[person])
    auth.login(person.owner)
    response = client.get("/erzgebirge/matches/")
    assert response.status_code == 200
    html = page(response)
    assert html.count('<li class="card">') == 2
    assert f'href="/erzgebirge/matches/{planned.id}"' in html and f'href="/erzgebirge/matches/{other.id}"' in html


def test_a_participant_without_a_match_is_told_how_matches_form(client, auth, make):
    auth.login(make.participant("erzgebirge"))
    response = client.get("/erzgebirge/matches/mine")
    assert response.status_code == 200 and '<div class="empty">' in page(response)


def test_the_words_are_plain_a_commitment_is_a_promise(client, auth, make, planned):
    make.ledger_entry(planned, "commitment", "100.00", purpose="Honorar")
    auth.login(make.coordinator("erzgebirge"))
    html = page(client.get(f"/erzgebirge/matches/{planned.id}"))
    assert "Mittelbindung" not in html.replace("(Mittelbindung)", "")  # named once, in the booking form's hint
    assert '<td data-label="Art">Zusage</td>' in html


def test_the_match_page_costs_the_same_for_few_and_many_entries(app, client, auth, make, planned):
    auth.login(make.coordinator("erzgebirge"))
    url = f"/erzgebirge/matches/{planned.id}"

    def statements() -> int:
        with counted(app) as sent:
            assert client.get(url).status_code == 200
        return len(sent)

    few = statements()
    for n in range(6):
        make.milestone(planned, title=f"Schritt {n}", due_on=date(2027, 1, 1 + n))
        make.ledger_entry(planned, "payment", "10.00", purpose=f"Material {n}")
        make.document(planned, filename=f"Protokoll {n}.pdf")
    assert statements() == few
