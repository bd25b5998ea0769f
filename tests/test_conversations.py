"""Conversations, as the two people and their coordinations meet them.

- Once a contact request is accepted, the two people have one conversation, however many of their profiles
  are in contact; before the acceptance there is none, and a third person does not find it (404).
- A message is plain text, stripped, 1 to 2000 characters, shown escaped with its line breaks and its time
  in Berlin. The header counts unread messages beside "Contacts" with one statement; opening the thread
  reads them.
- The recipient gets one e-mail per conversation until they have read it (if they want the topic): who wrote
  and the link back, never the text and never the writer's address.
- Blocking stops messages both ways and the blocked person's contact requests, until it is undone.
- A report goes to the coordination of the reported person's region only: they see who reported whom, why
  and when, close it, and never see the messages. (The reporter's coordination does not see it: it has no
  say over the other region's participant, and the report is the reported person's data too: as few people
  as needed see it.)
- Messages go after MESSAGE_RETENTION_DAYS; they are in the export of the person who wrote them and of the
  one who received them (Art. 15), and an erased person's messages are deleted, not pseudonymised (a text
  cannot be made nameless); the other person keeps their own.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from hub.core.db import db, utcnow
from hub.core.jobs.runner import execute
from hub.core.mail.models import OutboxMessage
from hub.core.tenancy import all_regions
from shared.conversations.models import Conversation, ConversationReport, Message
from tests.factories import PASSWORD
from tests.pages import CONFIRMED, bearer, field_error, said, shown, shown_field_message
from tests.statements import counted

WOOD = "Holzbau Erika"


@pytest.fixture
def people(make):
    """Erika (Erzgebirge) and Lars (Dresden), both listed network-wide; Theo, a third person; coordinators."""
    return {
        "erika": make.person("erzgebirge", name=WOOD, visibility="network"),
        "lars": make.person("dresden", name="Lars Festival", visibility="network"),
        "theo": make.person("erzgebirge", name="Theo Dritter", visibility="network"),
        "coord_erz": make.coordinator("erzgebirge", name="Koordination Erzgebirge"),
        "coord_dd": make.coordinator("dresden", name="Koordination Dresden"),
    }


@pytest.fixture
def browser(app):
    def login(person):
        client = app.test_client()
        email = person.owner.email if getattr(person, "owner", None) else person.email
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        return client

    return login


@pytest.fixture
def talk(make, people):
    """Lars asked Erika for contact and she accepted: their conversation, empty."""
    return make.conversation(people["lars"], people["erika"])


def messages_in_db(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Message.body).order_by(Message.id)))


def mails_to(app, email, topic="messages") -> list[OutboxMessage]:
    """The e-mails waiting for an address, of one topic."""
    with app.app_context():
        found = list(
            db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.recipient == email, OutboxMessage.topic == topic)
            )
        )
        db.session.expunge_all()
        return found


def unread_badge(html: str) -> str | None:
    """What the tab bar's "Contacts" says about unread messages (its spoken text)."""
    tab = html[html.find('class="tabbar"') :]
    badge = r'(?:<span class="count unread-messages">.*?<span class="visually-hidden">(.*?)</span>)?'
    found = re.search(r'href="/contacts/"[^>]*>[^<]*<svg.*?</svg>[^<]*' + badge, tab, re.S)
    return found.group(1) if found else None


# -- one conversation per pair ------------------------------------------------------------------------------


