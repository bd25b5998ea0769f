"""Read notifications are deleted once their retention has passed; administrators hear when e-mail keeps failing.

The watch over the outbox keeps its id ``mail.watch`` (its runs are recorded under it); it lives here because
telling someone is what this feature does, and the outbox (hub.core.mail) knows no one to tell."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.db import db, in_transaction
from hub.core.jobs import delete_older_than, effects, job
from hub.core.mail.models import OutboxMessage
from hub.core.mail.services import trouble
from hub.core.mail.topics import register_topic
from hub.core.roles import Role
from hub.notifications.models import Notification
from hub.notifications.services import notify

MAIL_PROBLEMS = register_topic(
    "mail_problems",
    _l("E-mail delivery problems"),
    _l("When the hub's e-mails have been failing for a while, and when one is given up (administrators)."),
    coordinators_only=True,
)


@job("notifications.retention", every=timedelta(hours=6), title=_l("Delete old read notifications"))
def retention() -> dict[str, int]:
    """Delete read notifications older than RETENTION_NOTIFICATION_DAYS."""
    days = current_app.config["RETENTION_NOTIFICATION_DAYS"]
    return {
        "deleted": delete_older_than(Notification, Notification.created_at, days, Notification.read_at.is_not(None))
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
