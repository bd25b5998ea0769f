"""Declined contact requests are deleted once their retention has passed."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from hub.core.jobs import delete_older_than, job
from shared.contacts.models import ContactRequest, ContactStatus


@job("contacts.retention", every=timedelta(hours=6), title=_l("Delete declined contact requests"))
def retention() -> dict[str, int]:
    """Delete contact requests declined more than RETENTION_DECLINED_CONTACT_DAYS ago (their message is
    personal data, and a declined request has no further use); the sender may then ask again."""
    days = current_app.config["RETENTION_DECLINED_CONTACT_DAYS"]
    declined = ContactRequest.status == ContactStatus.DECLINED
    return {"deleted": delete_older_than(ContactRequest, ContactRequest.decided_at, days, declined)}
