"""The mail outbox: every e-mail is a row first and leaves only when SMTP took it."""

from __future__ import annotations

import smtplib
import socket
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hub.core.db import db, utcnow
from hub.core.mail import services
from hub.core.mail.models import OutboxMessage
from hub.core.mail.services import queue_mail, send_due

LINK = "http://hub.test/reset-password/abc"


def _queue_reset(recipient: str = "ada@example.org", **kw) -> OutboxMessage:
    return queue_mail(recipient, "password_reset", user=SimpleNamespace(name="Ada"), link=LINK, hours=2, **kw)


def _queue_invitation(locale: str | None) -> OutboxMessage:
    region = SimpleNamespace(name="Erzgebirge", organisation="Kreatives Erzgebirge")
    invitation = SimpleNamespace(
        name="Ada", email="ada@example.org", expires_at=datetime(2030, 3, 14, 11, 0, tzinfo=UTC)
    )
    return queue_mail(
        "ada@example.org", "invitation", locale=locale, region=region, invitation=invitation,
        link="http://hub.test/invitation/xyz", inviter="Koordination Erzgebirge",
    )  # fmt: skip


def _messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeSMTP:
    """Stands in for smtplib.SMTP (aiosmtpd is not installed): records connections and messages."""

    connections: list[FakeSMTP] = []
    sent: list = []
    refuse: set[str] = set()
    down = False

    def __init__(self, host, port, timeout=None):
        if FakeSMTP.down:
            raise ConnectionRefusedError(111, "Connection refused")
        self.host, self.port, self.timeout = host, port, timeout
        self.tls = False
        self.login_as = None
        self.closed = False
        FakeSMTP.connections.append(self)

    def starttls(self):
        self.tls = True

    def login(self, user, password):
        self.login_as = (user, password)

    def send_message(self, message):
        if message["To"] in FakeSMTP.refuse:
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such mailbox")})
        FakeSMTP.sent.append(message)

    def quit(self):
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()


@pytest.fixture
def smtp(app, monkeypatch):
    """A fake SMTP server at smtp.test:2525 (no TLS, no login unless a test sets them)."""
    monkeypatch.setattr(FakeSMTP, "connections", [])
    monkeypatch.setattr(FakeSMTP, "sent", [])
    monkeypatch.setattr(FakeSMTP, "refuse", set())
    monkeypatch.setattr(FakeSMTP, "down", False)
    monkeypatch.setattr(services.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.test")
    monkeypatch.setitem(app.config, "MAIL_PORT", 2525)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "")
    return FakeSMTP


# Rendering ------------------------------------------------------------------------------------


def test_the_first_line_of_the_template_is_the_subject(ctx):
    message = _queue_reset(locale="en")

    assert message.subject == "Reset your password for CIMIS Hub"
    assert message.body.startswith("Hello Ada,\n")
    assert LINK in message.body
    assert "Reset your password" not in message.body
    assert message.recipient == "ada@example.org"


def test_mail_is_german_by_default(ctx):
    message = _queue_reset()

    assert message.subject == "Passwort für den CIMIS Hub zurücksetzen"
    assert message.body.startswith("Guten Tag Ada,\n")
    assert LINK in message.body


def test_mail_is_english_for_a_recipient_who_chose_english(ctx):
    message = _queue_reset(locale="en")

    assert message.subject == "Reset your password for CIMIS Hub"
    assert "Guten Tag" not in message.body


def test_dates_in_mail_follow_the_recipients_locale(ctx):
    german, english = _queue_invitation(None), _queue_invitation("en")

    assert german.subject == "Einladung in das Netzwerk Erzgebirge im CIMIS Hub"
    assert "14. März 2030" in german.body
    assert english.subject == "Invitation to the network Erzgebirge on CIMIS Hub"
    assert "March 14, 2030" in english.body


def test_queueing_does_not_commit_and_the_message_waits_as_queued(ctx):
    _queue_reset()
    db.session.rollback()
    assert _messages() == []

    message = _queue_reset()
    db.session.commit()

    [stored] = _messages()
    assert stored.id == message.id
    assert (stored.status, stored.attempts, stored.sent_at) == ("queued", 0, None)


# Delivery -------------------------------------------------------------------------------------


