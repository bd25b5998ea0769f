"""From a kickoff's speed-dating to a funded match, through the JSON API only: cohorts, sessions, the schedule,
ratings, suggestions, matches, milestones and the funding ledger — and every bad input refused with 422 and
the field named, leaving everything as it was."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.core.db import berlin_today, db
from hub.core.tenancy import all_regions
from regions.matches.models import LedgerEntry, Match, MatchSuggestion
from regions.speeddating.models import Meeting, PairPreference, Rating, SessionParticipant, SpeedDatingSession
from tests.factories import Made
from tests.pages import bearer

REGION = "erzgebirge"
BASE = f"/api/v1/regions/{REGION}"
SD = f"{BASE}/speed-dating"
TODAY = berlin_today()

# Who comes to the kickoff: creatives C1, C2 and organisations O1, O2 (placeholders, no real people).
PEOPLE = {
    "C1": {"name": "Prozessberatung Muster", "kind": "creative", "offer_tags": ["Onboarding", "Prozessberatung"]},
    "C2": {"name": "Grafikbüro Muster", "kind": "creative", "offer_tags": ["Grafikdesign"]},
    "O1": {
        "name": "Koordination Alte Brauerei",
        "kind": "organisation",
        "organisation_name": "Alte Brauerei Annaberg-Buchholz",
        "need_tags": ["Onboarding", "Ehrenamt"],
        "needs_text": "Neue Ehrenamtliche sollen schneller starten.",
    },
    "O2": {
        "name": "Tischlerei Muster",
        "kind": "organisation",
        "organisation_name": "Tischlerei Muster GmbH",
        "need_tags": ["Grafikdesign"],
    },
}


class Api:
    """A program calling the API with one person's bearer token."""

    def __init__(self, client, person: Made, raw: str):
        self.client, self.person, self.headers = client, person, bearer(raw)

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        if "data" not in kw:
            kw["json"] = json if json is not None else {}
        return self.client.post(path, headers=self.headers, **kw)

    def put(self, path, json):
        return self.client.put(path, json=json, headers=self.headers)

    def patch(self, path, json):
        return self.client.patch(path, json=json, headers=self.headers)


def caller(client, make, person: Made) -> Api:
    return Api(client, person, make.access_token(person).extra)


def refused(response, field_name: str) -> str:
    """A 422 that names the field; returns its message."""
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.get_json()["errors"]["json"]
    assert field_name in errors, errors
    return errors[field_name][0]


COHORT = {
    "name": "CIMIS II 2024/25",
    "starts_on": (TODAY - timedelta(days=30)).isoformat(),
    "ends_on": (TODAY + timedelta(days=180)).isoformat(),
    "funding_per_match": "2500.00",
    "planned_expert_events": 3,
}


@dataclass
class Kickoff:
    """A cohort and a speed-dating session at the kickoff, with everyone's API caller."""

    admin: Api
    coordination: Api
    people: dict[str, Api]
    cohort_id: int
    event_id: int
    session_id: int
    ids: dict[str, int] = field(default_factory=dict)  # participant ids by person
    profiles: dict[str, int] = field(default_factory=dict)  # profile ids by person
    taken: dict = field(default_factory=dict)  # what taking participants from the registrations said

    @property
    def session_url(self) -> str:
        return f"{SD}/sessions/{self.session_id}"

    def session(self) -> dict:
        response = self.coordination.get(self.session_url)
        assert response.status_code == 200
        return response.get_json()

    def meeting(self, creative: str, organisation: str) -> dict:
        return next(
            m
            for m in self.session()["meetings"]
            if (m["creative_id"], m["organisation_id"]) == (self.ids[creative], self.ids[organisation])
        )


def kickoff(client, make, *, schedule: bool = True) -> Kickoff:
    """Admin makes the cohort; four people register for the kickoff; the coordination builds the session."""
    admin = caller(client, make, make.admin())
    response = admin.post("/api/v1/cohorts/", COHORT)
    assert response.status_code == 201, response.get_json()
    cohort_id = response.get_json()["id"]
    coordination = caller(client, make, make.coordinator(REGION, name="Koordination Erzgebirge"))
    event = make.event(REGION, title="Auftaktveranstaltung Schneeberg", type="kickoff", under_way=True)
    people, profiles = {}, {}
    for key, spec in PEOPLE.items():
        spec = dict(spec)
        person = make.participant(REGION, name=spec["name"])
        profiles[key] = make.profile(REGION, user=person, name=spec.pop("name"), **spec).id
        make.registration(event, person)
        people[key] = caller(client, make, person)
    make.registration(event, make.participant(REGION, name="Gast ohne Profil"))

    response = coordination.post(
        f"{SD}/sessions", {"event_id": event.id, "title": "Speed-Dating am Auftakt", "tables": 2, "round_minutes": 8}
    )
    assert response.status_code == 201, response.get_json()
    k = Kickoff(admin, coordination, people, cohort_id, event.id, response.get_json()["id"], profiles=profiles)
    response = coordination.post(f"{k.session_url}/participants/from-registrations", {})
    assert response.status_code == 200
    k.taken = response.get_json()
    k.ids = {key: _participant_id(k, profiles[key]) for key in PEOPLE}
    if schedule:
        avoid = {"creative_id": k.ids["C2"], "organisation_id": k.ids["O1"], "kind": "avoid"}
        assert coordination.post(f"{k.session_url}/pairs", avoid).status_code == 201
        assert coordination.post(f"{k.session_url}/schedule").status_code == 200
    return k


def _participant_id(k: Kickoff, profile_id: int) -> int:
    return next(p["id"] for p in k.session()["participants"] if p["profile_id"] == profile_id)


