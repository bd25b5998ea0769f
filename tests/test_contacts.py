"""Contact requests across regions as people meet them: asking, the e-mail, accepting and declining,
who sees whose contact details, the coordination's numbers, and the same rules in the JSON API;
and the directory search in the JSON API.

Visible texts are compared through ``shown()``, which translates the English msgid with the app's
catalogue: the German text once it exists, the msgid until then.
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from hub.core.db import db
from hub.core.mail.models import OutboxMessage
from hub.core.tenancy import all_regions
from shared.contacts.models import ContactRequest, ContactStatus
from tests.factories import PASSWORD
from tests.pages import CONFIRMED, bearer, field_error, flashes, form_error, said, said_field_message, shown

MESSAGE = "Guten Tag, wir suchen Holzbau-Partner für ein Festival in Görlitz."

# Helpers ---------------------------------------------------------------------------------------


def requests_in_db(app) -> list[tuple[int, int, str, str]]:
    """Every contact request: (sender profile, recipient profile, status, message)."""
    with app.app_context(), all_regions():
        rows = db.session.scalars(select(ContactRequest).order_by(ContactRequest.id))
        return [(r.sender_profile_id, r.recipient_profile_id, r.status.value, r.message) for r in rows]


def mails(app) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return found


def mail_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def set_status(app, request_id: int, status: ContactStatus) -> None:
    with app.app_context(), all_regions():
        db.session.get(ContactRequest, request_id).status = status
        db.session.commit()


def sees_contact_details(client, profile) -> bool:
    """Whether the profile page shows this client's user the profile's e-mail address and phone."""
    page = client.get(f"/directory/profiles/{profile.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    email, phone = f"mailto:{profile.extra}", "+49 351 40 40 40"
    assert (email in html) == (phone in html), "e-mail and phone are shown together"
    return email in html


def directory_ids(client, **query) -> set[int]:
    """The profiles a directory search page lists for the client's user."""
    response = client.get("/directory/", query_string={"per_page": 100, **query})
    assert response.status_code == 200
    return {int(i) for i in re.findall(r'href="/directory/profiles/(\d+)"', response.get_data(as_text=True))}


@pytest.fixture
def browser(app):
    """A separate, logged-in browser per person: browser(user) -> test client."""

    def login(user):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, "the login works"
        return client

    return login


@pytest.fixture
def token(make):
    """token(user) -> the Authorization header of a fresh personal access token."""
    return lambda user: bearer(make.access_token(user).extra)


@pytest.fixture
def member(make):
    """member(region, name, visibility=...) -> a participant's own profile; ``owner`` is the participant,
    ``extra`` the profile's contact e-mail. Contact details are shown on request only."""

    def create(region: str, name: str, visibility: str = "network", **fields):
        person = make.participant(region, name=f"{name} (Person)")
        email = fields.pop("contact_email", f"{'.'.join(name.lower().split())}@kontakt.example")
        profile = make.profile(
            region,
            user=person,
            name=name,
            visibility=visibility,
            contact_email=email,
            contact_phone="+49 351 40 40 40",
            **fields,
        )
        profile.owner, profile.extra = person, email
        return profile

    return create


@pytest.fixture
def asker(member):
    """Lars of Lausitz, visible to the whole network."""
    return member("lausitz", "Lars Lausitzer Festival")


@pytest.fixture
def addressee(member):
    """Erika of Erzgebirge, visible to the whole network, her details on request only."""
    return member("erzgebirge", "Erika Holzbau")


def ask(browser, asker, addressee, message: str = MESSAGE):
    return browser(asker.owner).post(f"/directory/profiles/{addressee.id}/contact", data={"message": message})


# Asking ----------------------------------------------------------------------------------------


def test_asking_for_contact_records_the_request_and_tells_the_asker(app, browser, asker, addressee):
    response = ask(browser, asker, addressee)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/directory/profiles/{addressee.id}")
    assert requests_in_db(app) == [(asker.id, addressee.id, "pending", MESSAGE)]


def test_the_asker_sees_a_confirmation(app, client, auth, asker, addressee):
    auth.login(asker.owner)

    response = client.post(
        f"/directory/profiles/{addressee.id}/contact", data={"message": MESSAGE}, follow_redirects=True
    )

    assert response.status_code == 200
    assert shown(app, "Your contact request has been sent.") in flashes(response.get_data(as_text=True))