def test_without_a_mail_server_nothing_is_sent_and_the_message_stays_queued(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    _queue_reset()
    db.session.commit()

    assert send_due() == {"sent": 0, "failed": 0}

    [message] = _messages()
    assert (message.status, message.attempts, message.sent_at, message.last_error) == ("queued", 0, None, None)


def test_smtp_down_keeps_the_message_for_a_retry(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _closed_port())
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    _queue_reset()
    db.session.commit()
    before = utcnow()

    assert send_due() == {"sent": 0, "failed": 1}

    [message] = _messages()
    assert message.sent_at is None
    assert message.attempts == 1
    assert message.status == "retrying"
    assert message.last_error and "refused" in message.last_error.lower()
    assert before < message.next_attempt_at <= before + timedelta(hours=12, minutes=1)


def test_due_messages_are_sent_over_smtp(app, ctx, smtp):
    _queue_reset("ada@example.org")
    _queue_reset("bob@example.org", locale="en")
    db.session.commit()

    assert send_due() == {"sent": 2, "failed": 0}

    assert len(smtp.connections) == 1
    assert (smtp.connections[0].host, smtp.connections[0].port) == ("smtp.test", 2525)
    assert smtp.connections[0].closed
    arrived = {m["To"]: m for m in smtp.sent}
    assert set(arrived) == {"ada@example.org", "bob@example.org"}
    assert arrived["ada@example.org"]["Subject"] == "Passwort für den CIMIS Hub zurücksetzen"
    assert arrived["bob@example.org"]["Subject"] == "Reset your password for CIMIS Hub"
    assert arrived["bob@example.org"]["From"] == app.config["MAIL_SENDER"]
    assert LINK in arrived["bob@example.org"].get_content()
    for message in _messages():
        assert message.sent_at is not None
        assert (message.status, message.attempts) == ("sent", 1)


def test_sent_messages_are_not_sent_again(ctx, smtp):
    _queue_reset()
    db.session.commit()
    send_due()

    assert send_due() == {"sent": 0, "failed": 0}
    assert len(smtp.sent) == 1


def test_tls_and_login_are_used_when_configured(app, ctx, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", True)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "hub")
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "s3cret")
    _queue_reset()
    db.session.commit()

    send_due()

    [connection] = smtp.connections
    assert connection.tls
    assert connection.login_as == ("hub", "s3cret")


def test_a_refused_recipient_does_not_stop_the_others(ctx, smtp):
    smtp.refuse.add("gone@example.org")
    _queue_reset("gone@example.org")
    _queue_reset("ada@example.org")
    db.session.commit()

    assert send_due() == {"sent": 1, "failed": 1}

    gone, ada = _messages()
    assert (gone.sent_at, gone.attempts, gone.status) == (None, 1, "retrying")
    assert "SMTPRecipientsRefused" in gone.last_error
    assert ada.sent_at is not None
    assert [m["To"] for m in smtp.sent] == ["ada@example.org"]


def test_a_message_not_yet_due_is_not_retried(ctx, smtp):
    message = _queue_reset()
    message.attempts = 1
    message.next_attempt_at = utcnow() + timedelta(minutes=10)
    db.session.commit()

    assert send_due() == {"sent": 0, "failed": 0}

    assert smtp.connections == []
    [message] = _messages()
    assert (message.sent_at, message.attempts) == (None, 1)


def test_a_failed_message_is_sent_once_it_is_due_again(ctx, smtp):
    smtp.down = True
    _queue_reset()
    db.session.commit()
    assert send_due() == {"sent": 0, "failed": 1}
    smtp.down = False
    assert send_due() == {"sent": 0, "failed": 0}, "retried before its backoff ran out"

    [message] = _messages()
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert send_due() == {"sent": 1, "failed": 0}

    [message] = _messages()
    assert message.sent_at is not None
    assert message.attempts == 2


def test_through_an_outage_of_days_the_hub_keeps_trying_at_least_hourly_and_gives_up_after_five_days(
    app, ctx, smtp, time_machine
):
    smtp.down = True
    _queue_reset()
    db.session.commit()
    time_machine.move_to(utcnow(), tick=False)
    first_failure, tries = utcnow(), []
    while True:
        send_due()
        [message] = _messages()
        if message.given_up_at is not None:
            break
        tries.append(utcnow())
        time_machine.move_to(message.next_attempt_at + timedelta(seconds=1), tick=False)

    gaps = [later - earlier for earlier, later in zip(tries, tries[1:], strict=False)]
    assert max(gaps) <= timedelta(hours=1, seconds=1), "never more than an hour between two tries"
    give_up = timedelta(hours=app.config["MAIL_GIVE_UP_HOURS"])
    assert give_up <= message.given_up_at - first_failure <= give_up + timedelta(hours=1, seconds=1)
    assert message.status == "failed" and message.sent_at is None
    smtp.down = False
    time_machine.move_to(utcnow() + timedelta(days=1), tick=False)
    assert send_due() == {"sent": 0, "failed": 0}, "a given-up message is not tried again by itself"
    assert services.retry_failed() == 1
    db.session.commit()
    assert send_due() == {"sent": 1, "failed": 0}, "an admin's retry sends it"


def test_the_backoff_is_capped(app, ctx):
    assert services.backoff(1) == timedelta(seconds=2 * app.config["MAIL_RETRY_SECONDS"])
    assert services.backoff(40) == timedelta(seconds=app.config["MAIL_RETRY_MAX_SECONDS"])


def test_the_backoff_grows_with_each_failure(ctx, smtp):
    smtp.down = True
    _queue_reset()
    db.session.commit()
    waits = []
    for _ in range(3):
        start = utcnow()
        send_due()
        [message] = _messages()
        waits.append(message.next_attempt_at - start)
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()

    assert waits[0] > timedelta(0)
    assert waits[0] < waits[1] < waits[2]


# Idempotent side effects ----------------------------------------------------------------------


def test_a_second_message_with_the_same_dedupe_key_fails_at_commit(ctx):
    _queue_reset(dedupe_key="reminder:42:2030-03")
    db.session.commit()

    _queue_reset(dedupe_key="reminder:42:2030-03")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_the_same_dedupe_key_twice_in_one_transaction_fails_too(ctx):
    _queue_reset(dedupe_key="digest:erzgebirge:2030-W11")
    _queue_reset(dedupe_key="digest:erzgebirge:2030-W11")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert _messages() == []


def test_messages_without_a_dedupe_key_or_with_different_keys_are_all_kept(ctx):
    _queue_reset()
    _queue_reset()
    _queue_reset(dedupe_key="a")
    _queue_reset(dedupe_key="b")
    db.session.commit()

    assert len(_messages()) == 4


# The outbox page ------------------------------------------------------------------------------


def _fill_outbox(app, count: int) -> None:
    with app.app_context():
        db.session.add_all(
            OutboxMessage(recipient=f"person{n:03d}@example.org", subject=f"Betreff {n:03d}", body="Text\n")
            for n in range(1, count + 1)
        )
        db.session.commit()


def test_the_outbox_shows_recipient_subject_and_status_to_an_admin(app, client, auth, make):
    with app.app_context():
        _queue_reset("ada@example.org")
        failed = _queue_reset("bob@example.org", locale="en")
        db.session.flush()
        failed.attempts, failed.last_error = 2, "ConnectionRefusedError: [Errno 111] Connection refused"
        db.session.commit()
    admin = make.admin()
    auth.login(admin)

    response = client.get("/admin/outbox")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "ada@example.org" in page
    assert "Passwort für den CIMIS Hub zurücksetzen" in page
    assert "bob@example.org" in page
    assert "Reset your password for CIMIS Hub" in page
    assert "Connection refused" in page


@pytest.mark.parametrize("who", ["coordinator", "participant", "umbrella"])
def test_the_outbox_is_forbidden_to_everyone_but_admins(client, auth, make, who):
    person = {
        "coordinator": lambda: make.coordinator("erzgebirge"),
        "participant": lambda: make.participant("erzgebirge"),
        "umbrella": make.umbrella,
    }[who]()
    auth.login(person)

    assert client.get("/admin/outbox").status_code == 403


def test_a_visitor_is_sent_to_the_login_page(client):
    response = client.get("/admin/outbox")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "next=/admin/outbox" in response.headers["Location"].replace("%2F", "/")


def test_the_outbox_is_paginated_newest_first(app, client, auth, make):
    _fill_outbox(app, 120)
    auth.login(make.admin())

    first = client.get("/admin/outbox").get_data(as_text=True)
    last = client.get("/admin/outbox?page=3").get_data(as_text=True)

    assert first.count("@example.org</td>") == 50
    assert "person120@example.org" in first and "person071@example.org" in first
    assert "person070@example.org" not in first
    assert first.index("person120@") < first.index("person071@")
    assert "page=2" in first
    assert last.count("@example.org</td>") == 20
    assert "person020@example.org" in last and "person001@example.org" in last
    assert "person021@example.org" not in last


def test_a_page_beyond_the_end_of_the_outbox_is_empty_not_an_error(app, client, auth, make):
    _fill_outbox(app, 51)
    auth.login(make.admin())

    response = client.get("/admin/outbox?page=9")

    assert response.status_code == 200
    assert "@example.org</td>" not in response.get_data(as_text=True)


def test_message_given_up_is_shown_as_failed(app, client, auth, make):
    from hub.core.db import db as _db
    from hub.core.mail.models import OutboxMessage

    with app.app_context():
        _db.session.add(
            OutboxMessage(
                recipient="gone@example.org",
                subject="Given up",
                body="x",
                attempts=120,
                last_error="ConnectionRefusedError: refused",
                failing_since=utcnow() - timedelta(days=5),
                given_up_at=utcnow(),
            )
        )
        _db.session.commit()
    auth.login(make.admin())
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "fehlgeschlagen, kein weiterer Versuch: ConnectionRefusedError" in page
    assert "1 E-Mail wurde aufgegeben." in page


# Several senders at once ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.processes
def test_several_senders_at_once_deliver_each_message_exactly_once(app, ctx):
    """Four `hub mail send` processes start together on 48 due messages: 48 arrive, each once."""
    from tests.processes import SMTPServer, finish, hub_process

    for n in range(48):
        _queue_reset(f"person{n}@example.org")
    db.session.commit()
    smtp = SMTPServer().start()
    try:
        senders = [
            hub_process(app, "mail", "send", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS="false")
            for _ in range(4)
        ]
        results = [finish(sender) for sender in senders]
    finally:
        smtp.stop()

    for code, output in results:
        assert code == 0, output
    arrived = [m["To"] for m in smtp.received()]
    assert sorted(arrived) == sorted(f"person{n}@example.org" for n in range(48))
    assert all(m.sent_at is not None and m.attempts == 1 for m in _messages())


def test_a_message_claimed_by_a_sender_is_left_to_it_until_its_lease_runs_out(app, ctx, smtp):
    _queue_reset("ada@example.org")
    db.session.commit()
    token, [claimed] = services.claim_due(10)  # another sender holds it now

    assert send_due() == {"sent": 0, "failed": 0}
    assert smtp.sent == []

    db.session.execute(
        OutboxMessage.__table__.update().values(claimed_until=utcnow() - timedelta(seconds=1))
    )  # that sender died: its lease ran out
    db.session.commit()
    assert send_due() == {"sent": 1, "failed": 0}
    assert [m["To"] for m in smtp.sent] == ["ada@example.org"]


def test_one_claim_takes_at_most_its_batch(ctx):
    for n in range(25):
        _queue_reset(f"person{n}@example.org")
    db.session.commit()

    token, first = services.claim_due(10)
    _, second = services.claim_due(10)

    assert len(first) == 10 and len(second) == 10
    assert not {m.id for m in first} & {m.id for m in second}
    held = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.claim_token == token))
    assert held == 10