def rate_everyone(k: Kickoff) -> None:
    """C1 and O1 want each other; C2 likes O2; O2's paper form says the same; C1 does not want O2."""
    for rater, ratee, interest in [
        ("C1", "O1", "definitely"),
        ("O1", "C1", "definitely"),
        ("C2", "O2", "gladly"),
        ("C1", "O2", "rather_not"),
    ]:
        response = k.people[rater].post(
            f"{SD}/participations/{k.ids[rater]}/ratings", {"ratee_id": k.ids[ratee], "interest": interest}
        )
        assert response.status_code == 200, response.get_json()
    paper = {"rater_id": k.ids["O2"], "ratee_id": k.ids["C2"], "interest": "gladly"}
    assert k.coordination.post(f"{k.session_url}/ratings", paper).status_code == 200


def active_match(k: Kickoff) -> int:
    """Suggestions from the ratings; the coordination accepts Alte Brauerei × Prozessberatung and starts it."""
    suggestions = k.coordination.post(f"{k.session_url}/suggestions", {"cohort_id": k.cohort_id}).get_json()
    brewery = next(s for s in suggestions if s["organisation_id"] == k.profiles["O1"])
    response = k.coordination.post(f"{SD}/suggestions/{brewery['id']}/accept", {"cohort_id": k.cohort_id})
    assert response.status_code == 201
    match_id = response.get_json()["id"]
    assert k.coordination.post(f"{BASE}/matches/{match_id}/status", {"status": "active"}).status_code == 200
    return match_id


def count(app, model, **where) -> int:
    with app.app_context(), all_regions():
        query = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(query)


# -- the whole way ----------------------------------------------------------------------------------------


def test_from_kickoff_to_a_funded_match_through_the_api(app, client, make):
    k = kickoff(client, make, schedule=False)
    # The new session took the four registered people with a profile; taking again adds nobody twice.
    assert k.taken == {"added": 0, "without_profile": ["Gast ohne Profil"]}
    session = k.session()
    assert len(session["participants"]) == 4
    assert session["title"] == "Speed-Dating am Auftakt" and session["tables"] == 2
    assert {p["side"] for p in session["participants"]} == {"creative", "organisation"}

    # The coordination keeps Grafikbüro and Alte Brauerei apart (they know each other) and generates.
    avoid = {"creative_id": k.ids["C2"], "organisation_id": k.ids["O1"], "kind": "avoid"}
    response = k.coordination.post(f"{k.session_url}/pairs", avoid)
    assert response.status_code == 201 and response.get_json()["kind"] == "avoid"
    response = k.coordination.post(f"{k.session_url}/schedule")
    assert response.status_code == 200
    schedule = response.get_json()
    assert schedule["rounds"] == schedule["lower_bound"] == 2
    met = {(m["creative_id"], m["organisation_id"]) for m in schedule["meetings"]}
    assert len(met) == 3 and (k.ids["C2"], k.ids["O1"]) not in met
    assert all(1 <= m["round"] <= 2 and 1 <= m["table"] <= 2 for m in schedule["meetings"])

    # By hand: C1 × O2 to a third round, the other two meetings change tables, one is released again.
    moved = k.meeting("C1", "O2")
    response = k.coordination.post(f"{SD}/meetings/{moved['id']}/move", {"round": 3, "table": 1})
    assert response.status_code == 200
    assert (response.get_json()["round"], response.get_json()["table"], response.get_json()["pinned"]) == (3, 1, True)
    assert k.session()["rounds"] == 3
    first, second = k.meeting("C1", "O1"), k.meeting("C2", "O2")
    response = k.coordination.post(f"{SD}/meetings/{first['id']}/swap", {"other_id": second["id"]})
    assert response.status_code == 200
    assert (k.meeting("C1", "O1")["table"], k.meeting("C2", "O2")["table"]) == (second["table"], first["table"])
    response = k.coordination.post(f"{SD}/meetings/{second['id']}/pin", {"pinned": False})
    assert response.status_code == 200 and response.get_json()["pinned"] is False

    # Each participant finds their session and whom they meet when and where.
    response = k.people["C1"].get(f"{SD}/participations")
    assert response.status_code == 200
    assert [(p["participant_id"], p["session_id"]) for p in response.get_json()] == [(k.ids["C1"], k.session_id)]
    own = k.people["C1"].get(f"{SD}/participations/{k.ids['C1']}").get_json()
    assert [(m["name"], m["organisation"], m["round"]) for m in own["meetings"]] == [
        ("Koordination Alte Brauerei", "Alte Brauerei Annaberg-Buchholz", first["round"]),
        ("Tischlerei Muster", "Tischlerei Muster GmbH", 3),
    ]
    assert all(m["rating"] is None and m["starts_at"] for m in own["meetings"])
    assert own["meetings"][0]["starts_at"] < own["meetings"][1]["starts_at"]

    rate_everyone(k)
    own = k.people["C1"].get(f"{SD}/participations/{k.ids['C1']}").get_json()
    assert {m["name"]: m["rating"] for m in own["meetings"]} == {
        "Koordination Alte Brauerei": "definitely",
        "Tischlerei Muster": "rather_not",
    }
    ratings = k.coordination.get(f"{k.session_url}/ratings").get_json()
    assert len(ratings) == 5
    paper = next(r for r in ratings if r["rater_id"] == k.ids["O2"])
    assert paper["entered_by_id"] == k.coordination.person.id
    assert all(r["entered_by_id"] is None for r in ratings if r is not paper)

    # Suggestions: the mutual "definitely" first, each explained; C1 × O2 is vetoed by "rather not".
    response = k.coordination.post(f"{k.session_url}/suggestions", {"cohort_id": k.cohort_id, "method": "optimal"})
    assert response.status_code == 200
    suggestions = response.get_json()
    pairs = [(s["creative_id"], s["organisation_id"]) for s in suggestions]
    assert pairs == [(k.profiles["C1"], k.profiles["O1"]), (k.profiles["C2"], k.profiles["O2"])]
    assert all(s["explanation"] and s["reasons"] and s["status"] == "open" for s in suggestions)
    assert "Onboarding" in suggestions[0]["explanation"]
    assert k.coordination.get(f"{k.session_url}/suggestions").get_json() == suggestions

    response = k.coordination.post(
        f"{SD}/suggestions/{suggestions[0]['id']}/accept",
        {"cohort_id": k.cohort_id, "title": "Onboarding für Ehrenamtliche"},
    )
    assert response.status_code == 201
    match = response.get_json()
    assert (match["status"], match["budget"], match["remaining"]) == ("proposed", "2500.00", "2500.00")
    assert {m["role"] for m in match["members"]} == {"creative", "organisation"}
    rejected = k.coordination.post(f"{SD}/suggestions/{suggestions[1]['id']}/reject")
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"

    url = f"{BASE}/matches/{match['id']}"
    before = berlin_today()
    response = k.coordination.post(f"{url}/status", {"status": "active"})
    # the hub's day, read around the request: the suite may cross midnight in Berlin
    days = {before.isoformat(), berlin_today().isoformat()}
    assert response.status_code == 200
    assert response.get_json()["status"] == "active" and response.get_json()["started_on"] in days
    listed = k.coordination.get(f"{BASE}/matches", query_string={"status": "active"}).get_json()
    assert [m["id"] for m in listed] == [match["id"]]
    assert k.coordination.get(f"{BASE}/matches", query_string={"status": "completed"}).get_json() == []

    due = (TODAY + timedelta(days=60)).isoformat()
    response = k.coordination.post(f"{url}/milestones", {"title": "Onboarding-Leitfaden Entwurf", "due_on": due})
    assert response.status_code == 201
    milestone = response.get_json()
    response = k.people["C1"].patch(f"{BASE}/matches/milestones/{milestone['id']}", {"done_on": TODAY.isoformat()})
    assert response.status_code == 200 and response.get_json()["done_on"] == TODAY.isoformat()

    receipt = k.people["O1"].post(
        f"{url}/documents",
        json=None,
        data={"file": (io.BytesIO(b"Rechnung Workshop-Raum"), "rechnung.txt"), "is_receipt": "true"},
        content_type="multipart/form-data",
    )
    assert receipt.status_code == 201, receipt.get_json()
    assert receipt.get_json()["is_receipt"] is True and receipt.get_json()["content_type"] == "text/plain"

    booking = {"kind": "commitment", "amount": "1000.00", "booked_on": TODAY.isoformat(), "purpose": "Workshops"}
    response = k.coordination.post(f"{url}/ledger", booking)
    assert response.status_code == 201
    assert response.get_json()["balance"]["committed"] == "1000.00"
    payment = {
        "kind": "payment",
        "amount": "750.50",
        "booked_on": TODAY.isoformat(),
        "purpose": "Raummiete Workshop",
        "receipt_id": receipt.get_json()["id"],
    }
    response = k.coordination.post(f"{url}/ledger", payment)
    assert response.status_code == 201
    assert response.get_json()["entry"]["receipt_id"] == receipt.get_json()["id"]

    ledger = k.people["C1"].get(f"{url}/ledger").get_json()
    assert ledger["balance"] == {"budget": "2500.00", "committed": "1000.00", "paid": "750.50", "remaining": "1749.50"}
    assert [(e["kind"], e["amount"]) for e in ledger["entries"]] == [("commitment", "1000.00"), ("payment", "750.50")]
    detail = k.people["O1"].get(url).get_json()
    assert detail["paid"] == "750.50" and [m["title"] for m in detail["milestones"]] == ["Onboarding-Leitfaden Entwurf"]


