"""Notifications: the in-app list, the choice of e-mails, and the one-click unsubscribe link in every e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hub.accounts.models import User
from hub.core.db import db, utcnow
from hub.core.jobs.runner import execute
from hub.core.mail.models import OutboxMessage
from hub.core.mail.services import build_email
from hub.core.tenancy import all_regions
from hub.notifications.models import Notification
from hub.notifications.services import mail_allowed, unsubscribe_token
from regions.events.models import Event
from shared.calendar import services as calendar
from tests.factories import PASSWORD

REGION = "erzgebirge"


def _mails(app, recipient: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
            )
        )
        db.session.expunge_all()
        return rows


def _unsubscribe_path(message: OutboxMessage) -> str:
    [link] = re.findall(r"https?://[^/\s]+(/unsubscribe/\S+)", message.body)
    return link


def _remind(app, make, person, hours: float = 20) -> None:
    """An event soon with the person registered, and the reminder job run."""
    event = make.event(REGION, start=utcnow().replace(microsecond=0) + timedelta(hours=hours), title="Fachabend")
    make.registration(event, person)
    with app.app_context():
        execute("events.reminders")


def _reminders(app, person) -> list[OutboxMessage]:
    return [m for m in _mails(app, person.email) if m.subject.startswith("Erinnerung")]


def _login(client, person):
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302


# -- every e-mail can be stopped with one click -------------------------------------------------------


def test_every_email_carries_a_one_click_unsubscribe_link_and_the_list_unsubscribe_headers(app, make):
    ada = make.participant(REGION)
    _remind(app, make, ada)
    [reminder] = _reminders(app, ada)

    assert "Keine E-Mails dieser Art (Erinnerungen an Veranstaltungen) mehr" in reminder.body
    assert "http://hub.test/account/notifications" in reminder.body
    with app.app_context():
        email = build_email(reminder)
    assert email["List-Unsubscribe"] == f"<{reminder.unsubscribe_url}>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _unsubscribe_path(reminder) in reminder.unsubscribe_url


def test_the_list_unsubscribe_header_is_one_plain_https_line_in_the_raw_message(app, make, monkeypatch):
    """Mail programs read the raw field: a long link must not be folded into RFC 2047 encoded-words."""
    monkeypatch.setitem(app.config, "BASE_URL", "https://hub.example")
    ada = make.participant(REGION, email="ada.lovelace.mit.einer.recht.langen.adresse@beispiel-netzwerk.example.org")
    _remind(app, make, ada)
    [reminder] = _reminders(app, ada)
    assert len(reminder.unsubscribe_url) > 100

    with app.app_context():
        email = build_email(reminder)
    for raw in (email.as_bytes(), email.as_bytes(policy=email.policy.clone(linesep="\r\n"))):
        lines = raw.split(b"\n")
        [at] = [i for i, line in enumerate(lines) if line.lower().startswith(b"list-unsubscribe:")]
        value = lines[at].split(b":", 1)[1].strip()
        assert re.fullmatch(rb"<https://hub\.example/unsubscribe/[A-Za-z0-9_.-]+>", value), value
        assert b"=?" not in value
        assert not lines[at + 1].startswith((b" ", b"\t")), "the header goes on in a folded line"
        assert value.decode() == f"<{reminder.unsubscribe_url}>"
        assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_opening_the_link_only_shows_a_page_with_one_button(app, make, client):
    """A mail gateway that fetches every link to scan it must not unsubscribe anybody (RFC 8058)."""
    ada = make.participant(REGION)
    _remind(app, make, ada)
    path = _unsubscribe_path(_reminders(app, ada)[0])

    page = client.get(path)

    assert page.status_code == 200
    main = page.get_data(as_text=True).split('<main id="main">')[1].split("</main>")[0]
    assert f'<form method="post" action="{path}"' in main and main.count("<button") == 1
    assert page.headers["Referrer-Policy"] == "no-referrer"
    _remind(app, make, ada, hours=30)
    assert len(_reminders(app, ada)) == 2, "still subscribed"


def test_an_unsubscribe_link_expires_and_then_leads_to_the_settings(app, make, client, time_machine):
    ada = make.participant(REGION)
    _remind(app, make, ada)
    path = _unsubscribe_path(_reminders(app, ada)[0])
    days = app.config["UNSUBSCRIBE_LINK_DAYS"]

    time_machine.move_to(utcnow() + timedelta(days=days - 1))
    assert client.get(path).status_code == 200
    time_machine.move_to(utcnow() + timedelta(days=2))
    opened, clicked = client.get(path), client.post(path, data={"List-Unsubscribe": "One-Click"})

    for answer in (opened, clicked):
        assert answer.status_code == 410
        text = answer.get_data(as_text=True)
        assert "Dieser Link ist abgelaufen" in text and 'href="/account/notifications"' in text
    assert client.post(f"{path}/undo").status_code == 410
    with app.app_context():
        assert mail_allowed(ada.email, "event_reminders"), "nothing changed"


def test_links_from_before_they_expired_count_as_expired(app, make, client):
    """The first links carried no date and would have worked for ever."""
    from itsdangerous import URLSafeSerializer

    ada = make.participant(REGION)
    old = URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe").dumps({"e": ada.email, "t": "all"})

    assert client.post(f"/unsubscribe/{old}").status_code == 410
    with app.app_context():
        assert mail_allowed(ada.email, "event_reminders")


def test_the_link_unsubscribes_without_login_and_only_from_that_kind(app, make, client):
    ada = make.participant(REGION)
    _remind(app, make, ada)
    [reminder] = _reminders(app, ada)

    response = client.post(_unsubscribe_path(reminder))  # not signed in: the page's button

    assert response.status_code == 200
    assert "Abgemeldet" in response.get_data(as_text=True)
    _remind(app, make, ada, hours=30)
    assert len(_reminders(app, ada)) == 1  # no second reminder by e-mail …
    with app.app_context():
        subjects = [n.subject for n in db.session.scalars(select(Notification).where(Notification.user_id == ada.id))]
    assert subjects.count("Erinnerung: Fachabend") == 2  # … but still in the hub
    # other kinds still come: a registration's confirmation is "registrations"
    event = make.event(REGION, capacity=1, title="Werkstatt")
    make.registration(event, make.participant(REGION))
    with app.app_context(), app.test_request_context():
        with all_regions():
            the_event = db.session.get(Event, event.id)
        calendar.register_self(the_event, db.session.get(User, ada.id), {})
        db.session.commit()
    assert "Sie stehen auf der Warteliste: Werkstatt" in [m.subject for m in _mails(app, ada.email)]


def test_undo_on_the_page_subscribes_again(app, make, client):
    ada = make.participant(REGION)
    _remind(app, make, ada)
    path = _unsubscribe_path(_reminders(app, ada)[0])
    client.post(path)

    response = client.post(f"{path}/undo")

    assert response.status_code == 200
    assert "Wieder angemeldet" in response.get_data(as_text=True)
    _remind(app, make, ada, hours=30)
    assert len(_reminders(app, ada)) == 2


def test_mail_programs_can_unsubscribe_with_a_post_and_no_form_token(app, make, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    ada = make.participant(REGION)
    _remind(app, make, ada)
    path = _unsubscribe_path(_reminders(app, ada)[0])

    bob = make.participant(REGION)

    response = client.post(path, data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    _remind(app, make, ada, hours=30)
    assert len(_reminders(app, ada)) == 1
    with app.app_context():  # the link stops only its own address's one kind of e-mail
        assert mail_allowed(ada.email, "registrations") and mail_allowed(bob.email, "event_reminders")


def test_a_forged_or_altered_link_changes_nothing(app, make, client):
    ada = make.participant(REGION)
    _remind(app, make, ada)
    path = _unsubscribe_path(_reminders(app, ada)[0])

    assert client.get(path[:-3] + "abc").status_code == 404
    assert client.post(path[:-3] + "abc").status_code == 404
    assert client.post("/unsubscribe/not-a-token").status_code == 404
    with app.test_request_context():
        unknown_topic = unsubscribe_token(ada.email, "no-such-topic")
    assert client.post(f"/unsubscribe/{unknown_topic}").status_code == 404
    _remind(app, make, ada, hours=30)
    assert len(_reminders(app, ada)) == 2


def test_essential_mail_always_comes_and_its_link_stops_every_optional_kind(app, make, client):
    ada = make.participant(REGION)
    client.post("/password/forgot", data={"email": ada.email})
    [reset] = _mails(app, ada.email)
    assert "Keine wählbaren E-Mails mehr (diese betrifft Ihr Konto und kommt immer)" in reset.body

    client.post(_unsubscribe_path(reset))

    _remind(app, make, ada)
    assert _reminders(app, ada) == []
    client.post("/password/forgot", data={"email": ada.email})
    assert sum(1 for m in _mails(app, ada.email) if "Passwort" in m.subject) == 2


def test_an_address_without_account_can_stop_invitations_and_the_coordination_is_told(app, make, client):
    coordinator = make.coordinator(REGION)
    _login(client, coordinator)
    client.post(
        f"/{REGION}/members/invitations", data={"email": "gast@example.org", "name": "Gast", "role": "participant"}
    )
    [invitation] = _mails(app, "gast@example.org")
    anonymous = app.test_client()
    assert anonymous.post(_unsubscribe_path(invitation)).status_code == 200

    response = client.post(
        f"/{REGION}/members/invitations", data={"email": "gast@example.org", "name": "Gast", "role": "participant"}
    )

    assert response.status_code == 422
    assert "Diese Adresse hat gebeten, keine Einladungen aus dem Hub zu erhalten." in response.get_data(as_text=True)
    assert len(_mails(app, "gast@example.org")) == 1


# -- the choice of e-mails ----------------------------------------------------------------------------


def test_a_participant_chooses_which_emails_come_and_sees_no_digest_choice(app, make, client):
    ada = make.participant(REGION)
    _login(client, ada)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Erinnerungen an Veranstaltungen" in page
    assert "Zusammenfassung Ihrer Region" not in page

    response = client.post("/account/notifications", data={"emailed": ["registrations", "contacts"]})

    assert response.status_code == 302
    _remind(app, make, ada)
    assert _reminders(app, ada) == []
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'value="registrations" checked' in page and 'value="event_reminders" checked' not in page


def test_a_coordinator_chooses_how_often_the_digest_comes_and_a_bad_choice_is_explained(app, make, client):
    coordinator = make.coordinator(REGION)
    _login(client, coordinator)
    assert "wöchentlich, montags" in client.get("/account/notifications").get_data(as_text=True)

    bad = client.post("/account/notifications", data={"emailed": ["registrations"], "digest": "hourly"})
    assert bad.status_code == 422
    assert "Muss eines davon sein: weekly, daily, never." in bad.get_data(as_text=True)
    good = client.post("/account/notifications", data={"emailed": ["registrations"], "digest": "daily"})
    assert good.status_code == 302
    assert 'value="daily" checked' in client.get("/account/notifications").get_data(as_text=True)


# -- the in-app list ----------------------------------------------------------------------------------


def test_notifications_are_listed_counted_and_opened_by_their_owner_only(app, make, client):
    ada, bob = make.participant(REGION), make.participant(REGION)
    mine = make.notification(ada, subject="Für Ada", link="/calendar/")
    theirs = make.notification(bob, subject="Für Bob")
    _login(client, ada)

    page = client.get("/notifications").get_data(as_text=True)
    assert "Für Ada" in page and "Für Bob" not in page
    assert '1<span class="visually-hidden"> ungelesen</span>' in page

    opened = client.get(f"/notifications/{mine.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/calendar/")
    assert "ungelesen" not in client.get("/notifications").get_data(as_text=True)
    assert client.get(f"/notifications/{theirs.id}").status_code == 404


def test_the_umbrella_may_mark_its_own_notifications_read(app, make, client):
    umbrella = make.umbrella()
    make.notification(umbrella, subject="Bericht fertig")
    _login(client, umbrella)

    assert client.post("/notifications/read").status_code == 302
    assert "ungelesen" not in client.get("/notifications").get_data(as_text=True)


# -- the API -------------------------------------------------------------------------------------------


def test_the_api_lists_marks_read_and_changes_the_choice_partially(app, make, client):
    ada = make.participant(REGION)
    notice = make.notification(ada, subject="API-Mitteilung")
    headers = {"Authorization": f"Bearer {make.access_token(ada).extra}"}

    listed = client.get("/api/v1/notifications/", headers=headers).get_json()
    [item] = listed["items"]
    assert item["subject"].endswith("API-Mitteilung") and item["id"] == notice.id and listed["unread"] == 1
    assert client.get(f"/api/v1/notifications/{notice.id}", headers=headers).status_code == 200
    assert client.post("/api/v1/notifications/read", json={"ids": [notice.id]}, headers=headers).get_json() == {
        "unread": 0
    }

    changed = client.patch("/api/v1/notifications/settings", json={"digest": "daily"}, headers=headers).get_json()
    assert changed["digest"] == "daily" and "event_reminders" in changed["emailed"]  # emailed left as it was
    refused = client.patch("/api/v1/notifications/settings", json={"emailed": ["spam"]}, headers=headers)
    assert refused.status_code == 422
    assert "emailed" in refused.get_json()["errors"]["json"]
    assert "/api/v1/notifications/settings" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_someone_elses_notification_is_not_found_in_the_api(app, make, client):
    ada, bob = make.participant(REGION), make.participant(REGION)
    theirs = make.notification(bob)
    headers = {"Authorization": f"Bearer {make.access_token(ada).extra}"}

    assert client.get(f"/api/v1/notifications/{theirs.id}", headers=headers).status_code == 404
    client.post("/api/v1/notifications/read", json={"ids": [theirs.id]}, headers=headers)
    with app.app_context():
        assert db.session.get(Notification, theirs.id).read_at is None


def test_bad_input_to_the_notifications_api_is_refused_with_the_field_named_and_changes_nothing(app, make, client):
    ada = make.participant(REGION)
    notice = make.notification(ada)
    headers = {"Authorization": f"Bearer {make.access_token(ada).extra}"}

    assert "page" in client.get("/api/v1/notifications/?page=0", headers=headers).get_json()["errors"]["query"]
    refused = client.post("/api/v1/notifications/read", json={"ids": ["eins"]}, headers=headers)
    assert refused.status_code == 422 and "ids" in refused.get_json()["errors"]["json"]
    bad_digest = client.patch("/api/v1/notifications/settings", json={"digest": "stündlich"}, headers=headers)
    assert bad_digest.status_code == 422 and "digest" in bad_digest.get_json()["errors"]["json"]
    with app.app_context():
        assert db.session.get(Notification, notice.id).read_at is None
        assert client.get("/api/v1/notifications/settings", headers=headers).get_json()["digest"] == "weekly"
