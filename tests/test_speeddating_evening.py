"""A participant's speed-dating on a phone: "Mein Abend" (the next table and round, the rest of the plan, the
ratings) and the rating page as one card per person met, with the same form fields as before.

Times are set relative to now: rounds of an hour with half an hour to change tables, so "the round under way"
and "the next round" do not depend on when the tests run.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hub.core.db import db, utcnow
from hub.core.tenancy import all_regions
from regions.speeddating import services
from regions.speeddating.models import Meeting, Rating, SessionParticipant
from tests.pages import field_error, page, shown, shown_field_message

REGION = "erzgebirge"
BASE = f"/{REGION}/speed-dating"


def started(make, made, minutes_ago: int) -> None:
    """Rounds of 60 minutes and 30 to change tables, the first started ``minutes_ago``."""
    with make.inside(REGION):
        session = services.get_session(made.id)
        services.update_session(
            session, {"starts_at": utcnow() - timedelta(minutes=minutes_ago), "round_minutes": 60, "break_minutes": 30}
        )
        db.session.commit()


def plan_of(app, made, participant_id: int) -> dict[int, tuple[int, str]]:
    """The participant's meetings as stored: {round (0-based): (table (0-based), partner's name)}."""
    with app.app_context(), all_regions():
        found = {}
        for m in db.session.scalars(select(Meeting).where(Meeting.session_id == made.id)):
            if participant_id in (m.creative_id, m.organisation_id):
                other = m.organisation_id if m.creative_id == participant_id else m.creative_id
                found[m.round] = (m.table, db.session.get(SessionParticipant, other).name)
        return found


def next_card(html: str) -> str:
    found = re.search(r'<section class="card sd-next".*?</section>', html, re.S)
    assert found, "no card for the next meeting"
    return found.group(0)


def test_my_evening_shows_the_meeting_under_way_with_its_table_and_partner(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=2, tables=2)
    started(make, made, minutes_ago=100)  # round 1 ended 40 minutes ago, round 2 began 10 minutes ago
    creative = made.creatives[0]
    plan = plan_of(app, made, creative.id)
    auth.login(creative.owner)

    card = next_card(page(client.get(f"{BASE}/mine/{creative.id}/evening")))

    assert shown(app, "Now: round %(round)s", round=2) in card
    assert shown(app, "Table %(n)s", n=plan[1][0] + 1) in card
    assert plan[1][1] in card and plan[0][1] not in card


def test_between_rounds_my_evening_shows_the_next_meeting_to_go_to(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=2, tables=2)
    started(make, made, minutes_ago=70)  # round 1 ended 10 minutes ago; round 2 begins in 20 minutes
    creative = made.creatives[0]
    plan = plan_of(app, made, creative.id)
    auth.login(creative.owner)

    html = page(client.get(f"{BASE}/mine/{creative.id}/evening"))

    card = next_card(html)
    assert shown(app, "Next: round %(round)s", round=2) in card
    assert shown(app, "Table %(n)s", n=plan[1][0] + 1) in card and plan[1][1] in card
    # Round 1 is over: it can be rated now, and the page says how far the ratings are.
    assert shown(app, "%(rated)s of %(total)s rated", rated=0, total=2) in html


def test_before_the_evening_the_first_meeting_is_next_and_after_it_the_ratings_are_asked_for(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=2, tables=2)
    creative = made.creatives[0]
    plan = plan_of(app, made, creative.id)
    auth.login(creative.owner)
    started(make, made, minutes_ago=-60)

    card = next_card(page(client.get(f"{BASE}/mine/{creative.id}/evening")))
    assert shown(app, "Next: round %(round)s", round=1) in card and plan[0][1] in card

    started(make, made, minutes_ago=24 * 60)
    html = page(client.get(f"{BASE}/mine/{creative.id}/evening"))
    assert 'class="card sd-next"' not in html
    assert shown(app, "All your meetings have taken place. Thank you for coming!") in html


def test_my_evening_shows_only_my_own_plan(app, client, auth, make):
    made = make.session(REGION, creatives=2, organisations=2, tables=2)
    started(make, made, minutes_ago=-60)
    me, other = made.creatives
    auth.login(me.owner)

    html = page(client.get(f"{BASE}/mine/{me.id}/evening"))

    assert all(org.name in html for org in made.organisations)
    assert other.name not in html
    # Someone else's evening is not found for a participant, as if it did not exist.
    assert client.get(f"{BASE}/mine/{other.id}/evening").status_code == 404


def test_the_stable_address_leads_to_my_evening_in_the_region(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=1, tables=1)
    started(make, made, minutes_ago=-60)
    creative = made.creatives[0]
    auth.login(creative.owner)

    response = client.get(f"{BASE}/my-evening")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/mine/{creative.id}/evening")
    # The participant's speed-dating page leads there in one tap.
    assert f'href="{BASE}/mine/{creative.id}/evening"' in page(client.get(f"{BASE}/"))


def test_the_stable_address_prefers_the_evening_to_come_over_one_past(app, client, auth, make):
    creative = make.person(REGION, "creative", name="Kreative Zweimal")
    past = make.session(REGION, creatives=[creative], organisations=1, tables=1, title="Früher")
    coming = make.session(REGION, creatives=[creative], organisations=1, tables=1, title="Bald")
    started(make, past, minutes_ago=30 * 24 * 60)
    started(make, coming, minutes_ago=-120)
    with app.app_context(), all_regions():
        mine = db.session.scalar(
            select(SessionParticipant.id).where(
                SessionParticipant.session_id == coming.id, SessionParticipant.profile_id == creative.profile_id
            )
        )
    auth.login(creative.owner)

    assert client.get(f"{BASE}/my-evening").headers["Location"].endswith(f"/mine/{mine}/evening")


def test_without_a_session_the_stable_address_says_so(app, client, auth, make):
    person = make.person(REGION, "creative")
    auth.login(person.owner)

    response = client.get(f"{BASE}/my-evening")

    assert response.status_code == 200
    assert shown(app, "You take part in no speed-dating session of this region yet.") in page(response)


def test_an_evening_of_another_region_is_not_found(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=1, tables=1)
    auth.login(make.coordinator("meissen"))

    assert client.get(f"/meissen/speed-dating/mine/{made.creatives[0].id}/evening").status_code == 404


# -- the rating page as cards -------------------------------------------------------------------------------


def radios(html: str) -> dict[str, list[str]]:
    """The rating form's radio buttons: {field name: [values]}."""
    found: dict[str, list[str]] = {}
    for tag in re.findall(r'<input type="radio"[^>]*>', html):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        found.setdefault(name, []).append(re.search(r'value="([^"]+)"', tag).group(1))
    return found


