"""Queue e-mails in the outbox and deliver them over SMTP: each message once, retrying what failed.

Any number of senders may run at once (several schedulers, a ``hub mail send`` by hand): a sender first
*claims* due messages with one conditional UPDATE (a lease with its own token), sends only those, and
marks each sent under the same token. A message is claimed by one sender at a time; a sender that dies
leaves its lease to run out, after which another sender takes the message over. Only a crash between
the SMTP server's "250 OK" and the commit of ``sent_at`` can send one message twice, and it keeps its
Message-ID, so the receiving side can tell.

Why one module of about 400 lines: queueing, claiming, sending and giving up share the lease protocol
above; split, the guarantee "each message once" would no longer be readable in one place.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event, func, or_, select, update

from hub.core.db import db, in_transaction, utcnow
from hub.core.logs import DEMO_LOGGER
from hub.core.mail.models import OutboxMessage

log = logging.getLogger("hub.core.mail")
demo_log = logging.getLogger(DEMO_LOGGER)  # its links stay clickable in development; production never uses it


# Whether an e-mail may go to its recipient, and the unsubscribe link and footer it then carries, is the
# recipient's choice, kept by a feature (hub.notifications installs it with set_recipient_policy); the outbox
# only asks. Without one, every message goes out as it is.
RECIPIENT_POLICY = "hub.mail.recipient_policy"
RecipientPolicy = Callable[..., "tuple[str, str] | None"]


def set_recipient_policy(app, policy: RecipientPolicy) -> None:
    """Let ``policy(recipient, topic, locale=..., user=...)`` decide about every message queued in this app:
    None keeps it back, else (unsubscribe link, footer to append)."""
    app.extensions[RECIPIENT_POLICY] = policy


def recipient_accepts(recipient: str, topic: str | None, user=None) -> bool:
    """Would a message of this topic be queued for this address (the recipient did not turn it off)?"""
    policy = current_app.extensions.get(RECIPIENT_POLICY)
    return policy is None or policy(recipient, topic, user=user) is not None


def render_mail(template: str, *, locale: str | None = None, **context) -> tuple[str, str]:
    """Render ``mail/<template>.txt`` in a language: (subject, body). The first line is the subject."""
    with force_locale(locale or current_app.config["DEFAULT_LOCALE"]):
        rendered = render_template(f"mail/{template}.txt", **context).strip()
    subject, _, body = rendered.partition("\n")
    return subject.strip(), body.strip() + "\n"


def queue_mail(
    recipient: str,
    template: str,
    *,
    locale: str | None = None,
    dedupe_key: str | None = None,
    topic: str | None = None,
    **context,
) -> OutboxMessage | None:
    """Render ``mail/<template>.txt`` in the recipient's language and put it in the outbox.

    ``topic`` names the kind of e-mail (hub.notifications.topics); a recipient who unsubscribed from it
    gets nothing (None is returned). Mail without a topic is essential (a password reset) and always
    goes out. Every message carries a one-click unsubscribe link. The caller commits.
    """
    subject, body = render_mail(template, locale=locale, **context)
    return enqueue(recipient, subject, body, locale=locale, dedupe_key=dedupe_key, topic=topic)


def enqueue(
    recipient: str,
    subject: str,
    body: str,
    *,
    locale: str | None = None,
    dedupe_key: str | None = None,
    topic: str | None = None,
    user=None,
) -> OutboxMessage | None:
    """Put an already rendered e-mail in the outbox, with its unsubscribe footer (see queue_mail); ``user``
    is the recipient's account when the caller has it at hand (saves looking it up)."""
    policy = current_app.extensions.get(RECIPIENT_POLICY)
    plan = policy(recipient, topic, locale=locale, user=user) if policy is not None else (None, "")
    if plan is None:
        log.info("mail about %s not queued: the recipient unsubscribed", topic)
        return None
    unsubscribe_url, footer = plan
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        body=body + footer,
        dedupe_key=dedupe_key,
        topic=topic,
        unsubscribe_url=unsubscribe_url,
    )
    db.session.add(message)
    return message


def _topic(message: OutboxMessage) -> str:
    return message.topic or "essential"


@event.listens_for(OutboxMessage, "after_insert")
def _log_queued(mapper, connection, message: OutboxMessage) -> None:
    """Say "mail <id> queued" once the message has its id; the mail itself never goes to a production log."""
    topic = _topic(message)
    if current_app.config["MAIL_SERVER"]:
        log.info("mail %s queued, topic %s", message.id, topic)
    elif current_app.config["ENV"] == "production":
        log.info("mail %s queued, topic %s; HUB_MAIL_SERVER is not set, so it waits in the outbox", message.id, topic)
    else:
        demo_log.info(
            "mail %s queued, topic %s; development without HUB_MAIL_SERVER: printed here for the demo "
            "(never in production)\nTo: %s\nSubject: %s\n\n%s",
            message.id,
            topic,
            message.recipient,
            message.subject,
            message.body,
        )


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: doubling from MAIL_RETRY_SECONDS, at most
    MAIL_RETRY_MAX_SECONDS, so that a server back after a day's outage gets the mail within the hour."""
    cfg = current_app.config
    return timedelta(seconds=min(cfg["MAIL_RETRY_SECONDS"] * 2 ** min(attempts, 30), cfg["MAIL_RETRY_MAX_SECONDS"]))