# -- cohorts -------------------------------------------------------------------------------------------


def test_admins_keep_cohorts_and_everyone_signed_in_reads_them(client, make):
    admin = caller(client, make, make.admin())
    response = admin.post("/api/v1/cohorts/", COHORT)
    assert response.status_code == 201
    cohort = response.get_json()
    assert cohort["funding_per_match"] == "2500.00"
    changed = admin.patch(f"/api/v1/cohorts/{cohort['id']}", {"funding_per_match": "3000.00"})
    assert changed.status_code == 200 and changed.get_json()["funding_per_match"] == "3000.00"

    participant = caller(client, make, make.participant(REGION))
    assert [c["name"] for c in participant.get("/api/v1/cohorts/").get_json()] == ["CIMIS II 2024/25"]
    assert participant.get(f"/api/v1/cohorts/{cohort['id']}").status_code == 200
    assert participant.get("/api/v1/cohorts/999999").status_code == 404
    coordinator = caller(client, make, make.coordinator(REGION))
    assert coordinator.post("/api/v1/cohorts/", {**COHORT, "name": "Anderer Durchgang"}).status_code == 403
    assert coordinator.put(f"/api/v1/cohorts/{cohort['id']}", COHORT).status_code == 403
    assert client.get("/api/v1/cohorts/").status_code == 401


def test_a_cohort_refuses_negative_funding_a_reversed_period_and_a_taken_name(client, make):
    admin = caller(client, make, make.admin())
    assert admin.post("/api/v1/cohorts/", COHORT).status_code == 201
    negative = {**COHORT, "name": "Neu", "funding_per_match": "-1.00"}
    refused(admin.post("/api/v1/cohorts/", negative), "funding_per_match")
    reversed_period = {**COHORT, "name": "Neu", "ends_on": (TODAY - timedelta(days=60)).isoformat()}
    refused(admin.post("/api/v1/cohorts/", reversed_period), "ends_on")
    refused(admin.post("/api/v1/cohorts/", COHORT), "name")
    assert len(admin.get("/api/v1/cohorts/").get_json()) == 1


# -- sessions and the schedule: bad input ------------------------------------------------------------------