def test_the_addressee_gets_an_e_mail_in_german_by_default(app, browser, asker, addressee):
    ask(browser, asker, addressee)

    (mail,) = mails(app)
    assert mail.recipient == addressee.owner.email
    assert mail.subject == said(app, "%(name)s would like to get in touch", name="Lars Lausitzer Festival")
    assert said(app, "Hello %(name)s,", name="Erika Holzbau") in mail.body
    assert MESSAGE in mail.body
    assert re.search(r"^https?://[^/\s]+/contacts/$", mail.body, re.M), "a link to the contact requests"


def test_the_addressee_gets_the_e_mail_in_the_language_they_chose(app, browser, asker, addressee):
    browser(addressee.owner).post("/language", data={"lang": "en", "next": "/"})

    ask(browser, asker, addressee)

    (mail,) = mails(app)
    assert mail.subject == "Lars Lausitzer Festival would like to get in touch"
    assert "Hello Erika Holzbau," in mail.body
    assert MESSAGE in mail.body


def test_the_addressee_sees_the_request_with_its_message_under_contacts(app, browser, asker, addressee):
    ask(browser, asker, addressee)
    (request_id,) = [r.id for r in _requests(app)]

    page = browser(addressee.owner).get("/contacts/").get_data(as_text=True)

    assert "Lars Lausitzer Festival" in page and MESSAGE in page
    assert f'action="/contacts/{request_id}/accept"' in page
    assert f'action="/contacts/{request_id}/decline"' in page
    sent = browser(asker.owner).get("/contacts/").get_data(as_text=True)
    assert "Erika Holzbau" in sent
    assert f"/contacts/{request_id}/accept" not in sent, "the asker cannot answer the own request"


def test_open_requests_are_counted_and_an_accepted_one_leads_to_the_details(app, browser, member, asker, addressee):
    other = member("dresden", "Dora Dresdner Design")
    ask(browser, asker, addressee)
    ask(browser, other, addressee)
    erika = browser(addressee.owner)
    assert '<span class="badge warn">2 zu beantworten</span>' in erika.get("/contacts/").get_data(as_text=True)

    erika.post(f"/contacts/{_requests(app)[0].id}/accept")
    html = erika.get("/contacts/").get_data(as_text=True)
    assert '<span class="badge warn">1 zu beantworten</span>' in html
    assert f'<a class="button secondary" href="/directory/profiles/{asker.id}#contact">Kontaktdaten ansehen</a>' in html
    assert f'href="/directory/profiles/{other.id}#contact"' not in html, "no details before the answer"
    sent = browser(asker.owner).get("/contacts/").get_data(as_text=True)
    assert f'<a class="button secondary" href="/directory/profiles/{addressee.id}#contact">' in sent


def _requests(app) -> list[ContactRequest]:
    with app.app_context(), all_regions():
        found = list(db.session.scalars(select(ContactRequest).order_by(ContactRequest.id)))
        db.session.expunge_all()
        return found


def test_accepting_shows_both_their_contact_details_and_tells_the_asker(app, browser, asker, addressee):
    ask(browser, asker, addressee)
    (request_id,) = [r.id for r in _requests(app)]
    lars, erika = browser(asker.owner), browser(addressee.owner)
    assert not sees_contact_details(lars, addressee)
    assert not sees_contact_details(erika, asker)

    response = erika.post(f"/contacts/{request_id}/accept", follow_redirects=True)

    assert response.status_code == 200
    assert shown(app, "Contact accepted: you now see each other's contact details.") in flashes(
        response.get_data(as_text=True)
    )
    assert requests_in_db(app)[0][2] == "accepted"
    assert sees_contact_details(lars, addressee)
    assert sees_contact_details(erika, asker)
    accepted = mails(app)[-1]
    assert accepted.recipient == asker.owner.email
    assert accepted.subject == said(app, "%(name)s accepted your contact request", name="Erika Holzbau")
    assert re.search(rf"^https?://[^/\s]+/directory/profiles/{addressee.id}$", accepted.body, re.M)


def test_an_accepted_contact_shows_no_details_to_third_persons(app, browser, member, asker, addressee):
    ask(browser, asker, addressee)
    browser(addressee.owner).post(f"/contacts/{_requests(app)[0].id}/accept")

    bystander = member("dresden", "Dora Dresden")
    assert not sees_contact_details(browser(bystander.owner), addressee)
    assert not sees_contact_details(browser(bystander.owner), asker)


