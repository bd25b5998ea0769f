"""Queue e-mails in the outbox and deliver them over SMTP, retrying what failed."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from hub.db import db, utcnow
from hub.mail.models import OutboxMessage

log = logging.getLogger("hub.mail")


def queue_mail(
    recipient: str, template: str, *, locale: str | None = None, dedupe_key: str | None = None, **context
) -> OutboxMessage:
    """Render ``mail/<template>.txt`` in the recipient's language and put it in the outbox.

    The first line of the rendered template is the subject. The caller commits.
    """
    with force_locale(locale or current_app.config["DEFAULT_LOCALE"]):
        rendered = render_template(f"mail/{template}.txt", **context).strip()
    subject, _, body = rendered.partition("\n")
    message = OutboxMessage(
        recipient=recipient, subject=subject.strip(), body=body.strip() + "\n", dedupe_key=dedupe_key
    )
    db.session.add(message)
    if not current_app.config["MAIL_SERVER"]:
        log.info("mail to %s queued (no MAIL_SERVER set): %s\n%s", recipient, message.subject, message.body)
    return message


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 12 * 60))


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


def send_due(limit: int = 100) -> dict[str, int]:
    """Try to deliver the messages that are due; a failure keeps the message for a later retry."""
    cfg = current_app.config
    result = {"sent": 0, "failed": 0}
    if not cfg["MAIL_SERVER"]:
        return result
    due = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.next_attempt_at <= utcnow(),
                OutboxMessage.attempts < cfg["MAIL_MAX_ATTEMPTS"],
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    if not due:
        return result
    try:
        smtp = _smtp()
    except (OSError, smtplib.SMTPException) as exc:
        for message in due:
            _record_failure(message, exc)
        db.session.commit()
        result["failed"] = len(due)
        return result
    with smtp:
        for message in due:
            email = EmailMessage()
            email["From"] = cfg["MAIL_SENDER"]
            email["To"] = message.recipient
            email["Subject"] = message.subject
            email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
            email.set_content(message.body)
            try:
                smtp.send_message(email)
            except (OSError, smtplib.SMTPException) as exc:
                _record_failure(message, exc)
                result["failed"] += 1
            else:
                message.sent_at = utcnow()
                message.attempts += 1
                result["sent"] += 1
            db.session.commit()
    return result


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:500]
    message.next_attempt_at = utcnow() + _backoff(message.attempts)
    log.warning("mail %s to %s not sent (attempt %s): %s", message.id, message.recipient, message.attempts, exc)