def test_a_session_needs_an_event_of_the_region(client, make):
    coordination = caller(client, make, make.coordinator(REGION))
    foreign_event = make.event("meissen", title="Auftakt Meißen")
    new = {"event_id": foreign_event.id, "title": "Speed-Dating", "tables": 3}
    refused(coordination.post(f"{SD}/sessions", new), "event_id")
    refused(coordination.post(f"{SD}/sessions", {**new, "event_id": 999999}), "event_id")
    assert coordination.get(f"{SD}/sessions").get_json() == []


def test_session_times_are_berlin_wall_clock_and_the_deadline_follows_the_start(client, make):
    coordination = caller(client, make, make.coordinator(REGION))
    event = make.event(REGION)
    new = {"event_id": event.id, "title": "Speed-Dating", "tables": 3, "starts_at": "2025-03-20T18:00"}
    response = coordination.post(f"{SD}/sessions", new)
    assert response.status_code == 201
    session = response.get_json()
    assert session["starts_at"].startswith("2025-03-20T17:00")  # CET is UTC+1
    early = {"title": "Speed-Dating", "tables": 3, "rating_deadline": "2025-03-19T12:00"}
    refused(coordination.patch(f"{SD}/sessions/{session['id']}", early), "rating_deadline")
    assert coordination.get(f"{SD}/sessions/{session['id']}").get_json()["rating_deadline"] is None


def test_unknown_profile_id_is_refused_by_name(app, client, make):
    k = kickoff(client, make, schedule=False)
    before = len(k.session()["participants"])
    refused(k.coordination.post(f"{k.session_url}/participants", {"profile_id": 999999}), "profile_id")
    foreign = make.profile("meissen", name="Profil in Meißen")
    refused(k.coordination.post(f"{k.session_url}/participants", {"profile_id": foreign.id}), "profile_id")
    refused(k.coordination.post(f"{k.session_url}/participants", {"profile_id": k.profiles["C1"]}), "profile_id")
    assert len(k.session()["participants"]) == before


def test_participants_can_be_added_by_profile_and_removed_again(client, make):
    k = kickoff(client, make, schedule=False)
    walk_in = make.profile(REGION, name="Atelier Muster", kind="creative")
    response = k.coordination.post(f"{k.session_url}/participants", {"profile_id": walk_in.id})
    assert response.status_code == 201 and response.get_json()["side"] == "creative"
    added = response.get_json()["id"]
    response = k.coordination.post(f"{k.session_url}/participants/remove", {"participant_id": added})
    assert response.status_code == 200
    assert added not in {p["id"] for p in response.get_json()["participants"]}
    refused(k.coordination.post(f"{k.session_url}/participants/remove", {"participant_id": added}), "participant_id")


def test_generating_with_an_empty_side_is_refused(app, client, make):
    coordination = caller(client, make, make.coordinator(REGION))
    event = make.event(REGION)
    session = coordination.post(f"{SD}/sessions", {"event_id": event.id, "title": "Nur Kreative", "tables": 2})
    url = f"{SD}/sessions/{session.get_json()['id']}"
    for n in range(2):
        profile = make.profile(REGION, name=f"Kreativ {n}", kind="creative")
        assert coordination.post(f"{url}/participants", {"profile_id": profile.id}).status_code == 201
    refused(coordination.post(f"{url}/schedule"), "participants")
    after = coordination.get(url).get_json()
    assert (after["rounds"], after["meetings"], after["generated_at"]) == (0, [], None)


def test_a_pair_cannot_be_wished_and_avoided(app, client, make):
    k = kickoff(client, make)
    wish = {"creative_id": k.ids["C2"], "organisation_id": k.ids["O1"], "kind": "wish"}
    refused(k.coordination.post(f"{k.session_url}/pairs", wish), "kind")
    assert [p["kind"] for p in k.session()["pairs"]] == ["avoid"]
    not_a_creative = {"creative_id": k.ids["O2"], "organisation_id": k.ids["O1"], "kind": "wish"}
    refused(k.coordination.post(f"{k.session_url}/pairs", not_a_creative), "creative_id")
    refused(k.coordination.post(f"{k.session_url}/pairs/remove", {"pair_id": 999999}), "pair_id")
    assert count(app, PairPreference) == 1


def test_hand_changes_that_break_the_schedule_are_refused(app, client, make):
    k = kickoff(client, make)
    before = k.session()["meetings"]
    # C1 × O2 has a round of its own; C1 × O1 and C2 × O2 fill both tables of the other round.
    lone, busy = k.meeting("C1", "O2"), k.meeting("C2", "O2")
    move = f"{SD}/meetings/{lone['id']}/move"
    refused(k.coordination.post(move, {"round": busy["round"], "table": 1}), "table")
    refused(k.coordination.post(move, {"round": 1, "table": 3}), "table")
    refused(k.coordination.post(move, {"round": 0, "table": 1}), "round")
    refused(k.coordination.post(move, {"round": 4, "table": 1}), "round")
    swap = f"{SD}/meetings/{lone['id']}/swap"
    refused(k.coordination.post(swap, {"other_id": busy["id"]}), "round")  # C1 would meet two people at once
    refused(k.coordination.post(swap, {"other_id": lone["id"]}), "other_id")
    refused(k.coordination.post(swap, {"other_id": 999999}), "other_id")
    second = k.coordination.post(
        f"{SD}/sessions", {"event_id": k.event_id, "title": "Zweite Runde", "tables": 1}
    ).get_json()["id"]
    for key in ("C1", "O1"):
        k.coordination.post(f"{SD}/sessions/{second}/participants", {"profile_id": k.profiles[key]})
    other_session = k.coordination.post(f"{SD}/sessions/{second}/schedule").get_json()
    refused(k.coordination.post(swap, {"other_id": other_session["meetings"][0]["id"]}), "other_id")
    assert k.session()["meetings"] == before


# -- ratings: bad input -------------------------------------------------------------------------------------