def _smtp():
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
    try:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _due(now):
    return (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
        OutboxMessage.given_up_at.is_(None),
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def claim_due(limit: int) -> tuple[str, list[OutboxMessage]]:
    """Take a lease on at most ``limit`` due messages that no other sender holds; commit it at once.

    Two statements in one transaction: the ids are chosen first (PostgreSQL: ``FOR UPDATE SKIP LOCKED``,
    so concurrent senders choose different rows and wait for none), then only those ids are updated, with
    the conditions repeated. The bound is the length of a list in hand, not a subquery's LIMIT, which
    PostgreSQL does not honour as a bound inside ``UPDATE … WHERE id IN (…)``. SQLite lets one writer at a
    time (a stale read makes the UPDATE fail and ``in_transaction`` redo the unit), so a message is never
    claimed twice.
    """
    token = secrets.token_hex(16)

    def work() -> list[int]:
        now = utcnow()
        choose = select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(limit)
        if db.session.get_bind().dialect.name == "postgresql":
            choose = choose.with_for_update(skip_locked=True)
        ids = list(db.session.scalars(choose))
        if ids:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), *_due(now))
                .values(claim_token=token, claimed_until=now + _lease())
                .execution_options(synchronize_session=False)
            )
        return ids

    if not in_transaction(work):
        return token, []
    claimed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).all()
    if claimed:
        log.info("claimed %d messages (at most %d)", len(claimed), limit)
    return token, list(claimed)


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])


def _margin() -> timedelta:
    """How much of the lease must be left to start sending a message: enough for one SMTP exchange
    (a few commands, each within MAIL_TIMEOUT), and at most half the lease."""
    cfg = current_app.config
    return timedelta(seconds=min(3 * cfg["MAIL_TIMEOUT"], cfg["MAIL_CLAIM_SECONDS"] / 2))


def _renew(token: str) -> datetime | None:
    """Extend the lease on this sender's unsent messages; commit. None if it holds none any more."""
    until = utcnow() + _lease()

    def work() -> int:
        return db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claim_token == token, OutboxMessage.sent_at.is_(None))
            .values(claimed_until=until)
            .execution_options(synchronize_session=False)
        ).rowcount

    return until if in_transaction(work) else None


def _still_held(message: OutboxMessage, token: str) -> bool:
    """Is the message still there, unsent and this sender's? (A withdrawn notice is gone.)"""
    return (
        db.session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.id == message.id, OutboxMessage.claim_token == token, OutboxMessage.sent_at.is_(None)
            )
        )
        is not None
    )


def release(token: str) -> None:
    """Give back the lease on the messages this sender did not get to (stopping): others may take them now."""

    def work() -> None:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claim_token == token, OutboxMessage.sent_at.is_(None))
            .values(claim_token=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )

    in_transaction(work)


def _finish(message: OutboxMessage, token: str, values: dict) -> None:
    """Write a message's outcome, if this sender still holds its claim; commit."""

    def work():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == token)
            .values(claim_token=None, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )

    in_transaction(work)


