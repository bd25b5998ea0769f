"""The outbox's job: deliver what is due, batch after batch, retrying failures with back-off."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.db import db, in_transaction
from hub.core.jobs import delete_older_than, effects, job
from hub.core.jobs.runner import stop_requested
from hub.core.mail.models import OutboxMessage
from hub.core.mail.services import send_due, trouble
from hub.core.roles import Role
from hub.notifications.services import notify
from hub.notifications.topics import register_topic

MAIL_PROBLEMS = register_topic(
    "mail_problems",
    _l("E-mail delivery problems"),
    _l("When the hub's e-mails have been failing for a while, and when one is given up (administrators)."),
    coordinators_only=True,
)


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


def _admins() -> list[User]:
    return list(db.session.scalars(select(User).where(User.global_role == Role.ADMIN, User.active).order_by(User.id)))


@job("mail.watch", every=timedelta(minutes=5), title=_l("Tell administrators when e-mail keeps failing"))
def watch() -> dict[str, int]:
    """Tell every administrator once when e-mail has been failing for MAIL_ALERT_MINUTES (once per run of
    failures), and once about the messages given up since the last run."""
    told = 0
    link = external_url("mail.outbox")
    found = trouble()
    if found is not None:
        slot = effects.slot_of(found.since)
        for admin in _admins():

            def tell(admin=admin):
                return notify(
                    admin,
                    MAIL_PROBLEMS.key,
                    "mail_failing",
                    link=link,
                    effect=("mail.failing", f"user:{admin.id}", slot),
                    trouble=found,
                )

            told += in_transaction(tell) is not None
    given_up = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.given_up_at).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.given_up_at.is_not(None)
        )
    ).all()
    keys = [(f"message:{id_}", effects.slot_of(at)) for id_, at in given_up]
    done = effects.done("mail.given_up", keys)
    fresh = [key for key in keys if key not in done]
    if fresh:

        def tell_given_up() -> int:
            # The messages' keys and the notices commit together: a second scheduler finds them taken.
            count = sum(effects.claim("mail.given_up", subject, slot) for subject, slot in fresh)
            if count:
                for admin in _admins():
                    notify(admin, MAIL_PROBLEMS.key, "mail_given_up", link=external_url("jobs.index"), count=count)
            return count

        if in_transaction(tell_given_up):
            told += len(_admins())
    return {"told": told}