def test_declining_shows_no_details_and_sends_no_mail_to_the_asker(app, browser, asker, addressee):
    ask(browser, asker, addressee)
    (request_id,) = [r.id for r in _requests(app)]
    erika = browser(addressee.owner)

    response = erika.post(f"/contacts/{request_id}/decline", data=CONFIRMED, follow_redirects=True)

    assert response.status_code == 200
    assert shown(app, "Contact request declined.") in flashes(response.get_data(as_text=True))
    assert requests_in_db(app)[0][2] == "declined"
    assert not sees_contact_details(browser(asker.owner), addressee)
    assert not sees_contact_details(erika, asker)
    assert [m.recipient for m in mails(app)] == [addressee.owner.email], "only the request's own mail"


def test_an_answered_request_cannot_be_answered_again(app, browser, asker, addressee):
    ask(browser, asker, addressee)
    (request_id,) = [r.id for r in _requests(app)]
    erika = browser(addressee.owner)
    erika.post(f"/contacts/{request_id}/accept")

    response = erika.post(f"/contacts/{request_id}/decline", data=CONFIRMED, follow_redirects=True)

    assert shown(app, "This request has been answered already.") in flashes(response.get_data(as_text=True))
    assert requests_in_db(app)[0][2] == "accepted"


def test_asking_with_a_profile_the_addressee_cannot_see_is_refused(app, browser, member, addressee):
    """Both must see each other's details after acceptance, so the addressee must see the asker."""
    private_asker = member("lausitz", "Paula Privat", visibility="private")
    before, mails_before = requests_in_db(app), mail_count(app)

    response = ask(browser, private_asker, addressee)

    assert response.status_code == 422
    assert form_error(response.get_data(as_text=True)) == shown(
        app, "Your profile is not visible to this person. Make it visible to the network (with your consent) first."
    )
    assert requests_in_db(app) == before and mail_count(app) == mails_before


# Refused requests ------------------------------------------------------------------------------


def test_asking_twice_is_refused_with_a_clear_message(app, browser, asker, addressee):
    ask(browser, asker, addressee)
    before, mails_before = requests_in_db(app), mail_count(app)

    response = ask(browser, asker, addressee, message="Noch einmal: wir würden gern sprechen.")

    assert response.status_code == 422
    assert form_error(response.get_data(as_text=True)) == shown(
        app, "You are already in contact with this profile, or a request is open."
    )
    assert requests_in_db(app) == before and mail_count(app) == mails_before


def test_asking_back_someone_who_asked_already_is_refused(app, browser, asker, addressee):
    ask(browser, asker, addressee)
    before = requests_in_db(app)

    response = ask(browser, addressee, asker)

    assert response.status_code == 422
    assert form_error(response.get_data(as_text=True)) == shown(
        app, "You are already in contact with this profile, or a request is open."
    )
    assert requests_in_db(app) == before


def test_asking_without_an_own_profile_is_refused(app, browser, make, addressee):
    newcomer = make.participant("lausitz")

    response = browser(newcomer).post(f"/directory/profiles/{addressee.id}/contact", data={"message": MESSAGE})

    assert response.status_code == 422
    assert form_error(response.get_data(as_text=True)) == shown(
        app, "Please create your own profile first, so that the other side knows who asks."
    )
    assert requests_in_db(app) == [] and mail_count(app) == 0


def test_asking_a_profile_without_an_account_is_refused(app, browser, make, asker):
    kept = make.profile("erzgebirge", name="Museum ohne Konto", visibility="network")

    response = browser(asker.owner).post(f"/directory/profiles/{kept.id}/contact", data={"message": MESSAGE})

    assert response.status_code == 422
    assert form_error(response.get_data(as_text=True)) == shown(
        app, "This profile has no account yet; please ask its region's coordination."
    )
    assert requests_in_db(app) == [] and mail_count(app) == 0


def test_asking_oneself_is_refused(app, browser, asker):
    response = ask(browser, asker, asker)

    assert response.status_code == 422
    assert requests_in_db(app) == [] and mail_count(app) == 0