def test_rating_someone_not_met_is_refused(app, client, make):
    k = kickoff(client, make)
    # Grafikbüro never met Alte Brauerei: the pair was avoided.
    response = k.people["C2"].post(
        f"{SD}/participations/{k.ids['C2']}/ratings", {"ratee_id": k.ids["O1"], "interest": "definitely"}
    )
    refused(response, "ratee_id")
    response = k.people["C2"].post(
        f"{SD}/participations/{k.ids['C2']}/ratings", {"ratee_id": k.ids["C2"], "interest": "gladly"}
    )
    refused(response, "ratee_id")
    assert count(app, Rating) == 0


def test_rating_after_the_deadline_is_refused(app, client, make):
    k = kickoff(client, make)
    settings = {
        "title": "Speed-Dating am Auftakt",
        "tables": 2,
        "starts_at": "2024-09-20T17:00",
        "rating_deadline": "2024-09-27T23:59",
    }
    response = k.coordination.patch(k.session_url, settings)
    assert response.status_code == 200 and response.get_json()["rating_deadline"].startswith("2024-09-27T21:59")
    response = k.people["C1"].post(
        f"{SD}/participations/{k.ids['C1']}/ratings", {"ratee_id": k.ids["O1"], "interest": "definitely"}
    )
    refused(response, "interest")
    paper = {"rater_id": k.ids["O1"], "ratee_id": k.ids["C1"], "interest": "gladly"}
    refused(k.coordination.post(f"{k.session_url}/ratings", paper), "interest")
    assert count(app, Rating) == 0
    assert k.people["C1"].get(f"{SD}/participations").get_json()[0]["rating_open"] is False


def test_a_paper_form_names_a_rater_of_the_session(app, client, make):
    k = kickoff(client, make)
    paper = {"ratee_id": k.ids["C1"], "interest": "gladly"}
    refused(k.coordination.post(f"{k.session_url}/ratings", paper), "rater_id")
    paper["rater_id"] = 999999
    refused(k.coordination.post(f"{k.session_url}/ratings", paper), "rater_id")
    refused(k.coordination.post(f"{k.session_url}/ratings", {**paper, "interest": "maybe"}), "interest")
    assert count(app, Rating) == 0