def test_a_long_batch_renews_its_lease_so_no_message_is_sent_outside_it(app, ctx, smtp, monkeypatch, time_machine):
    """Each message takes 25 s here and a lease 60 s: a batch of five needs its lease renewed twice."""
    monkeypatch.setitem(app.config, "MAIL_CLAIM_SECONDS", 60)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 10)
    for n in range(5):
        _queue_reset(f"person{n}@example.org")
    db.session.commit()
    time_machine.move_to(utcnow(), tick=False)
    held_to_the_end = []
    send = FakeSMTP.send_message

    def slow_send(self, message):
        send(self, message)
        time_machine.shift(timedelta(seconds=25))
        with db.engine.connect() as connection:  # what another sender would see now
            until = connection.scalar(
                select(OutboxMessage.claimed_until).where(OutboxMessage.recipient == message["To"])
            )
        held_to_the_end.append(until is not None and until.replace(tzinfo=UTC) > utcnow())

    monkeypatch.setattr(FakeSMTP, "send_message", slow_send)

    assert send_due(10) == {"sent": 5, "failed": 0}
    assert held_to_the_end == [True] * 5


def test_a_stopping_sender_ends_after_the_message_it_is_sending_and_gives_the_rest_back(ctx, smtp):
    for n in range(5):
        _queue_reset(f"person{n}@example.org")
    db.session.commit()

    assert send_due(10, stopping=lambda: len(smtp.sent) >= 2) == {"sent": 2, "failed": 0}

    rest = [m for m in _messages() if m.sent_at is None]
    assert len(rest) == 3 and all(m.claim_token is None for m in rest), "the others may take them at once"
    assert send_due(10) == {"sent": 3, "failed": 0}