def test_asking_oneself_says_why(app, browser, asker):
    response = ask(browser, asker, asker)

    assert shown(app, "This is your own profile.") in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("message", "msgid", "params"),
    [
        ("Hallo!", "Length must be between {min} and {max}.", {"min": 10, "max": 1000}),
        ("Hallo " * 167, "Length must be between {min} and {max}.", {"min": 10, "max": 1000}),
        ("   ", "This field is required.", {}),
    ],
    ids=["too short", "too long", "empty"],
)
def test_a_message_of_the_wrong_length_is_explained_beside_the_field(
    app, browser, asker, addressee, message, msgid, params
):
    response = ask(browser, asker, addressee, message=message)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "message") == str(escape(said_field_message(app, msgid, **params)))
    if message.strip():
        assert message.strip()[:50] in page, "what was typed is kept"
    assert requests_in_db(app) == [] and mail_count(app) == 0


@pytest.mark.parametrize("visibility", ["region", "private"])
def test_a_profile_the_asker_may_not_see_cannot_be_asked(app, browser, member, asker, visibility):
    hidden = member("erzgebirge", "Hanna Versteckt", visibility=visibility)

    response = ask(browser, asker, hidden)

    assert response.status_code == 404
    assert requests_in_db(app) == [] and mail_count(app) == 0


def test_the_umbrella_cannot_send_requests(app, browser, make, addressee):
    response = browser(make.umbrella()).post(f"/directory/profiles/{addressee.id}/contact", data={"message": MESSAGE})

    assert response.status_code == 403
    assert requests_in_db(app) == []


# Who may answer --------------------------------------------------------------------------------


def test_the_asker_cannot_accept_the_own_request(app, client, auth, browser, asker, addressee):
    ask(browser, asker, addressee)
    (request_id,) = [r.id for r in _requests(app)]
    auth.login(asker.owner)

    response = client.post(f"/contacts/{request_id}/accept", follow_redirects=True)

    assert shown(app, "Only the addressee can answer a contact request.") in flashes(response.get_data(as_text=True))
    assert requests_in_db(app)[0][2] == "pending"
    assert not sees_contact_details(client, addressee)


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_a_third_person_gets_404_for_someone_elses_request(app, browser, member, asker, addressee, answer):
    ask(browser, asker, addressee)
    (request_id,) = [r.id for r in _requests(app)]
    third = member("erzgebirge", "Theo Dritter")

    response = browser(third.owner).post(f"/contacts/{request_id}/{answer}")

    assert response.status_code == 404
    assert requests_in_db(app)[0][2] == "pending"
    assert MESSAGE not in browser(third.owner).get("/contacts/").get_data(as_text=True)


def test_an_unknown_request_answers_404(browser, addressee):
    assert browser(addressee.owner).post("/contacts/999999/accept").status_code == 404


def test_the_contact_list_needs_a_login(client):
    response = client.get("/contacts/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# The coordination's numbers --------------------------------------------------------------------


@pytest.fixture
def traffic(app, make, member):
    """Contact requests around Lausitz, each with a message that must never be shown in numbers."""
    lausitz = [member("lausitz", "Lausitz Eins"), member("lausitz", "Lausitz Zwei")]
    erz = member("erzgebirge", "Erzgebirge Eins")
    mei = member("meissen", "Meissen Eins")
    dre = member("dresden", "Dresden Eins")

    def request(sender, recipient, status, text):
        made = make.contact_request(sender, recipient, message=text)
        set_status(app, made.id, status)

    request(lausitz[0], erz, ContactStatus.ACCEPTED, "Geheimnis eins: angenommen")
    request(lausitz[1], erz, ContactStatus.PENDING, "Geheimnis zwei: offen")
    request(mei, lausitz[0], ContactStatus.DECLINED, "Geheimnis drei: abgelehnt")
    request(lausitz[0], dre, ContactStatus.PENDING, "Geheimnis vier: offen")
    request(lausitz[0], lausitz[1], ContactStatus.ACCEPTED, "Geheimnis fünf: innerhalb der Lausitz")
    request(erz, mei, ContactStatus.ACCEPTED, "Geheimnis sechs: ohne die Lausitz")
    return "Geheimnis"


def _counts(html: str) -> dict[str, tuple[int, int, int]]:
    """The table: other region -> (accepted, open, declined), and the total row."""
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td class="num"[^>]*>(\d+)</td>\s*<td class="num"[^>]*>(\d+)</td>'
        r'\s*<td class="num"[^>]*>(\d+)</td>',
        html,
    )
    return {name: (int(a), int(o), int(d)) for name, a, o, d in rows}