def test_the_rating_page_has_one_card_per_person_met_with_the_same_fields_as_before(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=3, tables=3)
    started(make, made, minutes_ago=24 * 60)
    creative = made.creatives[0]
    auth.login(creative.owner)

    html = page(client.get(f"{BASE}/mine/{creative.id}"))

    cards = re.findall(r'<li class="card sd-rating-card[^"]*" id="person-(\d+)"', html)
    assert sorted(int(c) for c in cards) == sorted(o.id for o in made.organisations)
    assert radios(html) == {f"interest_{o.id}": ["definitely", "gladly", "rather_not"] for o in made.organisations}
    form = re.search(r'<form method="post" novalidate>.*?</form>', html, re.S).group(0)
    assert form.count("<button") == 1, "one save button for all cards"
    assert shown(app, "%(rated)s of %(total)s rated", rated=0, total=3) in html


def test_a_rating_saved_through_the_cards_is_kept_and_counted(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=2, tables=2)
    started(make, made, minutes_ago=24 * 60)
    creative = made.creatives[0]
    first, second = made.organisations
    auth.login(creative.owner)
    html = page(client.get(f"{BASE}/mine/{creative.id}"))
    assert f"interest_{first.id}" in radios(html)

    response = client.post(f"{BASE}/mine/{creative.id}", data={f"interest_{first.id}": "definitely"})

    assert response.status_code == 302
    with app.app_context(), all_regions():
        assert [(r.ratee_id, r.interest.value) for r in db.session.scalars(select(Rating))] == [
            (first.id, "definitely")
        ]
    html = page(client.get(f"{BASE}/mine/{creative.id}"))
    assert shown(app, "%(rated)s of %(total)s rated", rated=1, total=2) in html
    assert re.search(rf'<input type="radio" name="interest_{first.id}" value="definitely"[^>]* checked', html)