def _failure(message: OutboxMessage, exc: Exception) -> dict:
    """The outcome of a failed attempt: try again after the back-off, or give up once the message has
    been failing for MAIL_GIVE_UP_HOURS."""
    now = utcnow()
    attempts = message.attempts + 1
    failing_since = message.failing_since or now
    outcome = {
        "attempts": attempts,
        "last_error": f"{type(exc).__name__}: {exc}"[:500],
        "failing_since": failing_since,
        "next_attempt_at": now + backoff(attempts),
    }
    if now - failing_since >= timedelta(hours=current_app.config["MAIL_GIVE_UP_HOURS"]):
        outcome["given_up_at"] = now
        log.warning("mail %s given up after %s attempts, topic %s: %s", message.id, attempts, _topic(message), exc)
    else:
        log.warning("mail %s failed (attempt %s), topic %s: %s", message.id, attempts, _topic(message), exc)
    return outcome


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID for every attempt of one message, so a receiver can tell a repeat."""
    domain = current_app.config["MAIL_SENDER"].rpartition("@")[2].strip("> ") or "cimis-hub.local"
    digest = hashlib.sha256(f"{message.id}:{message.created_at.isoformat()}".encode()).hexdigest()[:20]
    return f"<outbox-{message.id}.{digest}@{domain}>"


# Headers whose value a mail program reads as it stands: never folded, never turned into encoded-words.
UNFOLDED_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post"})


class MailPolicy(EmailPolicy):
    """The standard policy, except that List-Unsubscribe leaves as one plain line.

    The standard policy writes a header value with a word longer than a line (a long ``<https://…>``
    link) as RFC 2047 encoded-words; a provider's one-click button (RFC 8058) then finds no URI.
    The value is ASCII without line breaks (checked here), and RFC 5322 allows lines up to 998
    characters, which the outbox's 500-character link column keeps within.
    """

    def _unfolded(self, name: str, value) -> str | None:
        if name.lower() not in UNFOLDED_HEADERS:
            return None
        text = str(value)
        if not text.isascii() or "\r" in text or "\n" in text or len(name) + len(text) + 2 > 998:
            raise ValueError(f"{name} must be one line of ASCII")
        return f"{name}: {text}{self.linesep}"

    def fold(self, name, value):
        return self._unfolded(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):
        unfolded = self._unfolded(name, value)
        return unfolded.encode("ascii") if unfolded else super().fold_binary(name, value)


MAIL_POLICY = MailPolicy()


def build_email(message: OutboxMessage) -> EmailMessage:
    """The e-mail as it goes over SMTP: headers, the body, and the one-click unsubscribe headers."""
    cfg = current_app.config
    email = EmailMessage(policy=MAIL_POLICY)
    email["From"] = cfg["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message) if message.created_at else make_msgid()
    if message.unsubscribe_url:
        # RFC 8058: mail programs may offer their own one-click "unsubscribe" button.
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body)
    return email


def send_due(limit: int = 100, *, stopping: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Deliver the messages that are due and that this sender could claim; a failure keeps a message
    for a later retry (see backoff) until it is given up.

    The lease is renewed while the batch is sent, before too little of it is left for the next message,
    so a batch never outlives its lease. ``stopping()`` is asked between messages: when it says yes, the
    rest of the batch is released at once for the next sender.
    """
    result = {"sent": 0, "failed": 0}
    if not current_app.config["MAIL_SERVER"]:
        return result
    token, claimed = claim_due(limit)
    if not claimed:
        return result
    try:
        smtp = _smtp()
    except (OSError, smtplib.SMTPException) as exc:
        for message in claimed:
            _finish(message, token, _failure(message, exc))
        result["failed"] = len(claimed)
        return result
    lease_until = min(message.claimed_until for message in claimed)
    with smtp:
        for message in claimed:
            if stopping():
                break
            if lease_until - utcnow() < _margin():
                lease_until = _renew(token)
                if lease_until is None:
                    break
            if not _still_held(message, token):
                continue
            try:
                smtp.send_message(build_email(message))
            except (OSError, smtplib.SMTPException) as exc:
                _finish(message, token, _failure(message, exc))
                result["failed"] += 1
            else:
                log.info("mail %s sent (attempt %s), topic %s", message.id, message.attempts + 1, _topic(message))
                _finish(message, token, {"sent_at": utcnow(), "attempts": message.attempts + 1, "failing_since": None})
                result["sent"] += 1
    release(token)
    return result


def retry_failed(message_ids: list[int] | None = None) -> int:
    """Give messages that were given up a fresh start (an admin's decision); the caller commits."""
    query = update(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.given_up_at.is_not(None))
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(
            attempts=0, next_attempt_at=utcnow(), last_error=None, failing_since=None, given_up_at=None
        ).execution_options(synchronize_session=False)
    )
    return result.rowcount


@dataclass(frozen=True)
class Trouble:
    """E-mail that has been failing for a while: since when, how many wait, the latest error."""

    since: datetime
    waiting: int
    last_error: str


def trouble() -> Trouble | None:
    """Is e-mail failing for longer than MAIL_ALERT_MINUTES? (SMTP down, refused logins, a full queue.)"""
    cutoff = utcnow() - timedelta(minutes=current_app.config["MAIL_ALERT_MINUTES"])
    failing = (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.given_up_at.is_(None),
        OutboxMessage.failing_since.is_not(None),
    )
    since, waiting = db.session.execute(
        select(func.min(OutboxMessage.failing_since), func.count()).where(*failing)
    ).one()
    if since is None or since > cutoff:
        return None
    last_error = db.session.scalar(
        select(OutboxMessage.last_error).where(*failing).order_by(OutboxMessage.next_attempt_at.desc()).limit(1)
    )
    return Trouble(since=since, waiting=waiting, last_error=last_error or "")


def given_up_count() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.given_up_at.is_not(None))
    )
