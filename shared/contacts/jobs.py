"""Declined contact requests are deleted once their retention has passed."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from hub.db import db, in_transaction, utcnow
from hub.jobs import job
from shared.contacts.models import ContactRequest, ContactStatus


@job("contacts.retention", every=timedelta(hours=6), title=_l("Delete declined contact requests"))
def retention() -> dict[str, int]:
    """Delete contact requests declined more than RETENTION_DECLINED_CONTACT_DAYS ago (their message is
    personal data, and a declined request has no further use); the sender may then ask again."""
    cutoff = utcnow() - timedelta(days=current_app.config["RETENTION_DECLINED_CONTACT_DAYS"])
    deleted = in_transaction(
        lambda: (
            db.session.execute(
                delete(ContactRequest)
                .where(ContactRequest.status == ContactStatus.DECLINED, ContactRequest.decided_at < cutoff)
                .execution_options(synchronize_session=False)
            ).rowcount
        )
    )
    return {"deleted": deleted}
