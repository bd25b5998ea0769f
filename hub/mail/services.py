"""Queue e-mails in the outbox and deliver them over SMTP: each message once, retrying what failed.

Any number of senders may run at once (several schedulers, a ``hub mail send`` by hand): a sender first
*claims* due messages with one conditional UPDATE (a lease with its own token), sends only those, and
marks each sent under the same token. A message is claimed by one sender at a time; a sender that dies
leaves its lease to run out, after which another sender takes the message over. Only a crash between
the SMTP server's "250 OK" and the commit of ``sent_at`` can send one message twice, and it keeps its
Message-ID, so the receiving side can tell.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event, or_, select, update

from hub.db import db, in_transaction, utcnow
from hub.logs import DEMO_LOGGER
from hub.mail.models import OutboxMessage

log = logging.getLogger("hub.mail")
demo_log = logging.getLogger(DEMO_LOGGER)  # its links stay clickable in development; production never uses it


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
    from hub.notifications import services as notifications

    plan = notifications.outgoing(recipient, topic, locale=locale, user=user)
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
    """How long to wait after the n-th failed attempt: doubling from MAIL_RETRY_SECONDS, at most 12 hours."""
    base = current_app.config["MAIL_RETRY_SECONDS"]
    return timedelta(seconds=min(base * 2**attempts, 12 * 3600))


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
        OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def claim_due(limit: int) -> tuple[str, list[OutboxMessage]]:
    """Take a lease on up to ``limit`` due messages that no other sender holds; commit it at once.

    One UPDATE whose WHERE repeats the conditions: PostgreSQL re-checks them on a row another sender
    changed meanwhile (and skips rows it has locked), SQLite lets one writer at a time, so a message is
    never claimed twice.
    """
    token = secrets.token_hex(16)

    def work():
        now = utcnow()
        ids = select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(limit)
        if db.session.get_bind().dialect.name == "postgresql":
            ids = ids.with_for_update(skip_locked=True)
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids.scalar_subquery()), *_due(now))
            .values(
                claim_token=token,
                claimed_until=now + timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"]),
            )
            .execution_options(synchronize_session=False)
        )

    in_transaction(work)
    claimed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).all()
    return token, list(claimed)


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
    attempts = message.attempts + 1
    log.warning("mail %s failed (attempt %s), topic %s: %s", message.id, attempts, _topic(message), exc)
    return {
        "attempts": attempts,
        "last_error": f"{type(exc).__name__}: {exc}"[:500],
        "next_attempt_at": utcnow() + backoff(attempts),
    }


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID for every attempt of one message, so a receiver can tell a repeat."""
    domain = current_app.config["MAIL_SENDER"].rpartition("@")[2].strip("> ") or "cimis-hub.local"
    digest = hashlib.sha256(f"{message.id}:{message.created_at.isoformat()}".encode()).hexdigest()[:20]
    return f"<outbox-{message.id}.{digest}@{domain}>"


def build_email(message: OutboxMessage) -> EmailMessage:
    cfg = current_app.config
    email = EmailMessage()
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


def send_due(limit: int = 100) -> dict[str, int]:
    """Deliver the messages that are due and that this sender could claim; a failure keeps a message
    for a later retry, until MAIL_MAX_ATTEMPTS."""
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
    with smtp:
        for message in claimed:
            if message.claimed_until <= utcnow():  # the lease ran out: another sender may have it now
                break
            try:
                smtp.send_message(build_email(message))
            except (OSError, smtplib.SMTPException) as exc:
                _finish(message, token, _failure(message, exc))
                result["failed"] += 1
            else:
                log.info("mail %s sent (attempt %s), topic %s", message.id, message.attempts + 1, _topic(message))
                _finish(message, token, {"sent_at": utcnow(), "attempts": message.attempts + 1})
                result["sent"] += 1
    return result


def retry_failed(message_ids: list[int] | None = None) -> int:
    """Give messages that used up their attempts a fresh start (an admin's decision); the caller commits."""
    query = update(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
    )
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(attempts=0, next_attempt_at=utcnow(), last_error=None).execution_options(synchronize_session=False)
    )
    return result.rowcount
