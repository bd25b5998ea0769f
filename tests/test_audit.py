"""The audit log: every change to profiles, events, registrations, matches, ledger entries and memberships is
recorded append-only (who, when, what changed, region); the umbrella and admins browse it across regions,
a coordination its own region.

Visible texts are compared through ``shown()`` / ``said()``, which translate the English msgid with the
app's catalogue, so the tests hold before and after the German catalogue has the new strings.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from hub.accounts import services as accounts
from hub.accounts.models import User
from hub.audit import Audited, AuditEntry, AuditLogError, acting_as, purge
from hub.audit.models import audit_purge_permit
from hub.audit.vocab import SUBJECT_TYPES
from hub.core.db import berlin_today, db
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from tests.factories import PASSWORD
from tests.pages import CONFIRMED, bearer, field_error, page, said, shown

HOME, OTHER = "erzgebirge", "meissen"


# Helpers ---------------------------------------------------------------------------------------


def logged(app, **filters) -> list[AuditEntry]:
    """The entries of the log (oldest first), as stored; filters by column, e.g. subject_type="profile"."""
    with app.app_context(), all_regions():
        rows = db.session.scalars(select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return list(rows)


def last(app, **filters) -> AuditEntry:
    found = logged(app, **filters)
    assert found, f"no entry for {filters}"
    return found[-1]


def browser(app, person):
    """A separate, logged-in browser for a person."""
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


def profile_form(**fields) -> dict:
    data = {
        "kind": "creative",
        "display_name": "Atelier Holzwurm",
        "pitch": "Wir bauen Möbel aus Erzgebirgsholz.",
        "town": "Annaberg-Buchholz",
        "visibility": "private",
        "contact_visibility": "on_request",
    }
    return {**data, **fields}


def api_entries(client, url: str, headers=None, **query) -> list[dict]:
    response = client.get(url, query_string=query, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["entries"]


@pytest.fixture
def coordinator(make):
    return make.coordinator(HOME, name="Koordination Erzgebirge")


@pytest.fixture
def creative(make):
    return make.participant(HOME, name="Frieda Holzwurm")


# Profiles --------------------------------------------------------------------------------------


def test_creating_a_profile_on_its_page_is_logged_with_the_participant_region_and_new_values(app, regions, creative):
    assert browser(app, creative).post("/erzgebirge/profile", data=profile_form()).status_code == 302

    entry = last(app, subject_type="profile")
    assert (entry.action, entry.actor_id, entry.region_id, entry.via) == (
        "create",
        creative.id,
        regions[HOME].id,
        "web",
    )
    assert entry.subject_label == "Atelier Holzwurm"
    assert entry.changes["display_name"] == [None, "Atelier Holzwurm"]
    assert entry.changes["town"] == [None, "Annaberg-Buchholz"]
    assert entry.changes["visibility"] == [None, "private"]
    assert "updated_at" not in entry.changes and "id" not in entry.changes


def test_changing_a_profile_logs_only_the_changed_fields_with_old_and_new_values(app, creative):
    client = browser(app, creative)
    client.post("/erzgebirge/profile", data=profile_form())
    client.post("/erzgebirge/profile", data=profile_form(pitch="Möbel und Spielzeug aus Holz.", town="Schneeberg"))

    entry = last(app, subject_type="profile")
    assert entry.action == "update"
    assert entry.actor_id == creative.id
    assert entry.changes == {
        "pitch": ["Wir bauen Möbel aus Erzgebirgsholz.", "Möbel und Spielzeug aus Holz."],
        "town": ["Annaberg-Buchholz", "Schneeberg"],
    }


def test_saving_a_profile_unchanged_writes_nothing(app, creative):
    client = browser(app, creative)
    client.post("/erzgebirge/profile", data=profile_form())
    before = len(logged(app))

    assert client.post("/erzgebirge/profile", data=profile_form()).status_code == 302

    assert len(logged(app)) == before


def test_archiving_a_profile_is_logged_under_the_coordinator(app, make, coordinator):
    profile = make.profile(HOME, name="Alte Brauerei")

    browser(app, coordinator).post(f"/erzgebirge/profiles/{profile.id}/archive", data=CONFIRMED)

    entry = last(app, subject_type="profile", subject_id=profile.id)
    assert (entry.action, entry.actor_id, entry.subject_label) == ("update", coordinator.id, "Alte Brauerei")
    assert list(entry.changes) == ["archived_at"]
    old, new = entry.changes["archived_at"]
    assert old is None and datetime.fromisoformat(new).tzinfo is not None


# Events and registrations ----------------------------------------------------------------------


def test_cancelling_an_event_logs_its_status_change_but_not_its_calendar_counters(app, make, coordinator):
    event = make.event(HOME, title="Auftakt Schneeberg")

    browser(app, coordinator).post(f"/erzgebirge/events/{event.id}/cancel", data=CONFIRMED)

    entry = last(app, subject_type="event", subject_id=event.id)
    assert (entry.action, entry.actor_id, entry.subject_label) == ("update", coordinator.id, "Auftakt Schneeberg")
    assert entry.changes == {"status": ["published", "cancelled"]}


def test_the_log_shows_coded_values_by_their_words(app, make, coordinator):
    event = make.event(HOME, title="Auftakt Annaberg")
    browser(app, coordinator).post(f"/erzgebirge/events/{event.id}/cancel", data=CONFIRMED)

    html = page(browser(app, coordinator).get("/erzgebirge/audit"))

    assert "<strong>Status:</strong> Veröffentlicht → Abgesagt</li>" in html


def test_registering_on_the_calendar_page_is_logged_under_the_participant(app, regions, make, creative):
    event = make.event(HOME, title="Peer-Learning Annaberg")

    assert browser(app, creative).post(f"/calendar/events/{event.id}/register").status_code == 302

    entry = last(app, subject_type="registration")
    assert (entry.action, entry.actor_id, entry.region_id) == ("create", creative.id, regions[HOME].id)
    assert entry.subject_label == "Frieda Holzwurm · Peer-Learning Annaberg"
    assert entry.changes["status"] == [None, "registered"]
    assert entry.changes["event_id"] == [None, event.id]


def test_cancelling_a_registration_and_the_waitlist_promotion_are_both_logged(app, make, creative):
    event = make.event(HOME, title="Werkstattabend", capacity=1)
    waiting = make.participant(HOME, name="Wanda Warteliste")
    first = make.registration(event, creative)
    second = make.registration(event, waiting)
    assert second.extra == "waitlisted"

    browser(app, creative).post(f"/calendar/events/{event.id}/cancel", data=CONFIRMED)

    cancelled = last(app, subject_type="registration", subject_id=first.id)
    assert (cancelled.action, cancelled.actor_id) == ("update", creative.id)
    assert cancelled.changes["status"] == ["registered", "cancelled"]
    assert cancelled.changes["cancelled_at"][0] is None and cancelled.changes["cancelled_at"][1]
    promoted = last(app, subject_type="registration", subject_id=second.id)
    assert (promoted.action, promoted.actor_id) == ("update", creative.id)  # who set it off
    assert promoted.changes == {"status": ["waitlisted", "registered"]}


def test_registering_again_after_cancelling_is_logged(app, make, creative):
    event = make.event(HOME, title="Werkstattabend")
    client = browser(app, creative)
    client.post(f"/calendar/events/{event.id}/register")
    client.post(f"/calendar/events/{event.id}/cancel", data=CONFIRMED)

    client.post(f"/calendar/events/{event.id}/register")

    entry = last(app, subject_type="registration")
    assert (entry.action, entry.actor_id) == ("update", creative.id)
    assert entry.changes["status"] == ["cancelled", "registered"]
    assert entry.changes["cancelled_at"][1] is None


def test_a_check_in_by_the_coordination_is_logged(app, make, coordinator, creative):
    event = make.event(HOME)
    registration = make.registration(event, creative)

    browser(app, coordinator).post(
        f"/erzgebirge/events/registrations/{registration.id}/check-in", data={"present": "1"}
    )

    entry = last(app, subject_type="registration", subject_id=registration.id)
    assert (entry.action, entry.actor_id) == ("update", coordinator.id)
    assert list(entry.changes) == ["checked_in_at"]


def test_a_registration_through_the_api_is_logged_as_made_through_the_api(app, make, creative):
    event = make.event(HOME)
    token = make.access_token(creative)

    response = app.test_client().post(
        f"/api/v1/calendar/events/{event.id}/registration", json={}, headers=bearer(token.extra)
    )

    assert response.status_code == 201
    entry = last(app, subject_type="registration")
    assert (entry.action, entry.actor_id, entry.via) == ("create", creative.id, "api")


# Matches, milestones, members and the ledger ---------------------------------------------------


def test_booking_a_payment_logs_the_ledger_entry_with_its_amount_and_not_the_derived_totals(app, make, coordinator):
    match = make.match(HOME, title="Onboarding Alte Brauerei")
    before = len(logged(app))

    response = browser(app, coordinator).post(
        f"/erzgebirge/matches/{match.id}/ledger",
        data={"kind": "payment", "amount": "1.234,56", "booked_on": berlin_today().isoformat(), "purpose": "Material"},
    )

    assert response.status_code == 302
    [entry] = logged(app)[before:]
    assert (entry.subject_type, entry.action, entry.actor_id) == ("match_ledger_entry", "create", coordinator.id)
    assert entry.subject_label == "Material"
    assert entry.changes["amount_cents"] == [None, 123456]
    assert entry.changes["kind"] == [None, "payment"]
    assert entry.changes["match_id"] == [None, match.id]


def test_a_refused_payment_leaves_no_entry(app, make, coordinator):
    match = make.match(HOME)
    before = len(logged(app))

    response = browser(app, coordinator).post(
        f"/erzgebirge/matches/{match.id}/ledger",
        data={"kind": "payment", "amount": "9.999,00", "booked_on": berlin_today().isoformat(), "purpose": "Zu viel"},
    )

    assert response.status_code == 422
    assert len(logged(app)) == before


def test_a_match_its_milestones_and_its_status_are_logged(app, make, coordinator):
    match = make.match(HOME, status="proposed", title="Onboarding Alte Brauerei")
    client = browser(app, coordinator)
    due = (berlin_today() + timedelta(days=30)).isoformat()

    client.post(f"/erzgebirge/matches/{match.id}/milestones", data={"title": "Prototyp", "due_on": due})
    milestone = last(app, subject_type="match_milestone")
    client.post(f"/erzgebirge/matches/milestones/{milestone.subject_id}", data={"done": "1"})
    client.post(f"/erzgebirge/matches/{match.id}/status", data={"status": "active", "on": berlin_today().isoformat()})

    created = logged(app, subject_type="cocreation_match", subject_id=match.id)[0]
    assert created.action == "create" and created.changes["title"] == [None, "Onboarding Alte Brauerei"]
    assert "paid_cents" not in created.changes and "committed_cents" not in created.changes
    assert (milestone.action, milestone.actor_id, milestone.subject_label) == ("create", coordinator.id, "Prototyp")
    assert milestone.changes["due_on"] == [None, due]
    reached = last(app, subject_type="match_milestone", action="update")
    assert reached.changes == {"done_on": [None, berlin_today().isoformat()]}
    status = last(app, subject_type="cocreation_match", action="update")
    assert status.changes["status"] == ["proposed", "active"]
    assert status.changes["started_on"] == [None, berlin_today().isoformat()]


def test_removing_a_match_member_logs_a_delete_with_the_old_values(app, make, coordinator):
    match = make.match(HOME, creatives=2)
    leaving = match.members[1]

    response = browser(app, coordinator).post(f"/erzgebirge/matches/members/{leaving.id}/remove", data=CONFIRMED)

    assert response.status_code == 302
    entry = last(app, subject_type="match_member", subject_id=leaving.id)
    assert (entry.action, entry.actor_id, entry.subject_label) == ("delete", coordinator.id, leaving.name)
    assert entry.changes["profile_id"] == [leaving.profile_id, None]
    assert entry.changes["role"] == ["creative", None]


# Memberships, the command line and jobs --------------------------------------------------------


def test_changing_and_removing_a_membership_is_logged(app, make, coordinator):
    member = make.membership(HOME, name="Holzgestaltung Muster")
    client = browser(app, coordinator)

    client.post(f"/erzgebirge/members/{member.id}/role", data={"role": "coordinator"})
    client.post(f"/erzgebirge/members/{member.id}/remove", data=CONFIRMED)

    created, changed, removed = logged(app, subject_type="membership", subject_id=member.id)
    assert created.action == "create" and created.changes["role"] == [None, "participant"]
    assert (changed.action, changed.actor_id, changed.subject_label) == ("update", coordinator.id, member.name)
    assert changed.changes == {"role": ["participant", "coordinator"]}
    assert (removed.action, removed.actor_id) == ("delete", coordinator.id)
    assert removed.changes["role"] == ["coordinator", None]


def test_the_command_line_and_jobs_name_who_acts(app, runner, regions, make):
    result = runner.invoke(
        args=["users", "create", "neu@example.org", "--role", "participant", "--region", "lausitz"],
        input="langes-passwort-123\nlanges-passwort-123\n",
    )
    assert result.exit_code == 0, result.output
    by_cli = last(app, subject_type="membership")
    assert (by_cli.action, by_cli.actor_id, by_cli.via, by_cli.region_id) == (
        "create",
        None,
        "cli",
        regions["lausitz"].id,
    )

    admin = make.admin()
    with app.app_context(), all_regions(), acting_as(admin.id, via="system"):
        region = db.session.merge(regions[OTHER], load=False)
        accounts.create_user("job@example.org", "Per Job", PASSWORD, role=Role.PARTICIPANT, region=region)
        db.session.commit()
    by_job = last(app, subject_type="membership")
    assert (by_job.actor_id, by_job.via, by_job.region_id) == (admin.id, "system", regions[OTHER].id)


# Append-only -----------------------------------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_an_entry(app, make):
    make.profile(HOME, name="Bleibt im Protokoll")
    with app.app_context(), all_regions():
        entry = db.session.scalar(select(AuditEntry).limit(1))
        entry.subject_label = "Gefälscht"
        with pytest.raises(AuditLogError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEntry).limit(1)))
        with pytest.raises(AuditLogError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AuditLogError):
            db.session.execute(update(AuditEntry).values(subject_label="Gefälscht"))
        with pytest.raises(AuditLogError):
            db.session.execute(delete(AuditEntry))
        db.session.rollback()
    assert [e.subject_label for e in logged(app, subject_type="profile")] == ["Bleibt im Protokoll"]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entry SET subject_label = 'Gefälscht'", "DELETE FROM audit_entry"],
)
def test_the_database_itself_refuses_update_and_delete_in_raw_sql(app, make, statement):
    """Below the ORM: the triggers of migration 0005 (SQLite, and PostgreSQL under HUB_TEST_DATABASE_URL)."""
    make.profile(HOME, name="Bleibt im Protokoll")
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
        connection.rollback()
    assert [e.subject_label for e in logged(app, subject_type="profile")] == ["Bleibt im Protokoll"]


def test_purge_deletes_only_entries_older_than_the_given_moment(app, make):
    make.profile(HOME, name="Alt")
    cutoff = last(app).at + timedelta(microseconds=1)
    make.profile(HOME, name="Neu")
    older = len([e for e in logged(app) if e.at < cutoff])

    with app.app_context(), all_regions():
        assert purge(before=cutoff) == older
        db.session.commit()
        assert db.session.execute(select(audit_purge_permit)).all() == []  # the door is shut again

    assert {e.subject_label for e in logged(app, subject_type="profile")} == {"Neu"}
    assert all(e.at >= cutoff for e in logged(app))
    with app.app_context(), db.engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("DELETE FROM audit_entry"))


# Browsing: the umbrella across regions, the coordination in its region -------------------------


@pytest.fixture
def network(make):
    """Changes in two regions by known people: a profile each, an event in Erzgebirge, a membership change."""
    home_coordinator = make.coordinator(HOME, name="Koordination Erzgebirge", email="koordination@erzgebirge.example")
    other_coordinator = make.coordinator(OTHER, name="Koordination Meißen")
    home_profile = make.profile(HOME, name="Alte Brauerei")
    other_profile = make.profile(OTHER, name="Porzellandesign Muster")
    event = make.event(HOME, title="Auftakt Schneeberg")
    return {
        "home_coordinator": home_coordinator,
        "other_coordinator": other_coordinator,
        "home_profile": home_profile,
        "other_profile": other_profile,
        "event": event,
    }


def test_the_umbrella_filters_the_log_across_regions(app, make, network):
    umbrella = browser(app, make.umbrella())
    home, other = network["home_coordinator"], network["other_coordinator"]
    browser(app, home).post(f"/erzgebirge/profiles/{network['home_profile'].id}/archive", data=CONFIRMED)
    browser(app, other).post(f"/meissen/profiles/{network['other_profile'].id}/archive", data=CONFIRMED)

    everything = api_entries(umbrella, "/api/v1/audit", per_page=200)
    assert {e["region"] for e in everything} >= {HOME, OTHER}
    assert {e["region"] for e in api_entries(umbrella, "/api/v1/audit", region=OTHER)} == {OTHER}
    assert {e["subject_type"] for e in api_entries(umbrella, "/api/v1/audit", subject_type="event")} == {"event"}
    updates = api_entries(umbrella, "/api/v1/audit", action="update")
    assert {(e["subject_label"], e["actor_name"]) for e in updates} == {
        ("Alte Brauerei", "Koordination Erzgebirge"),
        ("Porzellandesign Muster", "Koordination Meißen"),
    }
    by_email = api_entries(umbrella, "/api/v1/audit", actor="KOORDINATION@erzgebirge")
    assert [e["subject_label"] for e in by_email] == ["Alte Brauerei"]
    by_number = api_entries(umbrella, "/api/v1/audit", actor=f"#{other.id}")
    assert [e["subject_label"] for e in by_number] == ["Porzellandesign Muster"]
    about = api_entries(umbrella, "/api/v1/audit", subject_type="profile", subject_id=network["home_profile"].id)
    assert [e["action"] for e in about] == ["update", "create"]
    today = berlin_today()
    assert len(api_entries(umbrella, "/api/v1/audit", per_page=200, **{"from": today, "to": today})) == len(everything)
    assert api_entries(umbrella, "/api/v1/audit", to=today - timedelta(days=1)) == []
    assert api_entries(umbrella, "/api/v1/audit", **{"from": today + timedelta(days=1)}) == []


def test_the_log_comes_newest_first_a_page_at_a_time(app, make, network):
    umbrella = browser(app, make.umbrella())
    everything = api_entries(umbrella, "/api/v1/audit", per_page=200)
    assert [(e["at"], e["id"]) for e in everything] == sorted(((e["at"], e["id"]) for e in everything), reverse=True)

    seen, before = [], None
    while True:
        query = {"per_page": 2, **({"before": before} if before else {})}
        body = umbrella.get("/api/v1/audit", query_string=query).get_json()
        seen += [e["id"] for e in body["entries"]]
        before = body["next_before"]
        if before is None:
            break
    assert seen == [e["id"] for e in everything]

    first = page(umbrella.get("/umbrella/audit", query_string={"per_page": 2}))
    older = re.search(r'href="(/umbrella/audit\?[^"]*before=\d+[^"]*)" rel="next"', first)
    assert older, "a link to the older entries"
    second = page(umbrella.get(older.group(1).replace("&amp;", "&")))
    assert everything[2]["subject_label"] in second and everything[0]["subject_label"] not in second


def test_a_coordinators_log_never_shows_another_regions_entries(app, make, network):
    home = browser(app, network["home_coordinator"])

    html = page(home.get("/erzgebirge/audit"))
    entries = api_entries(home, "/api/v1/regions/erzgebirge/audit", per_page=200)

    assert "Alte Brauerei" in html and "Porzellandesign Muster" not in html
    assert "Koordination Meißen" not in html
    assert entries and {e["region"] for e in entries} == {HOME}
    other_id = logged(app, subject_label="Porzellandesign Muster")[0].id
    assert home.get(f"/api/v1/regions/erzgebirge/audit?before={other_id}").status_code == 422
    assert home.get("/meissen/audit").status_code == 403
    assert home.get("/api/v1/regions/meissen/audit").status_code == 403


def test_the_umbrella_reads_a_regions_log_too(app, make, network):
    umbrella = browser(app, make.umbrella())

    html = page(umbrella.get("/meissen/audit"))

    assert "Porzellandesign Muster" in html and "Alte Brauerei" not in html


@pytest.mark.parametrize("who", ["participant", "coordinator"])
def test_participants_and_coordinators_are_refused_the_network_log(app, make, who):
    person = make.participant(HOME) if who == "participant" else make.coordinator(HOME)
    client = browser(app, person)
    token = make.access_token(person)

    assert client.get("/umbrella/audit").status_code == 403
    assert client.get("/api/v1/audit").status_code == 403
    assert app.test_client().get("/api/v1/audit", headers=bearer(token.extra)).status_code == 403


def test_participants_and_visitors_are_refused_the_region_log(app, make, creative):
    assert browser(app, creative).get("/erzgebirge/audit").status_code == 403
    assert browser(app, creative).get("/api/v1/regions/erzgebirge/audit").status_code == 403
    assert app.test_client().get("/api/v1/audit").status_code == 401
    assert "/login" in app.test_client().get("/umbrella/audit").headers["Location"]


def test_admins_browse_the_network_log(app, make, network):
    html = page(browser(app, make.admin()).get("/umbrella/audit"))
    assert "Alte Brauerei" in html and "Porzellandesign Muster" in html


def test_bad_filters_answer_422_with_the_field_named(app, make):
    umbrella = browser(app, make.umbrella())

    response = umbrella.get("/api/v1/audit", query_string={"action": "erase", "subject_id": "x", "region": "vogtland"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["query"]) == {"action", "subject_id"}
    unknown = umbrella.get("/api/v1/audit", query_string={"region": "vogtland"})
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"]["query"]["region"] == [said(app, "There is no region with this name.")]
    backwards = umbrella.get("/api/v1/audit", query_string={"from": "2026-03-02", "to": "2026-03-01"})
    assert backwards.get_json()["errors"]["query"]["to"] == [said(app, "The end must not be before the start.")]

    response = umbrella.get("/umbrella/audit", query_string={"from": "2026-03-02", "to": "2026-03-01"})
    assert response.status_code == 422
    assert field_error(page(response), "to") == shown(app, "The end must not be before the start.")
    gone = umbrella.get("/umbrella/audit", query_string={"before": 999999})
    assert gone.status_code == 422
    assert shown(app, "This entry of the log does not exist or is not visible to you.") in page(gone)


def test_the_log_page_speaks_german_first_and_english_on_request(app, make, network, coordinator):
    browser(app, coordinator).post(f"/erzgebirge/profiles/{network['home_profile'].id}/archive", data=CONFIRMED)
    umbrella = browser(app, make.umbrella())

    german = page(umbrella.get("/umbrella/audit"))
    assert shown(app, "Audit log of all regions") in german
    assert shown(app, "Archived on") in german and shown(app, "changed") in german
    assert '<th scope="col">' + shown(app, "What changed") + "</th>" in german

    umbrella.post("/language", data={"lang": "en", "next": "/umbrella/audit"})
    english = page(umbrella.get("/umbrella/audit"))
    assert shown(app, "Audit log of all regions", "en") in english
    assert shown(app, "What changed", "en") in english
    assert page(umbrella.get("/erzgebirge/audit")).count(
        shown(app, "Audit log of %(region)s", "en", region="Erzgebirge")
    )


def test_an_actor_whose_account_was_deleted_is_named_by_number(app, make, network, coordinator):
    umbrella = browser(app, make.umbrella())
    browser(app, coordinator).post(f"/erzgebirge/profiles/{network['home_profile'].id}/archive", data=CONFIRMED)
    with app.app_context(), all_regions():
        db.session.delete(db.session.get(User, coordinator.id))
        db.session.commit()

    html = page(umbrella.get("/umbrella/audit", query_string={"action": "update"}))

    assert shown(app, "deleted account #%(id)s", id=coordinator.id) in html
    assert last(app, subject_type="membership").action == "delete"  # the account's membership went with it


def test_every_audited_kind_can_be_chosen_in_the_filter_and_keeps_no_secrets(app):
    audited = [m for m in db.Model.registry.mappers if issubclass(m.class_, Audited)]
    tables = {m.local_table.name for m in audited}

    assert tables == set(SUBJECT_TYPES)
    assert {"profile", "event", "registration", "cocreation_match", "match_ledger_entry", "membership"} <= tables
    for mapper in audited:
        assert not {c.key for c in mapper.column_attrs} & {"password_hash", "token_hash", "session_token"}
