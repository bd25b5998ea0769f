"""Asking a region for access, as visitors and coordinators meet it (regions/access_requests).

A visitor fills in a short form on the region's page "Zugang anfragen": name, e-mail address, organisation
(optional), what they offer or seek, consent to the privacy notice. The answer never tells whether the address
belongs to someone: a new request, one already open and an address with access all end on the same page. The
coordination sees the open requests (linked from the members' page), accepts one (the members' invitation goes
out) or declines it (the person hears so politely, with the reason if one was given). The same in the JSON API.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import func, select

from hub.accounts.models import Invitation
from hub.accounts.services import user_by_email
from hub.audit import AuditEntry
from hub.core.db import db, utcnow
from hub.core.mail.models import OutboxMessage
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from hub.notifications.models import Notification
from regions.access_requests.models import AccessRequest
from regions.access_requests.vocab import AccessStatus
from tests.factories import PASSWORD
from tests.pages import bearer, field_error, flashes, form_error, page, said, shown, shown_field_message

REGION = "erzgebirge"
JOIN = f"/{REGION}/join"
LIST = f"/{REGION}/access-requests/"
API = f"/api/v1/regions/{REGION}/access-requests"
MESSAGE = "Wir bauen Möbel aus Altholz und suchen einen Verein für eine gemeinsame Werkstatt."


def a_request(**changes) -> dict:
    """What a visitor types into the form (the consent box ticked)."""
    return {
        "name": "Mira Holz",
        "email": "mira@werkstatt.example",
        "organisation": "Werkstatt Holz & Form",
        "message": MESSAGE,
        "consent": "true",
        **changes,
    }


def stored(app) -> list[AccessRequest]:
    with app.app_context(), all_regions():
        rows = list(db.session.scalars(select(AccessRequest).order_by(AccessRequest.id)))
        db.session.expunge_all()
        return rows


def outbox(app, recipient: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if recipient is not None:
            query = query.where(OutboxMessage.recipient == recipient)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def invitations_to(app, email: str) -> list[Invitation]:
    with app.app_context(), all_regions():
        rows = list(db.session.scalars(select(Invitation).where(Invitation.email == email)))
        db.session.expunge_all()
        return rows


def audit_of(app, request_id: int) -> list[tuple[str, dict]]:
    with app.app_context(), all_regions():
        rows = db.session.execute(
            select(AuditEntry.action, AuditEntry.changes)
            .where(AuditEntry.subject_type == "access_request", AuditEntry.subject_id == request_id)
            .order_by(AuditEntry.id)
        ).all()
        return [(action, changes) for action, changes in rows]


def login(app, person):
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def coordinator(make):
    return make.coordinator(REGION, name="Koordination Erzgebirge")


# -- asking ----------------------------------------------------------------------------------------------


def test_the_region_page_and_the_form_are_open_to_visitors(app, client):
    home = page(client.get(f"/{REGION}/"))
    assert 'href="/erzgebirge/join"' in home
    response = client.get(JOIN)
    assert response.status_code == 200
    html = page(response)
    for name in ("name", "email", "organisation", "message", "consent"):
        assert f'name="{name}"' in html
    assert 'href="/privacy"' in html


def test_a_visitors_request_is_stored_confirmed_by_mail_and_the_coordination_is_told(app, client, coordinator):
    response = client.post(JOIN, data=a_request(email="  Mira@Werkstatt.example "))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/erzgebirge/join/sent")
    [row] = stored(app)
    assert (row.name, row.email, row.organisation, row.message) == (
        "Mira Holz",
        "mira@werkstatt.example",
        "Werkstatt Holz & Form",
        MESSAGE,
    )
    assert row.status == AccessStatus.OPEN and row.consent_version and row.locale == "de"
    [confirmation] = outbox(app, "mira@werkstatt.example")
    assert confirmation.subject == said(app, "Your request for access to the network %(region)s", region="Erzgebirge")
    assert MESSAGE in confirmation.body
    [told] = outbox(app, coordinator.email)
    assert "Mira Holz" in told.subject and "/erzgebirge/access-requests/" in told.body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert audit_of(app, row.id)[0][0] == "create"


def test_the_page_after_asking_says_what_happens_next(app, client):
    html = page(client.get(f"{JOIN}/sent"))
    assert shown(app, "Thank you – your request has arrived") in html
    assert 'href="/calendar/?view=list"' in html


def test_the_answer_is_the_same_for_a_new_address_an_open_request_and_a_member(app, make, coordinator):
    """Nobody learns from the form whether an address has an account or asked before."""
    member = make.participant(REGION, email="member@example.org", name="Paula Mitglied")
    answers = []
    for email in ("new@example.org", "new@example.org", member.email):
        response = app.test_client().post(JOIN, data=a_request(email=email), follow_redirects=True)
        answers.append((response.status_code, re.sub(r'name="csrf_token" value="[^"]*"', "", page(response))))
    assert answers[0] == answers[1] == answers[2]
    assert [r.email for r in stored(app)] == ["new@example.org"], "no second row, none for the member"
    assert len(outbox(app, "new@example.org")) == 1, "asking again sends no second confirmation"
    [to_member] = outbox(app, member.email)
    assert to_member.subject == said(app, "You have access to the network %(region)s already", region="Erzgebirge")
    assert "/login" in to_member.body and "/forgot" in to_member.body


def test_an_address_that_asked_another_region_or_was_declined_may_ask_again(app, make, coordinator):
    make.access_request("meissen", email="mira@werkstatt.example")
    declined = make.access_request(REGION, email="mira@werkstatt.example")
    login(app, coordinator).post(f"{LIST}{declined.id}/decline", data={})
    assert app.test_client().post(JOIN, data=a_request()).status_code == 302
    assert [(r.status, r.email) for r in stored(app) if r.region_id == make.regions[REGION].id] == [
        (AccessStatus.DECLINED, "mira@werkstatt.example"),
        (AccessStatus.OPEN, "mira@werkstatt.example"),
    ]


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"consent": None}, "consent"),
        ({"message": "Hallo"}, "message"),
        ({"email": "not-an-address"}, "email"),
        ({"name": ""}, "name"),
        ({"organisation": "x" * 201}, "organisation"),
    ],
)
def test_a_request_without_consent_or_with_bad_input_is_refused_beside_the_field(app, client, changes, field):
    data = {k: v for k, v in a_request(**changes).items() if v is not None}
    response = client.post(JOIN, data=data)
    assert response.status_code == 422
    assert field_error(page(response), field)
    assert stored(app) == [] and outbox(app) == []


def test_the_consent_is_asked_for_in_words(app, client):
    data = {k: v for k, v in a_request().items() if k != "consent"}
    html = page(client.post(JOIN, data=data))
    assert field_error(html, "consent") == shown(
        app, "Please agree to the privacy notice, so that the coordination may read your request."
    )
    assert 'value="Mira Holz"' in html, "what was typed comes back"


def test_an_english_visitor_gets_the_confirmation_in_english(app, client):
    client.post("/language", data={"lang": "en", "next": "/"})
    client.post(JOIN, data=a_request())
    [confirmation] = outbox(app, "mira@werkstatt.example")
    assert confirmation.subject == "Your request for access to the network Erzgebirge"
    assert stored(app)[0].locale == "en"


def test_requests_with_one_address_are_limited_whoever_sends_them(app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESS_REQUEST_LIMIT_PER_ADDRESS", "2 per hour")
    for _ in range(2):
        assert app.test_client().post(JOIN, data=a_request()).status_code == 302
    refused = app.test_client().post(JOIN, data=a_request(email="MIRA@werkstatt.example"))
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert app.test_client().post(JOIN, data=a_request(email="other@example.org")).status_code == 302


def test_the_form_is_limited_per_client_like_every_public_form(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_LIMIT_PER_IP", "2 per minute")
    for n in range(2):
        assert client.post(JOIN, data=a_request(email=f"p{n}@example.org")).status_code == 302
    assert client.post(JOIN, data=a_request(email="p3@example.org")).status_code == 429
    assert client.get(JOIN).status_code == 200, "reading the form stays free"


def test_members_are_told_they_have_access_and_the_umbrella_cannot_ask(app, make):
    member = make.participant(REGION)
    assert shown(app, "You have access to this network already.") in page(login(app, member).get(JOIN))
    umbrella = login(app, make.umbrella())
    assert umbrella.post(JOIN, data=a_request()).status_code == 403
    assert stored(app) == []


def test_someone_of_another_region_may_ask_and_is_invited_into_their_existing_account(app, make, coordinator):
    other = make.participant("meissen", email="porzellan@example.org", name="Porzellan Werkstatt")
    assert login(app, other).post(JOIN, data=a_request(email=other.email, name=other.name)).status_code == 302
    [row] = stored(app)
    login(app, coordinator).post(f"{LIST}{row.id}/accept")
    [invitation] = invitations_to(app, other.email)
    assert invitation.region_id == make.regions[REGION].id


# -- the coordination ------------------------------------------------------------------------------------


def test_the_members_page_links_to_the_open_requests_with_their_number(app, make, coordinator):
    make.access_request(REGION)
    make.access_request(REGION)
    make.access_request("meissen")
    html = page(login(app, coordinator).get(f"/{REGION}/members/"))
    assert 'href="/erzgebirge/access-requests/"' in html
    with app.test_request_context(), force_locale("de"):
        expected = ngettext(
            "%(num)s request for access waits for an answer", "%(num)s requests for access wait for an answer", 2
        )
    assert expected in html


def test_the_coordination_sees_the_open_requests_of_its_region_only(app, make, coordinator):
    mine = make.access_request(REGION, name="Mira Holz", organisation="Werkstatt Holz & Form")
    make.access_request("meissen", name="Otto Porzellan")
    html = page(login(app, coordinator).get(LIST))
    assert "Mira Holz" in html and "Werkstatt Holz &amp; Form" in html and mine.email in html
    assert "Otto Porzellan" not in html


def test_participants_may_not_see_requests_and_visitors_are_sent_to_log_in(app, make):
    make.access_request(REGION)
    assert login(app, make.participant(REGION)).get(LIST).status_code == 403
    visitor = app.test_client().get(LIST)
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]


def test_accepting_sends_the_members_invitation_and_records_who_answered(app, make, coordinator):
    asked = make.access_request(REGION, name="Mira Holz", email="mira@werkstatt.example")
    client = login(app, coordinator)
    response = client.post(f"{LIST}{asked.id}/accept", follow_redirects=True)
    assert shown(app, "%(name)s has been invited (%(email)s).", name="Mira Holz", email=asked.email) in flashes(
        page(response)
    )
    [row] = stored(app)
    assert row.status == AccessStatus.ACCEPTED and row.decided_by_id == coordinator.id and row.decided_at
    [invitation] = invitations_to(app, asked.email)
    assert (invitation.name, invitation.role.value, invitation.invited_by_id) == (
        "Mira Holz",
        "participant",
        coordinator.id,
    )
    assert row.invitation_id == invitation.id
    invitation_mail = outbox(app, asked.email)[-1]
    assert "/invitations/" in invitation_mail.body
    assert [action for action, _ in audit_of(app, asked.id)] == ["create", "update"]
    assert audit_of(app, asked.id)[1][1]["status"] == ["open", "accepted"]
    assert f'id="request-{asked.id}"' not in page(client.get(LIST)), "no longer among the open ones"


def test_the_invitation_of_an_accepted_request_makes_the_person_a_member(app, make, coordinator):
    asked = make.access_request(REGION, email="mira@werkstatt.example")
    login(app, coordinator).post(f"{LIST}{asked.id}/accept")
    token = re.search(r"/invitations/(\S+)", outbox(app, asked.email)[-1].body).group(1)
    new_password = "ein langes neues Passwort"
    visitor = app.test_client()
    visitor.post(
        f"/invitations/{token}", data={"name": "Mira Holz", "password": new_password, "password_confirm": new_password}
    )
    with app.app_context(), all_regions():
        person = user_by_email(asked.email)
        assert person.role_in(db.session.get(Region, make.regions[REGION].id)) == Role.PARTICIPANT


def test_declining_tells_the_person_politely_with_the_reason(app, make, coordinator):
    asked = make.access_request(REGION, name="Mira Holz")
    client = login(app, coordinator)
    reason = "Der aktuelle Durchgang ist voll; bitte fragen Sie im Herbst wieder."
    response = client.post(f"{LIST}{asked.id}/decline", data={"reason": reason}, follow_redirects=True)
    assert shown(app, "The request of %(name)s has been declined.", name="Mira Holz") in flashes(page(response))
    [row] = stored(app)
    assert (row.status, row.decline_reason, row.decided_by_id) == (AccessStatus.DECLINED, reason, coordinator.id)
    assert invitations_to(app, asked.email) == []
    answer = outbox(app, asked.email)[-1]
    assert answer.subject == said(app, "Your request for access to the network %(region)s", region="Erzgebirge")
    assert reason in answer.body and "/calendar/" in answer.body
    assert audit_of(app, asked.id)[1][1]["status"] == ["open", "declined"]


def test_declining_without_a_reason_says_none(app, make, coordinator):
    asked = make.access_request(REGION)
    assert login(app, coordinator).post(f"{LIST}{asked.id}/decline", data={}).status_code == 302
    assert said(app, "Their reason:") not in outbox(app, asked.email)[-1].body


def test_a_too_long_reason_is_refused_beside_it_and_nothing_changes(app, make, coordinator):
    asked = make.access_request(REGION)
    response = login(app, coordinator).post(f"{LIST}{asked.id}/decline", data={"reason": "x" * 1001})
    assert response.status_code == 422
    assert field_error(page(response), "reason") == shown_field_message(
        app, "Longer than the maximum length of {max}.", max=1000
    )
    assert stored(app)[0].status == AccessStatus.OPEN


def test_a_request_answered_already_cannot_be_answered_again(app, make, coordinator):
    asked = make.access_request(REGION)
    client = login(app, coordinator)
    client.post(f"{LIST}{asked.id}/decline", data={})
    mails_before = len(outbox(app))
    again = client.post(f"{LIST}{asked.id}/accept")
    assert again.status_code == 409
    assert form_error(page(again)) == shown(app, "This request has been answered already.")
    assert stored(app)[0].status == AccessStatus.DECLINED and invitations_to(app, asked.email) == []
    assert len(outbox(app)) == mails_before


def test_another_regions_request_does_not_exist_for_the_coordination(app, make, coordinator):
    foreign = make.access_request("meissen")
    client = login(app, coordinator)
    assert client.post(f"{LIST}{foreign.id}/accept").status_code == 404
    assert client.post(f"{LIST}{foreign.id}/decline", data={}).status_code == 404
    assert stored(app)[0].status == AccessStatus.OPEN


def test_the_list_costs_the_same_few_statements_however_many_requests_wait(app, make, coordinator):
    from tests.statements import counted

    client = login(app, coordinator)
    make.access_request(REGION)
    client.get(LIST)
    with counted(app) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(8):
        make.access_request(REGION)
    with counted(app) as many:
        assert client.get(LIST).status_code == 200
    assert len(many) == len(few)


# -- the API ---------------------------------------------------------------------------------------------


def test_the_api_lists_accepts_and_declines_with_the_pages_rules(app, client, make, coordinator):
    token = bearer(make.access_token(coordinator).extra)
    first = make.access_request(REGION, name="Mira Holz")
    second = make.access_request(REGION, name="Otto Stein")
    listed = client.get(f"{API}/", headers=token).get_json()
    assert [r["name"] for r in listed] == ["Mira Holz", "Otto Stein"]
    assert listed[0]["status"] == "open" and listed[0]["email"] == first.email
    accepted = client.post(f"{API}/{first.id}/accept", headers=token)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert accepted.get_json()["invitation_id"] == invitations_to(app, first.email)[0].id
    declined = client.post(f"{API}/{second.id}/decline", json={"reason": "Bitte im Herbst."}, headers=token)
    assert declined.get_json()["decline_reason"] == "Bitte im Herbst."
    assert client.post(f"{API}/{second.id}/accept", headers=token).status_code == 409
    assert client.get(f"{API}/", headers=token).get_json() == []
    assert [r["name"] for r in client.get(f"{API}/?status=declined", headers=token).get_json()] == ["Otto Stein"]
    third = make.access_request(REGION, name="Lena Glas")
    too_long = client.post(f"{API}/{third.id}/decline", json={"reason": "x" * 1001}, headers=token)
    assert too_long.status_code == 422 and "reason" in too_long.get_json()["errors"]["json"]
    answered_first = client.post(f"{API}/{first.id}/decline", json={"reason": "x" * 1001}, headers=token)
    assert answered_first.status_code == 409, "answered already is the news, before the reason is read"


def test_the_api_refuses_participants_and_lets_the_umbrella_only_read(app, client, make):
    asked = make.access_request(REGION)
    participant = bearer(make.access_token(make.participant(REGION)).extra)
    assert client.get(f"{API}/", headers=participant).status_code == 403
    assert client.post(f"{API}/{asked.id}/accept", headers=participant).status_code == 403
    umbrella = bearer(make.access_token(make.umbrella()).extra)
    assert client.get(f"{API}/{asked.id}", headers=umbrella).status_code == 200
    assert client.post(f"{API}/{asked.id}/decline", json={}, headers=umbrella).status_code == 403
    assert stored(app)[0].status == AccessStatus.OPEN


# -- keeping ---------------------------------------------------------------------------------------------


def test_answered_requests_are_deleted_after_their_retention_and_open_ones_stay(app, make, coordinator):
    from hub.core.jobs.runner import execute

    old = make.access_request(REGION, name="Lang her")
    recent = make.access_request(REGION, name="Neulich")
    waiting = make.access_request(REGION, name="Wartet noch")
    client = login(app, coordinator)
    client.post(f"{LIST}{old.id}/decline", data={})
    client.post(f"{LIST}{recent.id}/decline", data={})
    with app.app_context(), all_regions():
        row = db.session.get(AccessRequest, old.id)
        row.decided_at = utcnow() - timedelta(days=app.config["RETENTION_ACCESS_REQUEST_DAYS"] + 1)
        db.session.commit()
    with app.app_context():
        execute("access_requests.retention")
    assert [r.name for r in stored(app)] == ["Neulich", "Wartet noch"]
    assert waiting.id in {r.id for r in stored(app)}
