"""Read notifications are deleted once their retention has passed."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from hub.db import db, in_transaction, utcnow
from hub.jobs import job
from hub.notifications.models import Notification


@job("notifications.retention", every=timedelta(hours=6), title=_l("Delete old read notifications"))
def retention() -> dict[str, int]:
    """Delete read notifications older than RETENTION_NOTIFICATION_DAYS."""
    cutoff = utcnow() - timedelta(days=current_app.config["RETENTION_NOTIFICATION_DAYS"])
    deleted = in_transaction(
        lambda: (
            db.session.execute(
                delete(Notification)
                .where(Notification.read_at.is_not(None), Notification.created_at < cutoff)
                .execution_options(synchronize_session=False)
            ).rowcount
        )
    )
    return {"deleted": deleted}