@pytest.mark.slow
@pytest.mark.processes
def test_senders_on_a_slow_server_share_the_work_in_bounded_batches(app, ctx):
    """Three `hub mail send` at once on 60 messages, five at a time, a server that takes 0.25 s a message
    and a lease of one second (a batch needs it renewed): each claim holds at most five, the senders
    share the work, and each message arrives exactly once."""
    import re

    from tests.processes import SMTPServer, finish, hub_process

    for n in range(60):
        _queue_reset(f"person{n}@example.org")
    db.session.commit()
    smtp = SMTPServer(delay=0.25).start()
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_USE_TLS": "false"}
    try:
        senders = [
            hub_process(app, "mail", "send", MAIL_BATCH_SIZE=5, MAIL_CLAIM_SECONDS=1, **settings) for _ in range(3)
        ]
        results = [finish(sender) for sender in senders]
    finally:
        smtp.stop()

    shares = []
    for code, output in results:
        assert code == 0, output
        assert all(int(n) <= 5 for n in re.findall(r"claimed (\d+) messages", output)), output
        shares.append(int(re.search(r"sent (\d+), failed 0", output).group(1)))
    # A sender that starts late on a busy machine may find nothing left; the others shared the rest.
    assert sum(shares) == 60 and sum(1 for share in shares if share) >= 2, shares
    ids = [m["Message-ID"] for m in smtp.received()]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert all(m.sent_at is not None and m.attempts == 1 for m in _messages())