def test_once_rated_the_schedule_stays(app, client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    before = k.session()
    refused(k.coordination.post(f"{k.session_url}/schedule"), "_form")
    lone = k.meeting("C1", "O2")
    refused(k.coordination.post(f"{SD}/meetings/{lone['id']}/move", {"round": 3, "table": 1}), "_form")
    assert k.session() == before


def test_a_participant_reaches_only_their_own_participation(client, make):
    k = kickoff(client, make)
    other = f"{SD}/participations/{k.ids['O1']}"
    assert k.people["C1"].get(other).status_code == 404
    response = k.people["C1"].post(f"{other}/ratings", {"ratee_id": k.ids["C1"], "interest": "gladly"})
    assert response.status_code == 404
    assert k.coordination.get(other).status_code == 200  # the coordination reaches every one
    response = k.coordination.post(f"{other}/ratings", {"ratee_id": k.ids["C1"], "interest": "gladly"})
    assert response.status_code == 200 and response.get_json()["entered_by_id"] == k.coordination.person.id
    assert k.people["O1"].get(other).get_json()["meetings"][0]["rating"] == "gladly"
    # The coordination tools stay closed to participants.
    assert k.people["C1"].get(k.session_url).status_code == 403
    assert k.people["C1"].get(f"{k.session_url}/ratings").status_code == 403
    assert k.people["C1"].post(f"{k.session_url}/schedule").status_code == 403


# -- suggestions and matches ----------------------------------------------------------------------------


def test_suggestions_need_an_existing_cohort_and_are_decided_once(app, client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    refused(k.coordination.post(f"{k.session_url}/suggestions", {"cohort_id": 999999}), "cohort_id")
    assert count(app, MatchSuggestion) == 0
    suggestions = k.coordination.post(f"{k.session_url}/suggestions", {"cohort_id": k.cohort_id}).get_json()
    first = suggestions[0]["id"]
    refused(k.coordination.post(f"{SD}/suggestions/{first}/accept", {"cohort_id": 999999}), "cohort_id")
    assert k.coordination.post(f"{SD}/suggestions/{first}/accept", {"cohort_id": k.cohort_id}).status_code == 201
    refused(k.coordination.post(f"{SD}/suggestions/{first}/accept", {"cohort_id": k.cohort_id}), "suggestion_id")
    refused(k.coordination.post(f"{SD}/suggestions/{first}/reject"), "suggestion_id")
    assert count(app, Match) == 1


def test_a_match_made_by_hand_names_unknown_profiles(app, client, make):
    k = kickoff(client, make, schedule=False)
    new = {
        "cohort_id": k.cohort_id,
        "title": "Webauftritt Tischlerei",
        "creative_ids": [k.profiles["C2"]],
        "organisation_ids": [k.profiles["O2"]],
    }
    refused(k.coordination.post(f"{BASE}/matches", {**new, "creative_ids": [999999]}), "creative_ids")
    refused(k.coordination.post(f"{BASE}/matches", {**new, "organisation_ids": [999999]}), "organisation_ids")
    refused(k.coordination.post(f"{BASE}/matches", {**new, "cohort_id": 999999}), "cohort_id")
    twice = {**new, "organisation_ids": [k.profiles["O2"]], "other_ids": [k.profiles["O2"]]}
    refused(k.coordination.post(f"{BASE}/matches", twice), "members")
    assert count(app, Match) == 0
    response = k.coordination.post(f"{BASE}/matches", new)
    assert response.status_code == 201
    match = response.get_json()
    assert match["status"] == "proposed" and match["budget"] == "2500.00" and match["milestones"] == []
    url = f"{BASE}/matches/{match['id']}"
    refused(k.coordination.post(f"{url}/members", {"profile_id": 999999}), "profile_id")
    refused(k.coordination.post(f"{url}/members", {"profile_id": k.profiles["C2"]}), "profile_id")
    response = k.coordination.post(f"{url}/members", {"profile_id": k.profiles["C1"], "role": "other"})
    assert response.status_code == 201
    added = response.get_json()["id"]
    creative = next(m["id"] for m in match["members"] if m["role"] == "creative")
    refused(k.coordination.post(f"{BASE}/matches/members/{creative}/remove"), "members")
    response = k.coordination.post(f"{BASE}/matches/members/{added}/remove")
    assert response.status_code == 200 and len(response.get_json()["members"]) == 2
    refused(k.coordination.post(f"{url}/status", {"status": "completed"}), "status")


def test_a_milestone_outside_the_cohort_is_refused(app, client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    url = f"{BASE}/matches/{active_match(k)}"
    late = (TODAY + timedelta(days=400)).isoformat()
    refused(k.coordination.post(f"{url}/milestones", {"title": "Abschluss", "due_on": late}), "due_on")
    assert k.coordination.get(f"{url}/milestones").get_json() == []
    due = (TODAY + timedelta(days=30)).isoformat()
    milestone = k.coordination.post(f"{url}/milestones", {"title": "Zwischenstand", "due_on": due}).get_json()
    refused(k.people["O1"].patch(f"{BASE}/matches/milestones/{milestone['id']}", {"due_on": late}), "due_on")
    assert k.coordination.get(f"{url}/milestones").get_json()[0]["due_on"] == due


def test_a_payment_beyond_the_remaining_budget_is_refused(app, client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    url = f"{BASE}/matches/{active_match(k)}"
    paid = {"kind": "payment", "amount": "2000.00", "booked_on": TODAY.isoformat(), "purpose": "Prototyp"}
    assert k.coordination.post(f"{url}/ledger", paid).status_code == 201
    before = k.coordination.get(f"{url}/ledger").get_json()
    message = refused(k.coordination.post(f"{url}/ledger", {**paid, "amount": "500.01"}), "amount")
    assert "500,00" in message and "€" in message
    assert k.coordination.get(f"{url}/ledger").get_json() == before
    assert count(app, LedgerEntry) == 1


def test_negative_and_three_decimal_amounts_are_refused(app, client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    url = f"{BASE}/matches/{active_match(k)}"
    booking = {"kind": "payment", "booked_on": TODAY.isoformat(), "purpose": "Material"}
    refused(k.coordination.post(f"{url}/ledger", {**booking, "amount": "10.005"}), "amount")
    refused(k.coordination.post(f"{url}/ledger", {**booking, "amount": "-10.00"}), "amount")  # nothing to correct
    refused(k.coordination.post(f"{url}/ledger", {**booking, "amount": "0"}), "amount")
    refused(k.coordination.post(f"{url}/ledger", {**booking, "amount": 10.5}), "amount")  # a float is not exact
    refused(k.coordination.post(f"{url}/ledger", {**booking, "amount": "10", "receipt_id": 999999}), "receipt_id")
    assert count(app, LedgerEntry) == 0
    balance = k.coordination.get(f"{url}/ledger").get_json()["balance"]
    assert balance == {"budget": "2500.00", "committed": "0.00", "paid": "0.00", "remaining": "2500.00"}


def test_a_receipt_must_belong_to_the_match(app, client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    first = active_match(k)
    second = k.coordination.post(
        f"{BASE}/matches",
        {
            "cohort_id": k.cohort_id,
            "title": "Zweites Team",
            "creative_ids": [k.profiles["C2"]],
            "organisation_ids": [k.profiles["O2"]],
        },
    ).get_json()["id"]
    upload = {"file": (io.BytesIO(b"%PDF-1.4 Beleg"), "beleg.pdf"), "is_receipt": "1"}
    document = k.coordination.post(
        f"{BASE}/matches/{second}/documents", json=None, data=upload, content_type="multipart/form-data"
    ).get_json()
    assert document["content_type"] == "application/pdf"
    payment = {"kind": "payment", "amount": "10.00", "booked_on": TODAY.isoformat(), "purpose": "Material"}
    payment["receipt_id"] = document["id"]
    refused(k.coordination.post(f"{BASE}/matches/{first}/ledger", payment), "receipt_id")
    assert count(app, LedgerEntry) == 0


def test_uploads_are_checked_by_content(client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    url = f"{BASE}/matches/{active_match(k)}/documents"
    binary = {"file": (io.BytesIO(b"MZ\x00\x01 not a document"), "rechnung.pdf")}
    refused(k.people["C1"].post(url, json=None, data=binary, content_type="multipart/form-data"), "file")
    response = k.people["C1"].post(url, json=None, data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["errors"]["files"]
    assert k.people["C1"].get(url).get_json() == []


def test_members_work_on_their_match_and_the_coordination_keeps_the_money(client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    url = f"{BASE}/matches/{active_match(k)}"
    member = k.people["C1"]
    response = member.patch(url, {"outcome": "Leitfaden fertig", "case_study": "So ging es."})
    assert response.status_code == 200 and response.get_json()["outcome"] == "Leitfaden fertig"
    assert member.patch(url, {"title": "Neuer Titel"}).status_code == 403
    assert member.get(url).get_json()["title"] != "Neuer Titel"
    response = member.post(f"{url}/journal", {"body": "Erster Workshop mit dem Vorstand."})
    assert response.status_code == 201
    assert [e["body"] for e in k.people["O1"].get(f"{url}/journal").get_json()] == ["Erster Workshop mit dem Vorstand."]
    response = member.post(f"{url}/case-study/publish", {"publish": True})
    assert response.status_code == 200 and response.get_json()["case_study_published"] is True

    payment = {"kind": "payment", "amount": "10.00", "booked_on": TODAY.isoformat(), "purpose": "Material"}
    assert member.post(f"{url}/ledger", payment).status_code == 403
    assert member.post(f"{url}/status", {"status": "completed"}).status_code == 403
    assert member.post(f"{url}/milestones", {"title": "Mehr", "due_on": TODAY.isoformat()}).status_code == 403
    assert member.post(f"{url}/check-ins", {"held_on": TODAY.isoformat(), "status": "on_track"}).status_code == 403
    assert member.get(f"{BASE}/matches").status_code == 403
    assert member.get(f"{url}/ledger").get_json()["balance"]["paid"] == "0.00"

    response = k.coordination.post(f"{url}/check-ins", {"held_on": TODAY.isoformat(), "status": "attention"})
    assert response.status_code == 201
    assert k.coordination.get(url).get_json()["check_ins"][0]["status"] == "attention"


def test_a_participant_cannot_see_a_match_they_are_not_in(client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    url = f"{BASE}/matches/{active_match(k)}"
    outsider = k.people["C2"]
    for path in ("", "/milestones", "/journal", "/documents", "/ledger"):
        assert outsider.get(f"{url}{path}").status_code == 404, path
    assert outsider.patch(url, {"outcome": "Übernommen"}).status_code == 404
    assert outsider.post(f"{url}/journal", {"body": "Hallo"}).status_code == 404
    assert outsider.post(f"{url}/case-study/publish", {"publish": False}).status_code == 404
    milestone = k.coordination.post(f"{url}/milestones", {"title": "Plan", "due_on": TODAY.isoformat()}).get_json()
    done = {"done_on": TODAY.isoformat()}
    assert outsider.patch(f"{BASE}/matches/milestones/{milestone['id']}", done).status_code == 404
    assert k.coordination.get(url).get_json()["outcome"] == ""


def test_another_regions_coordinator_gets_404_for_this_regions_objects(client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    match_id = active_match(k)
    other = caller(client, make, make.coordinator("meissen"))
    other_base = "/api/v1/regions/meissen"
    assert other.get(f"{other_base}/speed-dating/sessions/{k.session_id}").status_code == 404
    assert other.get(f"{other_base}/matches/{match_id}").status_code == 404
    assert other.get(f"{other_base}/matches/{match_id}/ledger").status_code == 404
    assert other.get(k.session_url).status_code == 403


# -- the umbrella and the OpenAPI document -------------------------------------------------------------------


def _snapshot(app) -> dict:
    with app.app_context(), all_regions():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (SpeedDatingSession, SessionParticipant, PairPreference, Meeting, Rating, Match, LedgerEntry)
        }


def test_the_umbrella_reads_everything_and_changes_nothing(app, client, make):
    k = kickoff(client, make)
    rate_everyone(k)
    match_id = active_match(k)
    umbrella = caller(client, make, make.umbrella())
    ids = {
        "region": REGION,
        "session_id": k.session_id,
        "meeting_id": k.meeting("C1", "O1")["id"],
        "participant_id": k.ids["C1"],
        "match_id": match_id,
        "member_id": k.coordination.get(f"{BASE}/matches/{match_id}").get_json()["members"][0]["id"],
        "milestone_id": k.coordination.post(
            f"{BASE}/matches/{match_id}/milestones", {"title": "Plan", "due_on": TODAY.isoformat()}
        ).get_json()["id"],
        "suggestion_id": k.coordination.get(f"{k.session_url}/suggestions").get_json()[0]["id"],
        "cohort_id": k.cohort_id,
    }
    before = _snapshot(app)
    changing = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("api_cohorts.", "api_speeddating.", "api_matches.", "api_match_suggestions.")):
            continue
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(ids[m.group(1)]), rule.rule)
        for method in rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            response = client.open(url, method=method, json={}, headers=umbrella.headers)
            assert response.status_code == 403, f"{method} {url}: {response.status_code}"
            changing += 1
        if "GET" in rule.methods:
            assert client.get(url, headers=umbrella.headers).status_code == 200, url
    assert changing >= 25
    assert _snapshot(app) == before


NEW_PATHS = {
    "/api/v1/cohorts/": {"get", "post"},
    "/api/v1/cohorts/{cohort_id}": {"get", "put"},
    "/speed-dating/sessions": {"get", "post"},
    "/speed-dating/sessions/{session_id}": {"get", "put"},
    "/speed-dating/sessions/{session_id}/participants": {"post"},
    "/speed-dating/sessions/{session_id}/participants/from-registrations": {"post"},
    "/speed-dating/sessions/{session_id}/participants/remove": {"post"},
    "/speed-dating/sessions/{session_id}/pairs": {"post"},
    "/speed-dating/sessions/{session_id}/pairs/remove": {"post"},
    "/speed-dating/sessions/{session_id}/schedule": {"post"},
    "/speed-dating/meetings/{meeting_id}/move": {"post"},
    "/speed-dating/meetings/{meeting_id}/swap": {"post"},
    "/speed-dating/meetings/{meeting_id}/pin": {"post"},
    "/speed-dating/sessions/{session_id}/ratings": {"get", "post"},
    "/speed-dating/participations": {"get"},
    "/speed-dating/participations/{participant_id}": {"get"},
    "/speed-dating/participations/{participant_id}/ratings": {"post"},
    "/speed-dating/sessions/{session_id}/suggestions": {"get", "post"},
    "/speed-dating/suggestions/{suggestion_id}/accept": {"post"},
    "/speed-dating/suggestions/{suggestion_id}/reject": {"post"},
    "/matches": {"get", "post"},
    "/matches/{match_id}": {"get", "patch"},
    "/matches/{match_id}/status": {"post"},
    "/matches/{match_id}/members": {"post"},
    "/matches/members/{member_id}/remove": {"post"},
    "/matches/{match_id}/milestones": {"get", "post"},
    "/matches/milestones/{milestone_id}": {"patch"},
    "/matches/{match_id}/check-ins": {"post"},
    "/matches/{match_id}/journal": {"get", "post"},
    "/matches/{match_id}/documents": {"get", "post"},
    "/matches/{match_id}/ledger": {"get", "post"},
    "/matches/{match_id}/case-study/publish": {"post"},
}


@pytest.mark.parametrize("path,methods", sorted(NEW_PATHS.items()))
def test_every_new_endpoint_is_documented_with_bearer_auth(client, path, methods):
    document = client.get("/api/v1/openapi.json").get_json()
    full = path if path.startswith("/api/") else f"/api/v1/regions/{{region}}{path}"
    assert full in document["paths"], full
    item = document["paths"][full]
    assert methods <= set(item)
    for method in methods:
        operation = item[method]
        assert operation.get("summary"), f"{method} {full} has no summary"
        assert {"bearerAuth": []} in operation["security"]
        assert any(code.startswith("2") for code in operation["responses"])


# -- speed-dating evenings that do not go to plan (issue 11): ratings after the meeting, re-planning, fewer tables


def _rounds_of_an_hour_under_way(k: Kickoff) -> None:
    """The session's rounds last an hour with half an hour's break: the first ended half an hour ago."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    start = (datetime.now(ZoneInfo("Europe/Berlin")) - timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M")
    settings = {"title": "Speed-Dating am Auftakt", "tables": 2, "round_minutes": 60, "break_minutes": 30}
    assert k.coordination.patch(k.session_url, {**settings, "starts_at": start}).status_code == 200


def test_a_meeting_is_rated_through_the_api_only_once_it_has_taken_place(app, client, make):
    k = kickoff(client, make)
    _rounds_of_an_hour_under_way(k)
    own = k.people["C1"].get(f"{SD}/participations/{k.ids['C1']}").get_json()
    held, coming = sorted(own["meetings"], key=lambda m: m["round"])
    assert (held["rating_open"], coming["rating_open"]) == (True, False)
    assert held["rating_opens_at"] < coming["rating_opens_at"]

    rate = f"{SD}/participations/{k.ids['C1']}/ratings"
    message = refused(k.people["C1"].post(rate, {"ratee_id": coming["other_id"], "interest": "gladly"}), "ratee_id")
    assert coming["name"] in message
    paper = {"rater_id": k.ids["C1"], "ratee_id": coming["other_id"], "interest": "gladly"}
    refused(k.coordination.post(f"{k.session_url}/ratings", paper), "ratee_id")
    assert count(app, Rating) == 0
    response = k.people["C1"].post(rate, {"ratee_id": held["other_id"], "interest": "gladly"})
    assert response.status_code == 200
    assert count(app, Rating) == 1


def test_the_rest_of_the_evening_is_replanned_through_the_api_and_the_held_round_stays(app, client, make):
    k = kickoff(client, make)  # C1 × O1, C1 × O2, C2 × O2 in two rounds at two tables; the kickoff is under way
    meetings = k.session()["meetings"]
    first = [m for m in meetings if m["round"] == 1]
    rated = first[0]
    rater = next(key for key, pid in k.ids.items() if pid == rated["creative_id"])
    ratee = next(key for key, pid in k.ids.items() if pid == rated["organisation_id"])
    response = k.people[rater].post(
        f"{SD}/participations/{k.ids[rater]}/ratings", {"ratee_id": k.ids[ratee], "interest": "definitely"}
    )
    assert response.status_code == 200
    walk_in = make.profile(REGION, name="Museum Muster", kind="organisation")
    response = k.coordination.post(f"{k.session_url}/participants", {"profile_id": walk_in.id})
    newcomer = response.get_json()["id"]

    url = f"{k.session_url}/replan"
    refused(k.coordination.post(url, {"from_round": 1}), "from_round")  # its meetings have been rated
    refused(k.coordination.post(url, {"from_round": 4}), "from_round")
    refused(k.coordination.post(url, {"from_round": 2, "absent": [999999]}), "absent")
    refused(k.coordination.post(url, {"from_round": 2, "tables_out_of_use": [1, 2]}), "tables_out_of_use")
    refused(k.coordination.post(url, {"from_round": 2, "tables_out_of_use": [3]}), "tables_out_of_use")
    refused(k.coordination.post(url, {}), "from_round")
    assert k.session()["meetings"] == meetings

    response = k.coordination.post(url, {"from_round": 2, "absent": [k.ids["C2"]]})
    assert response.status_code == 200, response.get_json()
    schedule = response.get_json()
    assert [m for m in schedule["meetings"] if m["round"] == 1] == first
    later = [(m["creative_id"], m["organisation_id"]) for m in schedule["meetings"] if m["round"] >= 2]
    met_first = {(m["creative_id"], m["organisation_id"]) for m in first}
    wanted = {(k.ids["C1"], o) for o in (k.ids["O1"], k.ids["O2"], newcomer)} - met_first
    assert sorted(later) == sorted(wanted)
    assert schedule["rounds"] == schedule["lower_bound"] == 1 + len(wanted)
    assert count(app, Rating) == 1


def test_fewer_tables_than_a_meeting_fixed_at_the_last_one_needs_are_refused_with_the_field_named(app, client, make):
    k = kickoff(client, make)
    lone = k.meeting("C1", "O2")
    assert k.coordination.post(f"{SD}/meetings/{lone['id']}/move", {"round": 3, "table": 2}).status_code == 200
    before = k.session()
    message = refused(k.coordination.patch(k.session_url, {"title": "Speed-Dating am Auftakt", "tables": 1}), "tables")
    assert "Prozessberatung Muster" in message and "Tischlerei Muster" in message
    assert k.session() == before


def test_the_replanning_endpoint_is_documented_with_bearer_auth(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/regions/{region}/speed-dating/sessions/{session_id}/replan"]["post"]
    assert operation["summary"] and {"bearerAuth": []} in operation["security"]