def test_an_accepted_contact_request_opens_one_conversation_for_the_two(app, make, people, browser):
    erika, lars = people["erika"], people["lars"]
    contact = make.accepted_contact(lars, erika)

    listed = browser(erika).get("/conversations/").get_data(as_text=True)
    assert "Lars Festival" in listed and "Dresden" in listed
    assert shown(app, "No messages yet – write the first one.") in listed
    assert "Holzbau Erika" in browser(lars).get("/conversations/").get_data(as_text=True)

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1
    # "Write a message" on the contacts page leads into it, for both.
    answer = browser(lars).post(f"/contacts/{contact.id}/conversation")
    assert answer.status_code == 302 and re.search(r"/conversations/\d+$", answer.headers["Location"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1


def test_a_second_accepted_request_between_the_same_two_people_keeps_one_thread(app, make, people, browser):
    erika, lars = people["erika"], people["lars"]
    make.accepted_contact(lars, erika)
    second = make.profile("meissen", user=erika.owner, name="Erikas Werkstatt", visibility="network")
    second.owner = erika.owner
    make.accepted_contact(second, lars)

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1
    assert (
        len(re.findall(r'href="/conversations/\d+"', browser(lars).get("/conversations/").get_data(as_text=True))) == 1
    )


def test_before_the_acceptance_there_is_nothing_to_write_in(app, make, people, browser):
    pending = make.contact_request(people["lars"], people["erika"])

    assert browser(people["lars"]).post(f"/contacts/{pending.id}/conversation").status_code == 403
    assert browser(people["theo"]).post(f"/contacts/{pending.id}/conversation").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0
    assert shown(
        app, "No conversations yet. Once a contact request is accepted, you can write to each other here."
    ) in (browser(people["erika"]).get("/conversations/").get_data(as_text=True))


def test_a_third_person_finds_no_conversation(app, make, people, browser, talk):
    theo = browser(people["theo"])
    token = make.access_token(people["theo"].owner).extra

    assert theo.get(f"/conversations/{talk.id}").status_code == 404
    assert theo.post(f"/conversations/{talk.id}/messages", data={"body": "Hallo"}).status_code == 404
    assert browser(people["coord_erz"]).get(f"/conversations/{talk.id}").status_code == 404
    assert theo.get(f"/api/v1/conversations/{talk.id}", headers=bearer(token)).status_code == 404
    assert messages_in_db(app) == []


# -- writing and reading ------------------------------------------------------------------------------------


def test_a_message_is_plain_text_with_its_line_breaks_and_its_time_in_berlin(app, people, browser, talk):
    with time_machine.travel("2027-01-15 09:30:00+00:00", tick=False):
        answer = browser(people["lars"]).post(
            f"/conversations/{talk.id}/messages", data={"body": "  Hallo Erika,\n<b>Tresen</b>?  "}
        )
    assert answer.status_code == 302 and "#m" in answer.headers["Location"]
    assert messages_in_db(app) == ["Hallo Erika,\n<b>Tresen</b>?"]

    html = browser(people["erika"]).get(f"/conversations/{talk.id}").get_data(as_text=True)
    assert '<p class="text">Hallo Erika,\n&lt;b&gt;Tresen&lt;/b&gt;?</p>' in html
    assert "15.01.27, 10:30" in html  # 09:30 UTC is 10:30 in Berlin in winter


@pytest.mark.parametrize(
    ("body", "msgid", "params"),
    [
        ("   ", "Please write a message.", {}),
        ("x" * 2001, "At most {max} characters, please.", {"max": 2000}),
    ],
)
def test_an_empty_or_too_long_message_is_refused_beside_the_field(app, people, browser, talk, body, msgid, params):
    answer = browser(people["lars"]).post(f"/conversations/{talk.id}/messages", data={"body": body})

    assert answer.status_code == 422
    assert field_error(answer.get_data(as_text=True), "body") == shown_field_message(app, msgid, **params)
    assert messages_in_db(app) == []


def test_the_header_counts_unread_messages_until_the_thread_is_opened(app, make, people, browser):
    erika, lars = people["erika"], people["lars"]
    make.conversation(lars, erika, (erika.owner, "Eins"), (lars.owner, "Zwei"), (lars.owner, "Drei"))
    reader = browser(erika)

    assert unread_badge(reader.get("/contacts/").get_data(as_text=True)) == "2 ungelesene Nachrichten"
    listed = reader.get("/conversations/").get_data(as_text=True)
    assert "Drei" in listed and "Zwei" not in listed  # the last message's excerpt
    [link] = set(re.findall(r'href="(/conversations/\d+)"', listed))

    reader.get(link)
    assert unread_badge(reader.get("/contacts/").get_data(as_text=True)) is None
    # Writing is reading: Lars answered after Erika's message, so nothing waits for him.
    assert unread_badge(browser(lars).get("/contacts/").get_data(as_text=True)) is None


def test_the_unread_count_shares_the_headers_one_statement(app, make, people, browser):
    erika, lars = people["erika"], people["lars"]
    make.conversation(lars, erika, (lars.owner, "Eins"))
    make.conversation(people["theo"], erika, (people["theo"].owner, "Zwei"))
    reader = browser(erika)

    with counted(app) as statements:
        html = reader.get("/calendar/").get_data(as_text=True)
    assert unread_badge(html) == "2 ungelesene Nachrichten"
    [header] = [s for s in statements if "conversation_message" in s]
    assert "FROM notification" in header  # the bell's number comes with it: one statement for the header


# -- e-mail ----------------------------------------------------------------------------------------------


def test_one_email_per_conversation_until_it_is_read_without_text_or_address(app, people, browser, talk):
    erika, lars = people["erika"], people["lars"]
    writer = browser(lars)
    writer.post(f"/conversations/{talk.id}/messages", data={"body": "Geheimer Plan für den Tresen"})
    writer.post(f"/conversations/{talk.id}/messages", data={"body": "Noch etwas"})

    [mail] = mails_to(app, erika.owner.email)
    assert "Lars Festival" in mail.subject
    assert f"/conversations/{talk.id}" in mail.body
    assert "Geheimer Plan" not in mail.body and "Noch etwas" not in mail.body
    assert lars.owner.email not in mail.body and lars.owner.email not in mail.subject
    assert mail.topic == "messages"

    with app.app_context():  # the e-mail left
        db.session.get(OutboxMessage, mail.id).sent_at = utcnow()
        db.session.commit()
    browser(erika).get(f"/conversations/{talk.id}")
    writer.post(f"/conversations/{talk.id}/messages", data={"body": "Und noch eins"})
    assert len(mails_to(app, erika.owner.email)) == 2


def test_a_message_read_before_its_email_left_withdraws_the_email(app, people, browser, talk):
    browser(people["lars"]).post(f"/conversations/{talk.id}/messages", data={"body": "Hallo"})
    assert len(mails_to(app, people["erika"].owner.email)) == 1

    browser(people["erika"]).get(f"/conversations/{talk.id}")

    assert mails_to(app, people["erika"].owner.email) == []


def test_no_email_to_someone_who_switched_messages_off(app, people, browser, talk):
    erika = browser(people["erika"])
    with app.app_context():
        from hub.accounts.models import User
        from hub.notifications.services import choosable_topics, choose

        user = db.session.get(User, people["erika"].owner.id)
        choose(user, emailed=set(choosable_topics(user)) - {"messages"})
        db.session.commit()

    browser(people["lars"]).post(f"/conversations/{talk.id}/messages", data={"body": "Hallo"})

    assert mails_to(app, people["erika"].owner.email) == []
    assert unread_badge(erika.get("/contacts/").get_data(as_text=True)) == "1 ungelesene Nachricht"


# -- block and report ---------------------------------------------------------------------------------------


def test_blocking_stops_messages_both_ways_and_contact_requests_until_undone(app, make, people, browser, talk):
    erika, lars = browser(people["erika"]), browser(people["lars"])
    asked = erika.post(f"/conversations/{talk.id}/block")
    assert asked.status_code == 200 and "Lars Festival" in asked.get_data(as_text=True)  # asks first
    assert erika.post(f"/conversations/{talk.id}/block", data=CONFIRMED).status_code == 302

    assert lars.post(f"/conversations/{talk.id}/messages", data={"body": "Hallo?"}).status_code == 403
    assert erika.post(f"/conversations/{talk.id}/messages", data={"body": "Tschüss"}).status_code == 403
    assert messages_in_db(app) == []
    html = erika.get(f"/conversations/{talk.id}").get_data(as_text=True)
    assert shown(app, "Unblock") in html and 'name="body"' not in html
    # Lars cannot ask Erika's other profile for contact either.
    other = make.profile("meissen", user=people["erika"].owner, name="Erikas Werkstatt", visibility="network")
    refused = lars.post(f"/directory/profiles/{other.id}/contact", data={"message": "Bitte noch einmal sprechen."})
    assert refused.status_code == 422
    assert shown(app, "This person does not accept contact requests from you.") in refused.get_data(as_text=True)

    assert erika.post(f"/conversations/{talk.id}/unblock").status_code == 302
    assert lars.post(f"/conversations/{talk.id}/messages", data={"body": "Wieder da"}).status_code == 302
    assert messages_in_db(app) == ["Wieder da"]


def test_a_report_reaches_the_reported_persons_coordination_without_the_messages(app, make, people, browser):
    erika, lars = people["erika"], people["lars"]
    talk = make.conversation(lars, erika, (lars.owner, "Private Zeile von Lars"), (erika.owner, "Antwort"))
    reporter = browser(erika)

    answer = reporter.post(f"/conversations/{talk.id}/report", data={"reason": "Er schreibt mir beleidigende Dinge."})
    assert answer.status_code == 302
    again = reporter.post(f"/conversations/{talk.id}/report", data={"reason": "Und schon wieder, bitte prüfen."})
    assert again.status_code == 409

    dresden = browser(people["coord_dd"])
    listed = dresden.get("/dresden/conversation-reports/").get_data(as_text=True)
    assert "Lars Festival" in listed and WOOD in listed and "Er schreibt mir beleidigende Dinge." in listed
    assert "Private Zeile von Lars" not in listed and "Antwort" not in listed
    assert mails_to(app, people["coord_dd"].email, "conversation_reports"), "the coordination is told"
    assert not mails_to(app, people["coord_erz"].email, "conversation_reports")
    # The reporter's own region does not see it, and cannot reach it through its address.
    erz = browser(people["coord_erz"])
    assert "beleidigende" not in erz.get("/erzgebirge/conversation-reports/").get_data(as_text=True)
    with app.app_context(), all_regions():
        report_id = db.session.scalar(select(ConversationReport.id))
    assert erz.post(f"/erzgebirge/conversation-reports/{report_id}/close").status_code == 404
    assert browser(erika).get("/dresden/conversation-reports/").status_code in (403, 404)

    assert dresden.post(f"/dresden/conversation-reports/{report_id}/close").status_code == 302
    assert shown(app, "closed") in dresden.get("/dresden/conversation-reports/").get_data(as_text=True)
    assert (
        reporter.post(f"/conversations/{talk.id}/report", data={"reason": "Es geht weiter, leider."}).status_code == 302
    )


def test_a_report_needs_a_reason(app, people, browser, talk):
    answer = browser(people["erika"]).post(f"/conversations/{talk.id}/report", data={"reason": "doof"})

    assert answer.status_code == 422
    assert field_error(answer.get_data(as_text=True), "reason")
    with app.app_context(), all_regions():
        assert db.session.scalar(select(func.count()).select_from(ConversationReport)) == 0


# -- retention, export, erasure -------------------------------------------------------------------------------


def test_messages_are_deleted_after_their_retention(app, make, people):
    erika, lars = people["erika"], people["lars"]
    make.conversation(lars, erika, (lars.owner, "Alt"))
    days = app.config["MESSAGE_RETENTION_DAYS"]

    with time_machine.travel(utcnow() + timedelta(days=days - 1), tick=False), app.app_context():
        assert execute("conversations.retention").summary == {"messages": 0, "reports": 0}
    with time_machine.travel(utcnow() + timedelta(days=days + 1), tick=False):
        make.conversation(people["theo"], erika, (people["theo"].owner, "Neu"))
        with app.app_context():
            assert execute("conversations.retention").summary == {"messages": 1, "reports": 0}
    assert messages_in_db(app) == ["Neu"]


def test_handled_reports_are_deleted_after_their_retention_open_ones_stay(app, make, people, browser, talk):
    make.conversation_report(talk, people["erika"].owner, reason="Erste Meldung, erledigt.")
    with app.app_context(), all_regions():
        db.session.scalar(select(ConversationReport)).handled_at = utcnow()
        db.session.commit()
    days = app.config["CONVERSATION_REPORT_RETENTION_DAYS"]
    make.conversation_report(talk, people["erika"].owner, reason="Zweite Meldung, offen.")

    with time_machine.travel(utcnow() + timedelta(days=days + 1), tick=False), app.app_context():
        assert execute("conversations.retention").summary["reports"] == 1
    with app.app_context(), all_regions():
        assert list(db.session.scalars(select(ConversationReport.reason))) == ["Zweite Meldung, offen."]


def test_the_export_holds_ones_own_and_received_messages(app, make, people, browser):
    erika, lars = people["erika"], people["lars"]
    make.conversation(lars, erika, (lars.owner, "Von Lars"), (erika.owner, "Von Erika"))
    make.conversation(people["theo"], lars, (people["theo"].owner, "Theo an Lars"))

    found = {s["table"]: s for s in browser(erika).get("/api/v1/me/export").get_json()["sections"]}

    assert [r["body"] for r in found["conversation_message"]["rows"]] == ["Von Erika"]
    assert [r["body"] for r in found["conversation_message"]["about_you"]] == ["Von Lars"]
    assert len(found["conversation_member"]["rows"]) == 1


def test_an_erased_persons_messages_are_deleted_and_the_other_keeps_their_own(app, make, people, browser):
    erika, lars = people["erika"], people["lars"]
    talk = make.conversation(lars, erika, (lars.owner, "Von Lars"), (erika.owner, "Von Erika"))

    gone = browser(lars).post("/account/delete", data={"password": PASSWORD, "confirmation": lars.owner.email})
    assert gone.status_code == 302

    assert messages_in_db(app) == ["Von Erika"]
    page = browser(erika).get(f"/conversations/{talk.id}").get_data(as_text=True)
    assert "Von Erika" in page and "Lars Festival" not in page
    assert said(app, "This person's account no longer exists.") in page
    assert browser(erika).post(f"/conversations/{talk.id}/messages", data={"body": "Hallo?"}).status_code == 422


# -- the API ------------------------------------------------------------------------------------------------


def test_the_api_lists_reads_and_writes_like_the_pages(app, make, people):
    erika, lars = people["erika"], people["lars"]
    talk = make.conversation(lars, erika, (lars.owner, "Hallo Erika"))
    token = bearer(make.access_token(erika.owner).extra)
    client = app.test_client()

    listed = client.get("/api/v1/conversations", headers=token).get_json()
    assert listed["unread"] == 1
    [item] = listed["conversations"]
    assert item["other"] == {"profile_id": lars.id, "name": "Lars Festival", "region": "dresden"}
    assert item["last_message"]["body"] == "Hallo Erika" and item["unread"] == 1 and item["can_write"]
    assert lars.owner.email not in str(listed)

    thread = client.get(f"/api/v1/conversations/{talk.id}", headers=token).get_json()
    assert [(m["body"], m["mine"]) for m in thread["messages"]] == [("Hallo Erika", False)]
    sent = client.post(f"/api/v1/conversations/{talk.id}/messages", json={"body": "  Hallo Lars  "}, headers=token)
    assert sent.status_code == 201 and sent.get_json()["body"] == "Hallo Lars"
    empty = client.post(f"/api/v1/conversations/{talk.id}/messages", json={"body": " "}, headers=token)
    assert empty.status_code == 422
    assert empty.get_json()["errors"]["json"]["body"] == [said(app, "Please write a message.")]

    assert client.post(f"/api/v1/conversations/{talk.id}/read", headers=token).status_code == 200
    assert client.get("/api/v1/conversations", headers=token).get_json()["unread"] == 0