def test_the_coordination_enters_a_paper_form_on_the_cards(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=1, tables=1)
    started(make, made, minutes_ago=24 * 60)
    creative, organisation = made.creatives[0], made.organisations[0]
    coordinator = make.coordinator(REGION)
    auth.login(coordinator)

    html = page(client.get(f"{BASE}/mine/{creative.id}"))
    assert shown(app, "You are entering the paper form of %(name)s.", name=creative.name) in html

    assert client.post(f"{BASE}/mine/{creative.id}", data={f"interest_{organisation.id}": "gladly"}).status_code == 302
    with app.app_context(), all_regions():
        rating = db.session.scalar(select(Rating))
        assert (rating.ratee_id, rating.interest.value, rating.entered_by_id) == (
            organisation.id,
            "gladly",
            coordinator.id,
        )


def test_a_card_shows_offers_and_needs_only_where_the_directory_would_show_the_profile(app, client, auth, make):
    listed = make.person(REGION, "organisation", name="Offene Werkstatt", visibility="region", offer_tags=["Holzbau"])
    private = make.person(REGION, "organisation", name="Stille GmbH", visibility="private", offer_tags=["Geheimtipp"])
    made = make.session(REGION, creatives=1, organisations=[listed, private], tables=2)
    creative = made.creatives[0]
    auth.login(creative.owner)

    html = page(client.get(f"{BASE}/mine/{creative.id}"))

    assert "Offene Werkstatt" in html and "Stille GmbH" in html
    assert "Holzbau" in html and "Geheimtipp" not in html


# -- a note with the rating -----------------------------------------------------------------------------------


def stored_ratings(app) -> list[tuple[int, str, str]]:
    with app.app_context(), all_regions():
        return [(r.ratee_id, r.interest.value, r.note) for r in db.session.scalars(select(Rating).order_by(Rating.id))]


def test_a_note_is_kept_with_the_rating_shown_back_to_the_rater_and_cleared_when_emptied(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=1, tables=1)
    started(make, made, minutes_ago=24 * 60)
    creative, organisation = made.creatives[0], made.organisations[0]
    auth.login(creative.owner)
    own = f"{BASE}/mine/{creative.id}"

    note = "  Holzwerkstatt im Hof, Termin im März  "
    response = client.post(own, data={f"interest_{organisation.id}": "gladly", f"note_{organisation.id}": note})

    assert response.status_code == 302
    assert stored_ratings(app) == [(organisation.id, "gladly", "Holzwerkstatt im Hof, Termin im März")]
    assert "Holzwerkstatt im Hof, Termin im März</textarea>" in page(client.get(own))
    # A form without the note field leaves the note; an emptied note clears it.
    client.post(own, data={f"interest_{organisation.id}": "definitely"})
    assert stored_ratings(app) == [(organisation.id, "definitely", "Holzwerkstatt im Hof, Termin im März")]
    client.post(own, data={f"interest_{organisation.id}": "definitely", f"note_{organisation.id}": ""})
    assert stored_ratings(app) == [(organisation.id, "definitely", "")]


def test_the_person_rated_never_sees_the_note(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=1, tables=1)
    creative, organisation = made.creatives[0], made.organisations[0]
    make.rating(made, creative, organisation, "definitely", note="Nur für mich: wirkt sehr engagiert")
    auth.login(organisation.owner)

    html = page(client.get(f"{BASE}/mine/{organisation.id}"))

    assert "wirkt sehr engagiert" not in html


def test_a_note_without_an_answer_or_too_long_is_refused_beside_the_card_and_nothing_is_kept(app, client, auth, make):
    made = make.session(REGION, creatives=1, organisations=2, tables=2)
    started(make, made, minutes_ago=24 * 60)
    creative = made.creatives[0]
    first, second = made.organisations
    auth.login(creative.owner)
    own = f"{BASE}/mine/{creative.id}"

    response = client.post(own, data={f"interest_{first.id}": "gladly", f"note_{second.id}": "Ohne Antwort"})

    assert response.status_code == 422
    assert field_error(page(response), f"interest_{second.id}") == shown(
        app, "Please choose an answer as well: a note is kept with the rating."
    )
    assert "Ohne Antwort</textarea>" in page(response), "what was typed comes back"
    assert stored_ratings(app) == []

    response = client.post(own, data={f"interest_{first.id}": "gladly", f"note_{first.id}": "x" * 501})
    assert response.status_code == 422
    assert field_error(page(response), f"note_{first.id}") == shown_field_message(
        app, "Longer than the maximum length of {max}.", max=500
    )
    assert stored_ratings(app) == []
