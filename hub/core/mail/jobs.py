"""The outbox's jobs: deliver what is due, batch after batch, retrying failures with back-off; delete what was
delivered once its retention has passed. Telling administrators of trouble is hub.notifications' (``mail.watch``)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from hub.core.jobs import delete_older_than, job
from hub.core.jobs.runner import stop_requested
from hub.core.mail.models import OutboxMessage
from hub.core.mail.services import send_due


@job("mail.send_outbox", every=timedelta(seconds=30), title=_l("Send the e-mails of the outbox"))
def send_outbox() -> dict[str, int]:
    """Deliver every due e-mail, MAIL_BATCH_SIZE at a time; each sender claims its messages first, so
    nothing goes out twice. A stopping scheduler ends the run at the next message."""
    total = {"sent": 0, "failed": 0}
    if not current_app.config["MAIL_SERVER"]:
        return total
    batch = current_app.config["MAIL_BATCH_SIZE"]
    while not stop_requested():
        result = send_due(batch, stopping=stop_requested)
        total["sent"] += result["sent"]
        total["failed"] += result["failed"]
        if result["sent"] + result["failed"] < batch or result["sent"] == 0:
            break
    return total


@job("mail.retention", every=timedelta(hours=6), title=_l("Delete delivered e-mails after their retention"))
def retention() -> dict[str, int]:
    """Delete delivered e-mails (they hold personal data) once RETENTION_SENT_MAIL_DAYS have passed."""
    days = current_app.config["RETENTION_SENT_MAIL_DAYS"]
    return {
        "deleted": delete_older_than(OutboxMessage, OutboxMessage.sent_at, days, OutboxMessage.sent_at.is_not(None))
    }