def test_every_attempt_of_a_message_keeps_its_message_id(app, ctx, smtp):
    _queue_reset("ada@example.org")
    db.session.commit()
    [message] = _messages()

    assert services.build_email(message)["Message-ID"] == services.build_email(message)["Message-ID"]
    assert services.build_email(message)["Message-ID"].startswith(f"<outbox-{message.id}.")


# Telling the admins ---------------------------------------------------------------------------


def test_admins_are_told_once_when_mail_keeps_failing_and_once_when_mail_is_given_up(
    app, client, auth, make, smtp, time_machine
):
    from hub.core.jobs.runner import execute
    from hub.notifications.models import Notification

    admin, coordinator = make.admin(), make.coordinator("erzgebirge")
    auth.login(admin)
    time_machine.move_to(utcnow(), tick=False)
    smtp.down = True
    with app.app_context():
        _queue_reset()
        db.session.commit()
        send_due()

    def told() -> list[str]:
        with app.app_context():
            execute("mail.watch")
            execute("mail.watch")  # a second run (or scheduler) tells nobody again
            rows = db.session.scalars(select(Notification).where(Notification.topic == "mail_problems"))
            return [(n.user_id, n.subject) for n in rows]

    assert told() == [], "a failure of a few minutes is no alarm"
    assert "fehl" not in client.get("/admin/outbox").get_data(as_text=True).split("<h1>")[1].split("<table")[0]

    time_machine.move_to(utcnow() + timedelta(minutes=app.config["MAIL_ALERT_MINUTES"] + 1), tick=False)
    assert told() == [(admin.id, "E-Mails aus dem Hub kommen nicht an")]
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Der E-Mail-Versand schlägt seit" in page and "1 E-Mail wartet." in page
    assert "ConnectionRefusedError" in page

    time_machine.move_to(utcnow() + timedelta(hours=app.config["MAIL_GIVE_UP_HOURS"]), tick=False)
    with app.app_context():
        send_due()
    assert told()[1:] == [(admin.id, "1 E-Mail konnte nicht zugestellt werden und wurde aufgegeben")]
    auth.login(admin)  # five days later
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "1 E-Mail wurde aufgegeben." in page and "Der E-Mail-Versand schlägt seit" not in page
    assert coordinator.id not in {user for user, _ in told()}