def test_the_coordination_sees_numbers_per_other_region_and_never_messages(app, browser, make, traffic):
    response = browser(make.coordinator("lausitz")).get("/lausitz/contacts/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    counts = _counts(page)
    assert counts.pop(shown(app, "Total")) == (1, 2, 1)
    assert counts == {"Erzgebirge": (1, 1, 0), "Meißen": (0, 0, 1), "Dresden": (0, 1, 0)}
    assert traffic not in page


def test_another_regions_coordination_sees_its_own_numbers(app, browser, make, traffic):
    page = browser(make.coordinator("erzgebirge")).get("/erzgebirge/contacts/").get_data(as_text=True)

    counts = _counts(page)
    assert counts["Lausitz"] == (1, 1, 0) and counts["Meißen"] == (1, 0, 0)
    assert traffic not in page


def test_participants_may_not_see_the_regions_numbers(browser, make, traffic):
    assert browser(make.participant("lausitz")).get("/lausitz/contacts/").status_code == 403


def test_the_coordination_of_another_region_may_not_see_the_numbers(browser, make, traffic):
    assert browser(make.coordinator("dresden")).get("/lausitz/contacts/").status_code == 403


# The JSON API ----------------------------------------------------------------------------------


def api_ask(client, token, asker, addressee, message: str = MESSAGE):
    return client.post(
        f"/api/v1/directory/profiles/{addressee.id}/contact-requests",
        json={"message": message},
        headers=token(asker.owner),
    )


def pending(make, asker, addressee) -> int:
    """A request already made (through the service, as the pages make it)."""
    return make.contact_request(asker, addressee, message=MESSAGE).id


def test_api_asking_records_the_request_and_mails_the_addressee(app, client, token, asker, addressee):
    api_ask(client, token, asker, addressee)

    assert requests_in_db(app) == [(asker.id, addressee.id, "pending", MESSAGE)]
    (mail,) = mails(app)
    assert mail.recipient == addressee.owner.email and MESSAGE in mail.body


def test_api_asking_answers_201_with_the_request(app, client, token, asker, addressee):
    response = api_ask(client, token, asker, addressee)

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending" and body["message"] == MESSAGE
    assert body["sender"]["id"] == asker.id and body["recipient"]["id"] == addressee.id
    assert "contact_email" not in body["recipient"], "no details before acceptance"


def test_api_lists_received_and_sent_requests(client, token, make, member, asker, addressee):
    request_id = pending(make, asker, addressee)

    received = client.get("/api/v1/contact-requests", headers=token(addressee.owner)).get_json()
    sent = client.get("/api/v1/contact-requests", headers=token(asker.owner)).get_json()
    other = client.get("/api/v1/contact-requests", headers=token(member("dresden", "Dora Dresden").owner))

    assert [r["id"] for r in received["received"]] == [request_id] and received["sent"] == []
    assert received["received"][0]["message"] == MESSAGE
    assert [r["id"] for r in sent["sent"]] == [request_id] and sent["received"] == []
    assert other.get_json() == {"received": [], "sent": []}


def test_api_accepting_shows_both_contact_details(app, client, token, make, asker, addressee):
    request_id = pending(make, asker, addressee)
    lars, erika = token(asker.owner), token(addressee.owner)
    assert "contact_email" not in client.get(f"/api/v1/directory/profiles/{addressee.id}", headers=lars).get_json()

    response = client.post(f"/api/v1/contact-requests/{request_id}/accept", headers=erika)

    assert response.status_code == 200 and response.get_json()["status"] == "accepted"
    assert response.get_json()["decided_at"]
    seen_by_lars = client.get(f"/api/v1/directory/profiles/{addressee.id}", headers=lars).get_json()
    seen_by_erika = client.get(f"/api/v1/directory/profiles/{asker.id}", headers=erika).get_json()
    assert seen_by_lars["contact_email"] == addressee.extra
    assert seen_by_erika["contact_email"] == asker.extra
    assert mails(app)[-1].recipient == asker.owner.email


def test_api_declining_shows_no_details(app, client, token, make, asker, addressee):
    request_id = pending(make, asker, addressee)

    response = client.post(f"/api/v1/contact-requests/{request_id}/decline", headers=token(addressee.owner))

    assert response.status_code == 200 and response.get_json()["status"] == "declined"
    seen = client.get(f"/api/v1/directory/profiles/{addressee.id}", headers=token(asker.owner)).get_json()
    assert "contact_email" not in seen
    assert mail_count(app) == 1


def test_api_asking_twice_answers_422_and_changes_nothing(app, client, token, make, asker, addressee):
    pending(make, asker, addressee)
    before, mails_before = requests_in_db(app), mail_count(app)

    response = api_ask(client, token, asker, addressee, message="Noch einmal: wir würden gern sprechen.")

    assert response.status_code == 422
    assert response.get_json()["errors"]["json"] == {
        "_form": [said(app, "You are already in contact with this profile, or a request is open.")]
    }
    assert requests_in_db(app) == before and mail_count(app) == mails_before


@pytest.mark.parametrize(
    ("message", "msgid", "params"),
    [
        ("Hallo!", "Length must be between {min} and {max}.", {"min": 10, "max": 1000}),
        ("x" * 1001, "Length must be between {min} and {max}.", {"min": 10, "max": 1000}),
        (None, "This field is required.", {}),
    ],
    ids=["too short", "too long", "missing"],
)
def test_api_a_bad_message_answers_422_naming_the_field_in_german(
    app, client, token, asker, addressee, message, msgid, params
):
    response = client.post(
        f"/api/v1/directory/profiles/{addressee.id}/contact-requests",
        json={} if message is None else {"message": message},
        headers=token(asker.owner),
    )

    assert response.status_code == 422
    assert response.get_json()["errors"]["json"] == {"message": [said_field_message(app, msgid, **params)]}
    assert requests_in_db(app) == [] and mail_count(app) == 0


def test_api_field_messages_are_german_by_default(client, token, asker, addressee):
    response = api_ask(client, token, asker, addressee, message="Hallo!")

    assert response.get_json()["errors"]["json"]["message"] == ["Die Länge muss zwischen 10 und 1000 Zeichen liegen."]


@pytest.mark.parametrize(
    ("case", "msgid"),
    [
        ("oneself", "This is your own profile."),
        ("without own profile", "Please create your own profile first, so that the other side knows who asks."),
        ("profile without account", "This profile has no account yet; please ask its region's coordination."),
    ],
)
def test_api_refused_requests_answer_422_with_the_reason(app, client, token, make, asker, case, msgid):
    if case == "oneself":
        caller, target = asker.owner, asker.id
    elif case == "without own profile":
        caller, target = make.participant("erzgebirge"), asker.id
    else:
        caller, target = asker.owner, make.profile("erzgebirge", name="Museum", visibility="network").id

    response = client.post(
        f"/api/v1/directory/profiles/{target}/contact-requests", json={"message": MESSAGE}, headers=token(caller)
    )

    assert response.status_code == 422
    assert response.get_json()["errors"]["json"] == {"_form": [said(app, msgid)]}
    assert requests_in_db(app) == [] and mail_count(app) == 0


@pytest.mark.parametrize("visibility", ["region", "private"])
def test_api_a_profile_the_asker_may_not_see_answers_404_whatever_the_body(
    app, client, token, member, asker, visibility
):
    hidden = member("erzgebirge", "Hanna Versteckt", visibility=visibility)

    for body in ({"message": MESSAGE}, {"message": "kurz"}, {}):
        response = client.post(
            f"/api/v1/directory/profiles/{hidden.id}/contact-requests", json=body, headers=token(asker.owner)
        )
        assert response.status_code == 404, body
    assert requests_in_db(app) == []


def test_api_the_umbrella_cannot_send_requests(app, client, token, make, addressee):
    response = client.post(
        f"/api/v1/directory/profiles/{addressee.id}/contact-requests",
        json={"message": MESSAGE},
        headers=token(make.umbrella()),
    )

    assert response.status_code == 403
    assert requests_in_db(app) == []


def test_api_only_the_addressee_answers(app, client, token, make, member, asker, addressee):
    request_id = pending(make, asker, addressee)
    third = member("erzgebirge", "Theo Dritter")

    by_asker = client.post(f"/api/v1/contact-requests/{request_id}/accept", headers=token(asker.owner))
    by_third = client.post(f"/api/v1/contact-requests/{request_id}/accept", headers=token(third.owner))
    unknown = client.post("/api/v1/contact-requests/999999/decline", headers=token(addressee.owner))

    assert by_asker.status_code == 422
    assert by_asker.get_json()["errors"]["json"] == {
        "_form": [said(app, "Only the addressee can answer a contact request.")]
    }
    assert by_third.status_code == 404 and unknown.status_code == 404
    assert requests_in_db(app)[0][2] == "pending"


def test_api_an_answered_request_cannot_be_answered_again(app, client, token, make, asker, addressee):
    request_id = pending(make, asker, addressee)
    erika = token(addressee.owner)
    client.post(f"/api/v1/contact-requests/{request_id}/decline", headers=erika)

    response = client.post(f"/api/v1/contact-requests/{request_id}/accept", headers=erika)

    assert response.status_code == 422
    assert requests_in_db(app)[0][2] == "declined"


# The directory in the JSON API -----------------------------------------------------------------


@pytest.fixture
def landscape(make, member):
    """Profiles of all kinds and visibilities; the viewer is a participant of Lausitz."""
    viewer = member("lausitz", "Vera Viewer", visibility="private")
    make.profile("erzgebirge", name="Tischlerei Möbelbau", visibility="network", kind="organisation")
    make.profile("erzgebirge", name="Möbelbau Designstudio", visibility="network", submarkets=["design"])
    make.profile("erzgebirge", name="Möbelbau nur Region", visibility="region")
    make.profile("meissen", name="Möbelbau Porzellan", visibility="network", kind="organisation")
    make.profile("meissen", name="Möbelbau ohne Einwilligung", visibility="network", consent=False)
    make.profile("lausitz", name="Lausitzer Möbelbau", visibility="region")
    make.profile("lausitz", name="Lausitzer Möbelbau privat", visibility="private")
    return viewer


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "möbelbau"},
        {"q": "moebelbau", "region": "erzgebirge"},
        {"q": "möbelbau", "kind": "organisation"},
        {"region": "lausitz"},
        {"submarket": "design"},
    ],
    ids=["everything", "text", "text and region", "text and kind", "region", "submarket"],
)
def test_api_directory_lists_what_the_page_lists(client, browser, token, landscape, query):
    response = client.get("/api/v1/directory", query_string={"per_page": 100, **query}, headers=token(landscape.owner))

    assert response.status_code == 200
    body = response.get_json()
    api_ids = {p["id"] for p in body["results"]}
    assert api_ids, "the landscape has something for every query"
    assert api_ids == directory_ids(browser(landscape.owner), **query)
    assert body["total"] == len(api_ids)


def test_api_directory_gives_results_and_facets_by_the_viewers_rights(client, token, landscape):
    response = client.get(
        "/api/v1/directory", query_string={"q": "möbelbau", "region": "erzgebirge"}, headers=token(landscape.owner)
    )

    body = response.get_json()
    assert sorted(p["display_name"] for p in body["results"]) == ["Möbelbau Designstudio", "Tischlerei Möbelbau"]
    assert all("contact_email" not in p and "visibility" not in p for p in body["results"])
    assert {f["value"]: f["count"] for f in body["facets"]["region"]} == {"erzgebirge": 2}
    assert {f["value"]: f["count"] for f in body["facets"]["kind"]} == {"creative": 1, "organisation": 1}

    everything = client.get("/api/v1/directory", query_string={"q": "möbelbau"}, headers=token(landscape.owner))
    names = sorted(p["display_name"] for p in everything.get_json()["results"])
    assert names == ["Lausitzer Möbelbau", "Möbelbau Designstudio", "Möbelbau Porzellan", "Tischlerei Möbelbau"]


def test_api_directory_needs_a_login(client):
    assert client.get("/api/v1/directory").status_code == 401


@pytest.mark.parametrize(
    ("args", "name"),
    [({"page": 0}, "page"), ({"per_page": 1000}, "per_page"), ({"kind": "dragon"}, "kind"), ({"page": "x"}, "page")],
)
def test_api_directory_bad_query_args_answer_422_naming_the_arg(app, client, token, landscape, args, name):
    response = client.get("/api/v1/directory", query_string=args, headers=token(landscape.owner))

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["query"] and list(errors["query"]) == [name]
